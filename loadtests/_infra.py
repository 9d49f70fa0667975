"""What every benchmark sets up and tears down: a free port, a throwaway redis-server, a fresh MariaDB
database with seatcore's schema. Everything started here is stopped, everything made is dropped."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pymysql
from sqlalchemy.engine import make_url

from seatcore.db.migrate import upgrade

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
