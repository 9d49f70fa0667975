"""The loopback rehearsal of a premiere on the scaled-out layout, with one command:

    python -m loadtests.rehearsal                       # 3 processes, 60 s rushes
    python -m loadtests.rehearsal --users 300 --time 30s

On 127.0.0.1 only, it starts (each on free ports, in folders of its own under OUT):

1. a Redis Cluster of 3 masters with a replica each (throwaway redis-server processes);
2. a MariaDB primary and a replica (two mariadbd processes, data folders made by
   mariadb-install-db, the replica following the primary by GTID);
3. ``--processes`` seatcore processes (``redis+cluster://``, the primary, the replica for reports)
   behind nginx running config/nginx.conf.example (only its ports, certificate and log paths
   changed: a self-signed certificate, TLS on loopback);

then runs the premiere rush (loadtests/scenarios/rush.py, headless, stops by itself) through
nginx once for each process count of ``--curve`` (nginx proxying to that many; a fresh premiere
each time), then once more with every process, killing mid-rush the Redis master that owns the
premiere (its replica is promoted) and one seatcore process (SIGKILL). At the end ``seatcore
check`` and ``seatcore reconcile`` must be clean (no lost paid order, no seat sold twice) and the
MySQL replica must have caught up. It prints requests/s, p50 and p99 per process count and exits 0
only when the checks are clean. Everything it started is stopped, also on Ctrl+C or a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

from loadtests import _loopback as loop
from loadtests.premiere import Premiere, seed_premiere
from loadtests.run import (
    Service,
    _base_env,
    _premiere_size,
    _run,
    _wait_healthy,
    read_stats,
    run_checker,
    run_locust,
)
from seatcore import keys
from seatcore.settings import Settings
from tests.cluster.redis_cluster import LoopbackCluster, free_port, running_cluster

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Options:
    processes: int = 3
    curve: tuple[int, ...] = (1, 2, 3)
    users: int = 300
    run_time_s: int = 60
    premiere: tuple[int, int] = (16, 30)
    hold_ttl_s: int = 30
    settle_s: float = 90.0
    out: Path | None = None
    demo: bool = True  # seatcore seed-demo's catalogue and history beside the premieres


@dataclass
class Figures:
    """One rush's figures from locust's Aggregated row (all requests) and its holds."""

    processes: int
    requests: int
    failures: int
    per_s: float
    p50_ms: float
    p99_ms: float
    holds_per_s: float
    note: str = ""


@dataclass
class Outcome:
    figures: list[Figures] = field(default_factory=list)
    checker_exit: int = -1
    reconcile_exit: int = -1
    replica_caught_up: bool = False
    killed: list[str] = field(default_factory=list)
    out: Path = Path()

    @property
    def ok(self) -> bool:
        return self.checker_exit == 0 and self.reconcile_exit == 0 and self.replica_caught_up


# ------------------------------------------------------------------------------------ the servers


@dataclass
class Stage:
    """Everything the rehearsal started, and how to reach it."""

    out: Path
    cluster: LoopbackCluster
    mysql: loop.MariaDBPair
    env: dict[str, str]
    ports: list[int]
    services: list[subprocess.Popen[bytes]]
    nginx: loop.Nginx

    def service(self, premiere: Premiere) -> Service:
        return Service(self.nginx.url, self.env, premiere, self.out, self.services[0])

    def settings(self) -> Settings:
        return Settings(
            database_url=self.env["SEATCORE_DATABASE_URL"],
            redis_url=self.env["SEATCORE_REDIS_URL"],
            data_dir=Path(self.env["SEATCORE_DATA_DIR"]),
        )


@contextmanager
def staged(out: Path, options: Options) -> Iterator[Stage]:
    missing = loop.missing_binaries()
    if missing:
        raise SystemExit("the rehearsal cannot start:\n  " + "\n  ".join(missing))
    with ExitStack() as stack:
        print("starting: Redis Cluster (3 masters, 3 replicas) ...", flush=True)
        (out / "redis").mkdir()
        cluster = stack.enter_context(running_cluster(out / "redis", masters=3, replicas=1))
        print("starting: MariaDB primary and replica ...", flush=True)
        mysql = stack.enter_context(loop.mariadb_pair(out / "mysql", free_port))
        with mysql.connect(mysql.primary_port) as conn, conn.cursor() as cur:
            cur.execute("CREATE DATABASE seatcore CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        storage = {
            "SEATCORE_REDIS_URL": cluster.url,
            "SEATCORE_DATABASE_URL": mysql.url(mysql.primary_port, "seatcore"),
        }
        env = _base_env(out, storage, options.hold_ttl_s)
        env["SEATCORE_DATABASE_REPLICA_URL"] = mysql.url(mysql.replica_port, "seatcore")
        env["SEATCORE_TRUSTED_PROXIES"] = '["127.0.0.1"]'  # nginx, as the example's header says
        log = out / "server.log"
        for step in ("migrate", "seed-demo") if options.demo else ("migrate",):
            _run([sys.executable, "-m", "seatcore", step], env, log)
        ports = [free_port() for _ in range(options.processes)]
        print(f"starting: {options.processes} seatcore processes and nginx ...", flush=True)
        services = []
        for index, port in enumerate(ports):
            command = [sys.executable, "-m", "seatcore", "serve", "--port", str(port), "--workers", "1"]
            services.append(loop.start(command, out / f"server-{index + 1}.log", cwd=REPO, env=env))
            stack.callback(loop.stop, services[-1])
        for index, (port, process) in enumerate(zip(ports, services, strict=True)):
            _wait_healthy(f"http://127.0.0.1:{port}", process, out / f"server-{index + 1}.log")
        nginx = loop.Nginx(out / "nginx", free_port)
        stack.callback(nginx.stop)
        nginx.route_to(ports)
        yield Stage(out, cluster, mysql, env, ports, services, nginx)
        print("stopping everything ...", flush=True)


def fresh_premiere(stage: Stage, options: Options) -> Premiere:
    rows, columns = options.premiere
    return asyncio.run(seed_premiere(stage.settings(), rows=rows, columns=columns))


# ------------------------------------------------------------------------------------ the rushes


def rush(stage: Stage, options: Options, processes: int) -> Figures:
    """One rush through nginx, on a fresh premiere, with nginx proxying to ``processes`` of them."""
    stage.nginx.route_to(stage.ports[:processes])
    show = fresh_premiere(stage, options)
    prefix = f"rush-{processes}"
    run_locust(
        stage.service(show), "rush", users=options.users, run_time=f"{options.run_time_s}s", prefix=prefix
    )
    return rush_figures(stage.out, prefix, processes)


def failover_rush(stage: Stage, options: Options, outcome: Outcome) -> Figures:
    """The rush with every process, killing the premiere's Redis master (SIGKILL) at a third of it
    and one seatcore process (SIGKILL) at half of it."""
    stage.nginx.route_to(stage.ports)
    show = fresh_premiere(stage, options)
    service = stage.service(show)
    locust = threading.Thread(
        target=run_locust,
        args=(service, "rush"),
        kwargs={"users": options.users, "run_time": f"{options.run_time_s}s", "prefix": "failover"},
    )
    started = time.monotonic()
    locust.start()
    try:
        time.sleep(options.run_time_s / 3)
        victim = master_of(stage.cluster, keys.show_epoch(show.showtime_id))
        stage.cluster.kill(victim)
        outcome.killed.append(
            f"Redis master :{victim} (owner of the premiere) at {time.monotonic() - started:.0f} s"
        )
        time.sleep(max(0.0, started + options.run_time_s / 2 - time.monotonic()))
        loop.kill(stage.services[-1])
        outcome.killed.append(f"seatcore :{stage.ports[-1]} at {time.monotonic() - started:.0f} s")
        for line in outcome.killed:
            print(f"  killed {line}", flush=True)
    finally:
        locust.join()
    stage.cluster.wait_ok()
    figures = rush_figures(stage.out, "failover", len(stage.ports))
    figures.note = "with the kills"
    return figures


def master_of(cluster: LoopbackCluster, key: str) -> int:
    """The port of the master owning ``key``'s slot."""
    client = redis.cluster.RedisCluster(host="127.0.0.1", port=cluster.alive()[0])
    try:
        return int(client.get_node_from_key(key).port)  # type: ignore[no-untyped-call]
    finally:
        client.close()


def rush_figures(out: Path, prefix: str, processes: int) -> Figures:
    rows = read_stats(out, prefix)
    total = next(row for row in rows if row.name == "Aggregated")
    holds = next((row for row in rows if row.name == "POST /showtimes/[id]/holds"), None)
    return Figures(
        processes,
        total.requests,
        total.failures,
        total.per_s,
        total.median_ms,
        total.p99_ms,
        holds.per_s if holds else 0.0,
    )


# ------------------------------------------------------------------------------------ the verdict


def verify(stage: Stage, options: Options, outcome: Outcome) -> None:
    """The checker and the reconciliation on what the rushes left, and the MySQL replica's catch-up."""
    service = stage.service(Premiere(0, 0))
    print(f"checker: up to {options.settle_s:.0f} s for in-flight orders ...", flush=True)
    outcome.checker_exit = run_checker(service, settle_s=options.settle_s)
    with (stage.out / "reconcile.txt").open("wb") as output:
        outcome.reconcile_exit = subprocess.run(
            [sys.executable, "-m", "seatcore", "reconcile"],
            cwd=REPO,
            env=stage.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    outcome.replica_caught_up = stage.mysql.caught_up()


def rehearse(options: Options) -> Outcome:
    """Start everything, run the rushes and the checks, stop everything; the figures and verdicts."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = (options.out or REPO / "data" / "loadtests" / f"rehearsal-{stamp}").resolve()
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out}: the rehearsal wants a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    outcome = Outcome(out=out)
    with staged(out, options) as stage:
        for processes in options.curve:
            print(
                f"rush: {options.users} fans, {options.run_time_s} s, nginx to {processes} process(es) ...",
                flush=True,
            )
            outcome.figures.append(rush(stage, options, processes))
        print(
            f"rush: {options.users} fans, {options.run_time_s} s, {options.processes} processes, kills ...",
            flush=True,
        )
        outcome.figures.append(failover_rush(stage, options, outcome))
        verify(stage, options, outcome)
    return outcome


def report(outcome: Outcome) -> str:
    lines = [
        f"{'processes':>9} {'requests':>9} {'failed':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'holds/s':>8}",
    ]
    for f in outcome.figures:
        lines.append(
            f"{f.processes:>9} {f.requests:>9} {f.failures:>7} {f.per_s:>7.1f} {f.p50_ms:>7.0f} "
            f"{f.p99_ms:>7.0f} {f.holds_per_s:>8.1f}  {f.note}"
        )
    lines += ["", *(f"killed: {line}" for line in outcome.killed), ""]
    checker = (outcome.out / "checker.txt").read_text() if (outcome.out / "checker.txt").exists() else ""
    reconciled = (
        (outcome.out / "reconcile.txt").read_text() if (outcome.out / "reconcile.txt").exists() else ""
    )
    lines += [checker.rstrip(), "", "seatcore reconcile: " + (reconciled.strip().splitlines() or ["?"])[-1]]
    lines.append(f"MySQL replica caught up with the primary: {'yes' if outcome.replica_caught_up else 'NO'}")
    lines.append(
        f"checker exit {outcome.checker_exit}, reconcile exit {outcome.reconcile_exit}: "
        + ("PASS" if outcome.ok else "FAIL")
        + f"   (logs and locust reports: {outcome.out})"
    )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ the command


def _counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("process counts, comma-separated: 1,2,3") from None
    if any(count < 1 for count in counts):
        raise argparse.ArgumentTypeError("each process count is at least 1")
    return counts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.rehearsal", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--processes", type=int, default=3, help="seatcore processes behind nginx (default 3, at least 2)"
    )
    parser.add_argument(
        "--curve", type=_counts, default=(1, 2, 3), help="process counts to measure (default 1,2,3)"
    )
    parser.add_argument("--users", type=int, default=300, help="fans per rush (default 300)")
    parser.add_argument(
        "--time", dest="run_time_s", type=int, default=60, help="seconds per rush (default 60)"
    )
    parser.add_argument(
        "--premiere", type=_premiere_size, default=(16, 30), help="ROWSxCOLUMNS (default 16x30: 448 seats)"
    )
    parser.add_argument(
        "--settle-s", type=float, default=90.0, help="the checker waits this long for in-flight work"
    )
    parser.add_argument("--out", type=Path, help="results folder (default data/loadtests/rehearsal-TIME)")
    return parser


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl+C, so everything started is stopped."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = build_parser().parse_args(argv)
    if args.processes < 2 or any(count > args.processes for count in args.curve):
        raise SystemExit("--processes: at least 2 (one is killed), and no --curve count above it")
    options = Options(
        processes=args.processes,
        curve=args.curve,
        users=args.users,
        run_time_s=args.run_time_s,
        premiere=args.premiere,
        settle_s=args.settle_s,
        out=args.out,
    )
    outcome = rehearse(options)
    print()
    print(report(outcome))
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
