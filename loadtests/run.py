"""One load test, from an empty machine to a verdict, with one command:

    python -m loadtests.run rush --users 2000 --time 60s
    python -m loadtests.run mixed_day --users 300 --time 5m --store mysql --workers 2

1. storage: the embedded default (an SQLite file and an embedded Redis under OUT/data), or
   ``--store mysql``: a fresh database on the machine's MariaDB and a free Redis database number
   (1..15, locked the way the test fixtures lock theirs) on the machine's Redis;
2. ``seatcore migrate`` and ``seatcore seed-demo``, then the premiere (loadtests/premiere.py), a
   ROWSxCOLUMNS hall whose showtime the rush fights over;
3. ``seatcore serve`` on a free 127.0.0.1 port (dev sign-in on, holds shortened to ``--hold-ttl-s``
   so abandoned holds expire during the run), once ``/healthz`` answers;
4. locust, headless, for ``--time`` with ``--users``: its CSV files and HTML report go to OUT;
5. ``seatcore check`` against the same Redis and database while the service still runs (checking
   again for up to ``--settle-s`` while orders are still on their way to MySQL);
6. everything it started is stopped; the database and Redis data are removed unless ``--keep``.

It prints locust's figures, what the fans got and the checker's table, and exits 0 only when locust
counted no failed request and every invariant held. Traffic goes to 127.0.0.1 only. Arguments after
``--`` go to locust as they are (for example ``-- --best-ratio 0.8``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from loadtests.onsale_room import RoomLog, RoomPlan, watched_room
from loadtests.premiere import Premiere, seed_premiere
from seatcore.db.engine import create_sync_engine
from seatcore.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = ("browse", "rush", "watchers", "snacks", "mixed_day", "onsale")
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 40.0
REDIS_LOCK = "seatcore:test-lock:{number}"  # shared with tests/conftest.py: one user per number
REDIS_LOCK_S = 6 * 3600
STATS_COLUMNS = (("count", 8), ("fails", 6), ("p50 ms", 8), ("p95 ms", 8), ("p99 ms", 8), ("/s", 8))


@dataclass
class Service:
    """A running seatcore and how to reach its storage."""

    base_url: str
    env: dict[str, str]  # the SEATCORE_* environment it runs with
    premiere: Premiere
    out: Path
    process: subprocess.Popen[bytes]


@dataclass
class StatsRow:
    kind: str
    name: str
    requests: int
    failures: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    per_s: float


@dataclass
class Verdict:
    locust_exit: int
    checker_exit: int
    rows: list[StatsRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.locust_exit == 0 and self.checker_exit == 0


# ------------------------------------------------------------------------------------ storage


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _embedded_storage(data_dir: Path) -> Iterator[dict[str, str]]:
    from seatcore.embedded import EmbeddedRedis

    with EmbeddedRedis(data_dir) as embedded:
        yield {"SEATCORE_REDIS_URL": embedded.url}


@contextlib.contextmanager
def _mysql_storage(mysql_url: str, redis_url: str, keep: bool) -> Iterator[dict[str, str]]:
    """A fresh database and a Redis database number of their own, removed afterwards unless kept."""
    server = make_url(mysql_url)
    name = f"sclt_{secrets.token_hex(4)}"
    admin_db = create_sync_engine(server)
    with admin_db.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    parts = urlsplit(redis_url)
    admin = redis.Redis.from_url(urlunsplit((parts.scheme, parts.netloc, "/0", "", "")))
    token = secrets.token_hex(8)
    number = next(
        (n for n in range(1, 16) if admin.set(REDIS_LOCK.format(number=n), token, nx=True, ex=REDIS_LOCK_S)),
        None,
    )
    url = urlunsplit((parts.scheme, parts.netloc, f"/{number}", "", ""))
    try:
        if number is None:
            raise SystemExit("every Redis database number 1..15 is in use by tests or other load runs")
        redis.Redis.from_url(url).flushdb()
        database_url = server.set(database=name).render_as_string(hide_password=False)
        yield {"SEATCORE_DATABASE_URL": database_url, "SEATCORE_REDIS_URL": url}
        if keep:
            print(f"kept: database {name}, Redis {url}", flush=True)
    finally:
        if number is not None:
            if not keep:
                redis.Redis.from_url(url).flushdb()
            if admin.get(REDIS_LOCK.format(number=number)) == token.encode():
                admin.delete(REDIS_LOCK.format(number=number))
        admin.close()
        if not keep:
            with admin_db.begin() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin_db.dispose()


# ------------------------------------------------------------------------------------ service


def _base_env(out: Path, storage: dict[str, str], hold_ttl_s: int) -> dict[str, str]:
    """The caller's environment without its SEATCORE_* settings, plus the load test's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SEATCORE_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(storage)
    env.update(
        SEATCORE_CONFIG=str(out / "no-config-file.toml"),  # the checkout's config file does not apply
        SEATCORE_DATA_DIR=str(out / "data"),
        SEATCORE_DEV_LOGIN="true",
        SEATCORE_PAYMENT_PROVIDER="sandbox",  # the rush pays; on MySQL that needs saying twice
        SEATCORE_ALLOW_SANDBOX_PAYMENTS="true",
        SEATCORE_HOLD_TTL_S=str(hold_ttl_s),
        SEATCORE_HOLD_EXTEND_S=str(max(1, hold_ttl_s // 2)),
        SEATCORE_HOLD_MAX_LIFE_S=str(3 * hold_ttl_s),
        SEATCORE_LOG_LEVEL="WARNING",
        # The load generator sends each fan's own address in X-Forwarded-For (unless told not to),
        # as a proxy would: believed from it, so per-address limits count fans, not the generator.
        SEATCORE_TRUSTED_PROXIES='["127.0.0.1"]',
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    )
    if "SEATCORE_DATABASE_URL" in storage:
        env["SEATCORE_SECRET_KEY"] = secrets.token_urlsafe(32)
    return env


def _run(args: Sequence[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as output:
        done = subprocess.run(args, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[2:])} exited {done.returncode}; see {log}")


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"seatcore exited {process.returncode} before it served; see {log}")
            try:
                if client.get(f"{base_url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise SystemExit(f"seatcore did not answer /healthz in {START_TIMEOUT_S} s; see {log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def local_service(
    out: Path,
    *,
    store: str = "embedded",
    workers: int = 1,
    premiere: tuple[int, int] = (20, 44),
    hold_ttl_s: int = 30,
    keep: bool = False,
    mysql_url: str = "mysql://root@127.0.0.1:3306",
    redis_url: str = "redis://127.0.0.1:6379",
) -> Iterator[Service]:
    """A seeded seatcore serving on 127.0.0.1, stopped (and its storage removed) on exit."""
    out.mkdir(parents=True, exist_ok=True)
    storage = (
        _embedded_storage(out / "data") if store == "embedded" else _mysql_storage(mysql_url, redis_url, keep)
    )
    with storage as urls:
        env = _base_env(out, urls, hold_ttl_s)
        log = out / "server.log"
        for step in ("migrate", "seed-demo"):
            _run([sys.executable, "-m", "seatcore", step], env, log)
        settings = Settings(
            database_url=env.get("SEATCORE_DATABASE_URL", ""),
            redis_url=env["SEATCORE_REDIS_URL"],
            data_dir=Path(env["SEATCORE_DATA_DIR"]),
        )
        show = asyncio.run(seed_premiere(settings, rows=premiere[0], columns=premiere[1]))
        port = _free_port()
        with log.open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "seatcore", "serve", "--port", str(port), "--workers", str(workers)],
                cwd=REPO,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(f"http://127.0.0.1:{port}", env, show, out, process)
        try:
            _wait_healthy(service.base_url, process, log)
            yield service
        finally:
            _stop(process)


# ------------------------------------------------------------------------------------ locust, checker


def run_locust(
    service: Service,
    scenario: str,
    *,
    users: int,
    run_time: str,
    spawn_rate: float | None = None,
    prefix: str = "locust",
    extra: Sequence[str] = (),
) -> int:
    """Locust, headless, as a subprocess (its gevent patching does not mix with asyncio);
    writes PREFIX_*.csv, PREFIX.html and PREFIX.log to the service's folder. Returns its exit code."""
    rate = spawn_rate if spawn_rate is not None else max(10.0, users / 20)
    args = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(REPO / "loadtests" / "scenarios" / f"{scenario}.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(rate),
        "--run-time",
        run_time,
        "--host",
        service.base_url,
        "--csv",
        str(service.out / prefix),
        "--html",
        str(service.out / f"{prefix}.html"),
        "--only-summary",
        "--stop-timeout",
        "5",
        "--loglevel",
        "WARNING",
        "--showtime-id",
        str(service.premiere.showtime_id),
        *extra,
    ]
    with (service.out / f"{prefix}.log").open("wb") as output:
        done = subprocess.run(
            args, cwd=REPO, env=service.env, stdout=output, stderr=subprocess.STDOUT, check=False
        )
    return done.returncode


def run_checker(service: Service, *, settle_s: float, name: str = "checker") -> int:
    """``seatcore check`` on the service's storage; its table goes to NAME.txt, its report to NAME.json."""
    args = [
        sys.executable,
        "-m",
        "seatcore",
        "check",
        "--settle-s",
        str(settle_s),
        "--json",
        str(service.out / f"{name}.json"),
    ]
    with (service.out / f"{name}.txt").open("wb") as output:
        done = subprocess.run(
            args, cwd=REPO, env=service.env, stdout=output, stderr=subprocess.STDOUT, check=False
        )
    return done.returncode


def read_stats(out: Path, prefix: str = "locust") -> list[StatsRow]:
    """Locust's PREFIX_stats.csv: one row per request name and event, and the Aggregated row."""
    with (out / f"{prefix}_stats.csv").open(newline="") as handle:
        return [
            StatsRow(
                kind=row["Type"],
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                median_ms=float(row["Median Response Time"] or 0),
                p95_ms=float(row["95%"] or 0) if row["95%"] != "N/A" else 0.0,
                p99_ms=float(row["99%"] or 0) if row["99%"] != "N/A" else 0.0,
                max_ms=float(row["Max Response Time"] or 0),
                per_s=float(row["Requests/s"] or 0),
            )
            for row in csv.DictReader(handle)
        ]


def stats_table(rows: Sequence[StatsRow]) -> str:
    header = f"{'type':<9} {'name':<34} " + " ".join(f"{title:>{width}}" for title, width in STATS_COLUMNS)
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.kind[:9]:<9} {row.name[:34]:<34} {row.requests:>8} {row.failures:>6} "
            f"{row.median_ms:>8.0f} {row.p95_ms:>8.0f} {row.p99_ms:>8.0f} {row.per_s:>8.1f}"
        )
    return "\n".join(lines)


def premiere_sales(service: Service) -> str:
    answer = httpx.get(f"{service.base_url}/api/v1/showtimes/{service.premiere.showtime_id}", timeout=10)
    if answer.status_code != 200:
        return f"premiere: {answer.status_code} {answer.text[:200]}"
    show = answer.json()
    return f"premiere {show['id']}: {show['seat_count']} seats, {show['free_seats']} free at the end"


# ------------------------------------------------------------------------------------ the command


def _premiere_size(text: str) -> tuple[int, int]:
    rows, sep, columns = text.partition("x")
    if not sep or not rows.isdigit() or not columns.isdigit() or int(rows) < 2 or int(columns) < 8:
        raise argparse.ArgumentTypeError("ROWSxCOLUMNS, at least 2x8 (for example 20x44)")
    return int(rows), int(columns)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loadtests.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--users", type=int, default=200, help="simulated users (default 200)")
    parser.add_argument(
        "--spawn-rate", type=float, help="users started per second (default users/20, at least 10)"
    )
    parser.add_argument(
        "--time", dest="run_time", default="60s", help="locust run time: 30s, 5m, 1h (default 60s)"
    )
    parser.add_argument("--store", choices=("embedded", "mysql"), default="embedded")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the service (default 1)")
    parser.add_argument(
        "--premiere", type=_premiere_size, default=(20, 44), help="ROWSxCOLUMNS (default 20x44: 840 seats)"
    )
    parser.add_argument("--hold-ttl-s", type=int, default=30, help="hold time of the service (default 30)")
    parser.add_argument(
        "--settle-s", type=float, default=60.0, help="the checker waits this long for in-flight work"
    )
    parser.add_argument("--out", type=Path, help="results folder (default data/loadtests/SCENARIO-TIME)")
    parser.add_argument("--keep", action="store_true", help="keep the database and Redis data afterwards")
    parser.add_argument(
        "--mysql-url", default="mysql://root@127.0.0.1:3306", help="the MariaDB server (--store mysql)"
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379",
        help="the Redis server, no database number (--store mysql)",
    )
    room = parser.add_argument_group("the onsale scenario's waiting room")
    room.add_argument("--room-opens-in-s", type=float, default=15.0, help="opening, after the start (15)")
    room.add_argument("--room-per-minute", type=int, default=120, help="admissions a minute (0: off)")
    room.add_argument("--room-cap", type=int, default=40, help="fans shopping at once (0: off)")
    room.add_argument("--room-window-s", type=int, default=120, help="shopping window (120)")
    parser.epilog = (
        "Arguments after -- go to locust (and the scenarios' own options: see loadtests/README.md)."
    )
    return parser


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl+C, so the service is stopped and its storage removed."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    given = list(sys.argv[1:] if argv is None else argv)
    extra = given[given.index("--") + 1 :] if "--" in given else []
    args = build_parser().parse_args(given[: len(given) - len(extra) - (1 if "--" in given else 0)])
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out: Path = (args.out or REPO / "data" / "loadtests" / f"{args.scenario}-{stamp}").resolve()
    with local_service(
        out,
        store=args.store,
        workers=args.workers,
        premiere=args.premiere,
        hold_ttl_s=args.hold_ttl_s,
        keep=args.keep,
        mysql_url=args.mysql_url,
        redis_url=args.redis_url,
    ) as service:
        print(
            f"seatcore on {service.base_url} ({args.store}, {args.workers} worker(s)); premiere showtime "
            f"{service.premiere.showtime_id} with {service.premiere.seat_count} seats; results in {out}",
            flush=True,
        )
        print(f"locust: {args.scenario}, {args.users} users for {args.run_time} ...", flush=True)
        room: RoomLog | None = None
        with contextlib.ExitStack() as stack:
            if args.scenario == "onsale":
                plan = RoomPlan(args.room_opens_in_s, args.room_per_minute, args.room_cap, args.room_window_s)
                redis_url = service.env["SEATCORE_REDIS_URL"]
                room = stack.enter_context(watched_room(redis_url, service.premiere.showtime_id, plan))
            locust_exit = run_locust(
                service,
                args.scenario,
                users=args.users,
                run_time=args.run_time,
                spawn_rate=args.spawn_rate,
                extra=extra,
            )
            print(f"checker: up to {args.settle_s:.0f} s for in-flight orders ...", flush=True)
            checker_exit = run_checker(service, settle_s=args.settle_s)  # the room still open
        sales = premiere_sales(service)
    verdict = Verdict(
        locust_exit, checker_exit, read_stats(out) if (out / "locust_stats.csv").exists() else []
    )
    print()
    print(stats_table(verdict.rows))
    print()
    print(sales)
    if room is not None:
        print(room.summary())
    print()
    print((out / "checker.txt").read_text())
    print(f"report: {out / 'locust.html'}   CSV: {out}/locust_*.csv   logs: {out}/*.log")
    failures = sum(row.failures for row in verdict.rows if row.name == "Aggregated")
    print(
        f"locust exit {locust_exit} ({failures} failed requests), checker exit {checker_exit}: "
        + ("PASS" if verdict.ok else "FAIL")
    )
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
