"""What every benchmark sets up and tears down: a free port, a throwaway redis-server, a fresh MariaDB
database with seatcore's schema and a small catalogue in it. Everything started here is stopped,
everything made is dropped."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pymysql
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from seatcore.auth.principal import Principal
from seatcore.auth.tokens import TokenIssuer
from seatcore.db.engine import create_sync_engine
from seatcore.db.migrate import upgrade
from seatcore.db.schema import cinemas, halls, movies
from seatcore.db.schema import showtimes as showtimes_table
from seatcore.db.schema import users as users_table
from seatcore.domain.layout import parse_layout

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    """Ask ``process`` to stop; kill it when it has not within ``timeout_s``."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def throwaway_redis(folder: Path) -> Iterator[str]:
    """A redis-server of our own on a free port that keeps nothing (never the machine's Redis)."""
    if shutil.which("redis-server") is None:
        sys.exit("this benchmark needs redis-server on the PATH (apt install redis-server)")
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [*command, "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield f"redis://{HOST}:{port}/0"
    finally:
        stop_process(process)


@contextlib.contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new database named ``prefix_RANDOM`` on the MariaDB/MySQL server of ``server_url`` (any
    database in it is ignored), with seatcore's schema; dropped afterwards. Yields its URL."""
    server = make_url(server_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = pymysql.connect(
        host=server.host or HOST,
        port=server.port or 3306,
        user=server.username or "root",
        password=server.password or "",
    )
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        url = server.set(database=name).render_as_string(hide_password=False)
        try:
            upgrade(make_url(url))
            yield url
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        admin.close()


@dataclass(frozen=True)
class BenchCatalogue:
    """What ``seed_catalogue`` made: the showtimes (one hall, one after the other) and the
    moviegoers, with a bearer token each."""

    showtime_ids: list[int]
    user_ids: list[int]
    tokens: list[str]


def seed_catalogue(
    url: str, layout: dict[str, Any], *, showtimes: int, users: int, secret: str, prefix: str
) -> BenchCatalogue:
    """One movie, cinema and hall of ``layout`` with ``showtimes`` screenings three hours apart from
    tomorrow on, and ``users`` moviegoers (openid ``PREFIX-N``) signed in with ``secret``."""
    now = datetime.now(UTC).replace(tzinfo=None)
    engine = create_sync_engine(make_url(url))
    with engine.begin() as conn:
        movie = conn.execute(
            insert(movies).values(
                title="Bench", duration_min=120, synopsis="-", created_at=now, updated_at=now
            )
        ).lastrowid
        cinema = conn.execute(insert(cinemas).values(name="Bench", city="Bench", created_at=now)).lastrowid
        hall = conn.execute(
            insert(halls).values(
                cinema_id=cinema,
                name="1",
                layout=orjson.dumps(layout).decode(),
                seat_count=parse_layout(layout).seat_count,
                created_at=now,
            )
        ).lastrowid
        showtime_ids = []
        for index in range(showtimes):
            starts = now + timedelta(days=1, hours=3 * index)
            row = {"hall_id": hall, "cinema_id": cinema, "movie_id": movie, "starts_at": starts}
            row |= {"ends_at": starts + timedelta(hours=2), "prices": '{"standard": 4500}', "created_at": now}
            showtime_ids.append(int(conn.execute(insert(showtimes_table).values(**row)).lastrowid))
        user_ids = [
            int(
                conn.execute(
                    insert(users_table).values(
                        openid=f"{prefix}-{i}", nickname=f"{prefix}{i}", created_at=now
                    )
                ).lastrowid
            )
            for i in range(users)
        ]
    engine.dispose()
    issuer = TokenIssuer(secret, 24 * 3600)
    tokens = [issuer.issue(Principal("user", user_id, "moviegoer")) for user_id in user_ids]
    return BenchCatalogue(showtime_ids, user_ids, tokens)
