"""Hold path benchmark: our hold API against its ceiling and against the design it replaces.

    python -m loadtests.bench_holds [--seconds 10] [--clients 64] [--showtimes 50] [--rounds 1]

Arms, one after the other, each a real uvicorn server (one worker) on a free 127.0.0.1 port,
driven by the same closed-loop clients (each holds 1-4 seats in one of the showtimes, then
releases them, and again):

1. seatcore: the real app (seat engine, sign-in tokens, rate limit, per-user cap, sweeper, live
   fan-out) on a throwaway redis-server and its own MariaDB database;
2. ceiling: a bare Starlette endpoint that only runs one trivial Lua script per request, with
   Python's default garbage collector and again with it tuned as seatcore's process tunes it;
3. MySQL: the naive design, ``SELECT ... FOR UPDATE`` on a table of seats in a transaction, in
   seatcore's own stack (sign-in, middleware) so that only the hold design differs;
4. seatcore's stack with a trivial Lua call as its hold: what the seat engine itself costs;

and then a premiere rush: seatcore and MySQL again with every client on one showtime, where most
holds are refused and the row locks queue.

It prints holds/s (every answered hold, granted or refused) with p50/p99 hold latency and the
server's CPU per hold and release, and the two ratios of the issue (targets: at least 0.7 of the
ceiling, at least 1.5x MySQL, over the spread-out mix). Everything it starts it stops, and it
drops its database.
Needs redis-server on the PATH and MariaDB at 127.0.0.1:3306 (root, no password; see --mysql-url).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiomysql
import orjson
import redis.asyncio as aioredis
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loadtests._infra import free_port, fresh_database, seed_catalogue, stop_process, throwaway_redis
from seatcore.api._http import Endpoints
from seatcore.auth.principal import Principal
from seatcore.db.engine import create_sync_engine
from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.errors import SeatError
from seatcore.redis_client import connect

SECRET = "bench-secret-0123456789abcdef-0123456789"
ROWS, COLUMNS, AISLES = 12, 20, (4, 15)  # blocks of 4 | 10 | 4 seats
SEAT_COUNT_WEIGHTS = {1: 20, 2: 45, 3: 20, 4: 15}  # couples dominate, as at the box office
ROOT = Path(__file__).resolve().parent.parent  # so that uvicorn finds loadtests.bench_holds
OURS = "seatcore hold API"
CEILING = "ceiling: bare Starlette + 1 Lua"
CEILING_TUNED = "ceiling, collector tuned"
MYSQL = "seatcore stack, MySQL FOR UPDATE"
STACK = "seatcore stack, 1 trivial Lua"
OURS_RUSH = "rush: seatcore hold API"
MYSQL_RUSH = "rush: seatcore stack, MySQL"

# -- what the clients ask for -----------------------------------------------------------------


def hall_blocks() -> list[list[str]]:
    layout = parse_layout(grid_layout(ROWS, COLUMNS, aisles=AISLES))
    return [[seat.id for seat in block] for block in layout.blocks()]


def choose(rng: random.Random, blocks: list[list[str]], showtimes: list[int]) -> tuple[int, list[str]]:
    """A showtime and 1-4 adjacent seats at one end of a block: never a stranded seat by itself
    (the choice is refused only when other holds are in the way, as in real life)."""
    count = rng.choices(list(SEAT_COUNT_WEIGHTS), weights=list(SEAT_COUNT_WEIGHTS.values()))[0]
    block = rng.choice([b for b in blocks if len(b) - count != 1])
    seats = block[:count] if rng.random() < 0.5 else block[len(block) - count :]
    return rng.choice(showtimes), seats


# -- a small HTTP/1.1 keep-alive client: cheap, so the servers are what is measured ---------------


class Connection:
    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.headers = b"Host: 127.0.0.1\r\n"
        if token is not None:
            self.headers += f"Authorization: Bearer {token}\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = f"{method} {path} HTTP/1.1\r\n".encode() + self.headers
        if body:
            head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        self.writer.write(head + b"\r\n" + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) != b"\r\n":
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length) if length else b""

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Tally:
    latencies_s: list[float] = field(default_factory=list)
    granted: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


async def drive(
    port: int, tokens: list[str], showtimes: list[int], seconds: float, server_pid: int, warmup_s: float
) -> tuple[Tally, float, float]:
    """Run one closed-loop client per token for warmup_s + seconds; measure the last ``seconds``.

    Returns the tally, the measured seconds and the server's CPU seconds in them."""
    blocks = hall_blocks()
    tally = Tally()
    measuring = asyncio.Event()
    stop = asyncio.Event()

    async def client(index: int, token: str) -> None:
        rng = random.Random(index)
        conn = Connection(port, token)
        try:
            while not stop.is_set():
                showtime_id, seats = choose(rng, blocks, showtimes)
                body = orjson.dumps({"seats": seats})
                started = time.perf_counter()
                status, answer = await conn.request("POST", f"/api/v1/showtimes/{showtime_id}/holds", body)
                if measuring.is_set() and not stop.is_set():
                    tally.latencies_s.append(time.perf_counter() - started)
                    tally.statuses[status] = tally.statuses.get(status, 0) + 1
                    tally.granted += status == 201
                if status == 201:
                    hold_id = orjson.loads(answer)["id"]
                    await conn.request("DELETE", f"/api/v1/holds/{hold_id}")
        finally:
            conn.close()

    tasks = [asyncio.create_task(client(i, token)) for i, token in enumerate(tokens)]
    await asyncio.sleep(warmup_s)
    measuring.set()
    started, cpu_before = time.perf_counter(), cpu_seconds(server_pid)
    await asyncio.sleep(seconds)
    stop.set()
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(server_pid) - cpu_before
    await asyncio.gather(*tasks)
    return tally, elapsed, cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc); 0 where that is not available."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the other arms: the ceiling, and seatcore's own stack with other hold designs ----------------

TRIVIAL_LUA = "return redis.call('INCR', KEYS[1])"


class TrivialLua:
    """One trivial Lua call on a showtime's key: the least a hold could cost in Redis."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self.sha = ""

    async def __call__(self, showtime: int | str) -> None:
        if not self.sha:
            self.sha = await self.redis.script_load(TRIVIAL_LUA)
        await self.redis.evalsha(self.sha, 1, f"bench:{{show:{showtime}}}:n")


def ceiling_app() -> Starlette:
    """A bare Starlette endpoint per call, each running one trivial Lua script: our ceiling. Its
    Redis client is seatcore's own (seatcore.redis_client: C packing, the lean waiting pool), the
    cheapest one we have. With BENCH_TUNE_GC=1 its process also tunes the garbage collector as
    seatcore's does (seatcore.live.tune_collector): the strict ceiling, which differs from
    seatcore only above the process."""
    from seatcore.live import tune_collector

    trivial = TrivialLua(connect(os.environ["BENCH_REDIS_URL"], max_connections=200, wait_s=5.0))
    if os.environ.get("BENCH_TUNE_GC") == "1":
        tune_collector()

    async def hold(request: Request) -> Response:
        orjson.loads(await request.body())
        showtime = request.path_params["id"]
        await trivial(showtime)
        return JSONResponse({"id": f"{showtime}-{secrets.token_hex(8)}"}, status_code=201)

    async def release(request: Request) -> Response:
        await trivial(request.path_params["hold_id"].partition("-")[0])
        return Response(status_code=204)

    async def healthz(request: Request) -> Response:
        return Response("ok")

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/api/v1/showtimes/{id:int}/holds", hold, methods=["POST"]),
            Route("/api/v1/holds/{hold_id}", release, methods=["DELETE"]),
        ]
    )


def _seatcore_with(holds: Endpoints) -> Starlette:
    """The whole seatcore service (middleware, sign-in, background services) with ``holds``
    answering the hold and release paths in place of the seat engine's endpoints."""
    from seatcore.api import ENDPOINT_GROUPS
    from seatcore.app import create_app_from_env

    ENDPOINT_GROUPS.insert(0, holds)
    return create_app_from_env()


def stack_trivial_app() -> Starlette:
    """seatcore's stack, each hold and release only one trivial Lua call: the stack's own cost."""
    from seatcore.api.seats import HoldBody

    holds = Endpoints("bench")
    trivial: list[TrivialLua] = []

    def lua(request: Request) -> TrivialLua:
        if not trivial:
            trivial.append(TrivialLua(request.app.state.runtime.redis))
        return trivial[0]

    @holds.post("/api/v1/showtimes/{id:int}/holds", "hold", auth="user", body=HoldBody, status=201)
    async def hold(request: Request, principal: Principal, body: HoldBody) -> dict[str, str]:
        showtime = request.path_params["id"]
        await lua(request)(showtime)
        return {"id": f"{showtime}-{secrets.token_hex(8)}"}

    @holds.delete("/api/v1/holds/{hold_id}", "release", auth="user", status=204)
    async def release(request: Request, principal: Principal) -> Response:
        await lua(request)(request.path_params["hold_id"].partition("-")[0])
        return Response(status_code=204)

    return _seatcore_with(holds)


def mysql_app() -> Starlette:
    """The design seatcore replaces, in seatcore's own stack: holds as rows of a seat table,
    locked with SELECT ... FOR UPDATE in a transaction, checked, updated and committed."""
    from seatcore.api.seats import HoldBody

    url = make_url(os.environ["BENCH_MYSQL_URL"])
    pools: list[aiomysql.Pool] = []
    holds = Endpoints("bench")

    async def pool() -> aiomysql.Pool:
        if not pools:
            pools.append(
                await aiomysql.create_pool(
                    host=url.host,
                    port=url.port or 3306,
                    user=url.username,
                    password=url.password or "",
                    db=url.database,
                    minsize=1,
                    maxsize=16,
                    autocommit=False,
                )
            )
        return pools[0]

    @holds.post("/api/v1/showtimes/{id:int}/holds", "hold", auth="user", body=HoldBody, status=201)
    async def hold(request: Request, principal: Principal, body: HoldBody) -> Any:
        seats = body.seats or []
        showtime = int(request.path_params["id"])
        hold_id = f"{showtime}-{secrets.token_hex(8)}"
        marks = ", ".join(["%s"] * len(seats))
        async with (await pool()).acquire() as conn, conn.cursor() as cur:
            try:
                await cur.execute(
                    f"SELECT seat_id, state FROM bench_seats WHERE showtime_id = %s AND seat_id IN ({marks}) "
                    "FOR UPDATE",
                    [showtime, *seats],
                )
                rows = await cur.fetchall()
                if len(rows) != len(seats) or any(state != "free" for _, state in rows):
                    await conn.rollback()
                    raise SeatError("taken", code="seat_unavailable")
                await cur.execute(
                    "UPDATE bench_seats SET state = 'held', hold_id = %s, user_id = %s "
                    f"WHERE showtime_id = %s AND seat_id IN ({marks})",
                    [hold_id, principal.id, showtime, *seats],
                )
                await conn.commit()
            except aiomysql.OperationalError:  # a deadlock or lock wait timeout: the hold fails
                await conn.rollback()
                raise SeatError("taken", code="seat_unavailable") from None
        return {"id": hold_id, "seats": seats}

    @holds.delete("/api/v1/holds/{hold_id}", "release", auth="user", status=204)
    async def release(request: Request, principal: Principal) -> Response:
        hold_id = request.path_params["hold_id"]
        async with (await pool()).acquire() as conn, conn.cursor() as cur:
            await cur.execute(
                "UPDATE bench_seats SET state = 'free', hold_id = NULL, user_id = NULL "
                "WHERE showtime_id = %s AND hold_id = %s AND user_id = %s",
                [int(hold_id.partition("-")[0]), hold_id, principal.id],
            )
            await conn.commit()
        return Response(status_code=204)

    return _seatcore_with(holds)


# -- setting up and tearing down ----------------------------------------------------------------


@contextlib.contextmanager
def bench_database(
    server_url: str, showtime_count: int, client_count: int
) -> Iterator[tuple[str, list[int], list[str]]]:
    """A fresh MariaDB database with the schema, 50 showtimes, the clients' accounts and the naive
    design's seat table; dropped afterwards. Yields its URL, the showtime ids and bearer tokens."""
    with fresh_database(server_url, "bench_holds") as url:
        showtime_ids, tokens = _seed(url, showtime_count, client_count)
        yield url, showtime_ids, tokens


def _seed(url: str, showtime_count: int, client_count: int) -> tuple[list[int], list[str]]:
    """The showtimes and moviegoers, and the naive design's table of seats (all free)."""
    layout = grid_layout(ROWS, COLUMNS, aisles=AISLES)
    made = seed_catalogue(
        url, layout, showtimes=showtime_count, users=client_count, secret=SECRET, prefix="bench"
    )
    seat_ids = list(parse_layout(layout).seats)
    engine = create_sync_engine(make_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE bench_seats (showtime_id BIGINT NOT NULL, seat_id VARCHAR(32) NOT NULL, "
            "state VARCHAR(8) NOT NULL, hold_id VARCHAR(64) NULL, user_id BIGINT NULL, "
            "PRIMARY KEY (showtime_id, seat_id), "
            "KEY ix_hold (showtime_id, hold_id)) ENGINE=InnoDB"
        )
        rows = [{"s": s, "seat": seat} for s in made.showtime_ids for seat in seat_ids]
        conn.exec_driver_sql("INSERT INTO bench_seats VALUES (%(s)s, %(seat)s, 'free', NULL, NULL)", rows)
    engine.dispose()
    return made.showtime_ids, made.tokens


def start_uvicorn(target: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """uvicorn with one worker, its output in ``log`` (shown when an arm fails)."""
    command = [sys.executable, "-m", "uvicorn", "--factory", target, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"]
    with log.open("ab") as output:
        return subprocess.Popen(
            command,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            cwd=log.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


@contextlib.asynccontextmanager
async def server(target: str, env: dict[str, str], folder: Path) -> AsyncIterator[tuple[int, int]]:
    """uvicorn serving ``target`` (a factory) with one worker on a free port; yields the port and
    the process id, and stops it on exit."""
    port = free_port()
    log = folder / "server.log"
    process = start_uvicorn(target, port, env, log)
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"{target} exited while starting")
            with contextlib.suppress(OSError, IndexError, ValueError):
                status, _ = await Connection(port).request("GET", "/healthz")
                if status == 200:
                    break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"{target} did not start")
        yield port, process.pid
    except Exception:
        print(f"{target} failed; the end of its log:\n{log.read_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        stop_process(process)


@dataclass
class Result:
    arm: str
    holds_per_s: float
    p50_ms: float
    p99_ms: float
    granted_pct: float
    cpu_us_per_hold: float  # the server's CPU per hold-and-release cycle


async def run_arm(
    arm: str,
    target: str,
    env: dict[str, str],
    folder: Path,
    tokens: list[str],
    showtime_ids: list[int],
    seconds: float,
    warmup_s: float,
) -> Result:
    async with server(target, env, folder) as (port, pid):
        tally, elapsed, cpu = await drive(port, tokens, showtime_ids, seconds, pid, warmup_s)
        unexpected = {s: n for s, n in tally.statuses.items() if s not in (201, 409)}
        if unexpected:
            raise RuntimeError(f"{arm}: unexpected answers {unexpected}")
    holds = len(tally.latencies_s)
    cuts = statistics.quantiles(tally.latencies_s, n=100)
    return Result(
        arm,
        holds / elapsed,
        cuts[49] * 1000,
        cuts[98] * 1000,
        100 * tally.granted / max(holds, 1),
        cpu / max(holds, 1) * 1e6,
    )


async def main_async(args: argparse.Namespace) -> list[Result]:
    """Every arm ``args.rounds`` times, interleaved; for each arm, its best round."""
    results: dict[str, Result] = {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-holds-") as tmp,
        throwaway_redis(Path(tmp)) as redis_url,
        bench_database(args.mysql_url, args.showtimes, args.clients) as (db_url, showtime_ids, tokens),
    ):
        folder = Path(tmp)
        flush = aioredis.Redis.from_url(redis_url)
        seatcore_env = {
            "SEATCORE_CONFIG": str(folder / "none.toml"),
            "SEATCORE_DATABASE_URL": db_url,
            "SEATCORE_REDIS_URL": redis_url,
            "SEATCORE_SECRET_KEY": SECRET,
            "SEATCORE_DATA_DIR": str(folder / "data"),
            "SEATCORE_LOG_LEVEL": "WARNING",
            "SEATCORE_HOLD_RATE_PER_MINUTE": str(10**9),  # still checked on every hold, never hit
        }
        stack_env = {**seatcore_env, "BENCH_MYSQL_URL": db_url}
        ours, mysql = "seatcore.app:create_app_from_env", "loadtests.bench_holds:mysql_app"
        ceiling = "loadtests.bench_holds:ceiling_app"
        premiere = showtime_ids[:1]
        arms = [
            (OURS, ours, seatcore_env, showtime_ids),
            (CEILING, ceiling, {"BENCH_REDIS_URL": redis_url}, showtime_ids),
            (CEILING_TUNED, ceiling, {"BENCH_REDIS_URL": redis_url, "BENCH_TUNE_GC": "1"}, showtime_ids),
            (MYSQL, mysql, stack_env, showtime_ids),
            (STACK, "loadtests.bench_holds:stack_trivial_app", stack_env, showtime_ids),
            (OURS_RUSH, ours, seatcore_env, premiere),
            (MYSQL_RUSH, mysql, stack_env, premiere),
        ]
        for round_number in range(1, args.rounds + 1):
            for arm, target, env, showtimes in arms:
                await flush.flushall()  # our own throwaway server
                print(f"round {round_number}: {arm} for {args.seconds:g} s ...", flush=True)
                result = await run_arm(arm, target, env, folder, tokens, showtimes, args.seconds, args.warmup)
                if arm not in results or result.holds_per_s > results[arm].holds_per_s:
                    results[arm] = result
        await flush.aclose()
    return [results[arm[0]] for arm in arms]


def report(results: list[Result], clients: int, showtimes: int) -> str:
    ours, ceiling, tuned, mysql, stack, ours_rush, mysql_rush = results
    lines = [
        f"hold then release, {clients} concurrent clients, 1-4 seats over {showtimes} showtimes "
        "(rush: all on one), one uvicorn worker per arm",
        f"{'arm':<34} {'holds/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'granted':>8} {'server CPU/hold':>16}",
    ]
    for r in results:
        lines.append(
            f"{r.arm:<34} {r.holds_per_s:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.granted_pct:>7.1f}%"
            f" {r.cpu_us_per_hold:>13.0f} us"
        )
    lines.append(f"seatcore / ceiling: {ours.holds_per_s / ceiling.holds_per_s:.2f} (target >= 0.7)")
    strict = ours.holds_per_s / tuned.holds_per_s
    lines.append(f"seatcore / ceiling, collector tuned: {strict:.2f} (the strict reading of the same target)")
    lines.append(f"seatcore / MySQL:   {ours.holds_per_s / mysql.holds_per_s:.2f} (target >= 1.5)")
    lines.append(
        f"seatcore / its own stack with a trivial Lua hold: {ours.holds_per_s / stack.holds_per_s:.2f} "
        "(what the seat engine itself costs)"
    )
    lines.append(f"rush, seatcore / MySQL: {ours_rush.holds_per_s / mysql_rush.holds_per_s:.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured time per arm (after a 2 s warm-up)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="run the arms this many times; keep each arm's best"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds each arm runs before measuring")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--showtimes", type=int, default=50)
    parser.add_argument("--mysql-url", default="mysql://root@127.0.0.1:3306/", help="a MariaDB/MySQL server")
    args = parser.parse_args()
    try:
        import uvloop

        results = uvloop.run(main_async(args))
    except ImportError:
        results = asyncio.run(main_async(args))
    print(report(results, args.clients, args.showtimes))


if __name__ == "__main__":
    main()
