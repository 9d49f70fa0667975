"""Fan-out benchmark: how long a hold takes to reach every watcher of its showtime's seat map.

    python -m loadtests.bench_fanout [--watchers 1000 10000] [--holds 40] [--interval-s 0.25]

For each watcher count, on this machine only (127.0.0.1):

1. a real seatcore server (``uvicorn seatcore.app:create_app_from_env``, one worker) on a throwaway
   redis-server and a fresh MariaDB database with one 12x20 showtime;
2. the watchers: WebSockets on ``/ws/showtimes/{id}``, spread over ``--client-procs`` processes,
   each a minimal client (handshake, frame parsing, pong, a ping every 15 s as the pages send) so
   that the clients cost little of the CPU the server needs; every watcher must have its snapshot
   before the clock starts;
3. steady: ``--holds`` holds through the API, one every ``--interval-s`` (each released half an
   interval later), and for each the delay from the API's answer (and from the request) to its
   arrival at every watcher: p50, p99, max, and whether every watcher got every hold;
4. burst: 64 moviegoers holding and releasing as fast as the server answers for ``--burst-s``;
   frames/s the server wrote to sockets (its ``seatcore_live_frames_sent_total``) and the same
   latencies.

Targets: p99 under 100 ms with 1,000 watchers, under 1 s with 10,000. It raises its open-files
limit to the hard limit, gives up after ``--max-s``, and stops everything it started (and drops
its database) by itself.
Needs redis-server on the PATH and MariaDB at 127.0.0.1:3306 (root, no password; see --mysql-url).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from loadtests._infra import free_port, fresh_database, seed_catalogue, stop_process, throwaway_redis
from seatcore.domain.layout import grid_layout

SECRET = "bench-fanout-secret-0123456789abcdef"
ROWS, COLUMNS, AISLES = 12, 20, (4, 15)
USERS = 64
BURST_HOLD_S = 0.1  # how long a burst hold lives before its release
SETTLE_S = 2.0  # after a phase, for the last frames to arrive
TARGETS_MS = {1000: 100.0, 10000: 1000.0}  # p99 targets of the issue
PING_EVERY_S = 15.0  # the client heartbeat of the web page and the mini-program
CONNECT_WAVE = 250  # handshakes in flight at once per client process
HOLD_ID = re.compile(rb'"hold_id":"([^"]+)"')
ROOT = Path(__file__).resolve().parent.parent

# -- the watchers: a minimal WebSocket client, many per process -----------------------------------


class Watch(asyncio.Protocol):
    """One watcher: handshake, then record when each hold id first arrives; answer pings."""

    def __init__(
        self, path: str, port: int, arrivals: dict[bytes, list[float]], opened: asyncio.Future[None]
    ):
        self.path = path
        self.port = port
        self.arrivals = arrivals
        self.opened = opened
        self.buffer = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.frames = 0
        self.closed_with: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16))
        transport.write(
            b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
            % (self.path.encode(), self.port, key)
        )

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in self.buffer[: self.buffer.find(b"\r\n")]:
                self._fail(RuntimeError(bytes(self.buffer[:200]).decode(errors="replace")))
                return
            del self.buffer[: end + 4]
            self.upgraded = True
        while len(self.buffer) >= 2:
            opcode, length, start = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length, start = int.from_bytes(self.buffer[2:4], "big"), 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length, start = int.from_bytes(self.buffer[2:10], "big"), 10
            if len(self.buffer) < start + length:
                return
            payload = bytes(self.buffer[start : start + length])
            del self.buffer[: start + length]
            self._frame(opcode, payload, now)

    def _frame(self, opcode: int, payload: bytes, now: float) -> None:
        if opcode == 0x1:
            self.frames += 1
            if self.frames == 1:
                if not self.opened.done():
                    self.opened.set_result(None)
                return
            for hold_id in set(HOLD_ID.findall(payload)):
                self.arrivals.setdefault(hold_id, []).append(now)
        elif opcode == 0x9:  # protocol ping: answer with a pong
            self.send(0xA, payload)
        elif opcode == 0x8:
            self.closed_with = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self._fail(RuntimeError(f"closed by the server: {self.closed_with}"))

    def send(self, opcode: int, payload: bytes) -> None:
        """A client frame (short, masked as clients must)."""
        if not self.upgraded or self.transport is None or self.transport.is_closing():
            return
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or RuntimeError("connection lost"))

    def _fail(self, exc: BaseException) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc)


async def _watchers(pipe: Connection, port: int, path: str, count: int) -> None:
    """Open ``count`` watchers, report, then answer "collect" commands until "stop"."""
    loop = asyncio.get_running_loop()
    arrivals: dict[bytes, list[float]] = {}
    watches: list[Watch] = []
    gate = asyncio.Semaphore(CONNECT_WAVE)

    async def open_one() -> None:
        async with gate:
            opened: asyncio.Future[None] = loop.create_future()
            _, watch = await loop.create_connection(
                lambda: Watch(path, port, arrivals, opened), "127.0.0.1", port
            )
            watches.append(watch)
            await asyncio.wait_for(opened, 120)

    async def keep_alive() -> None:
        """Every watcher pings every PING_EVERY_S, spread over the interval, as the pages do."""
        while True:
            await asyncio.sleep(1)
            for watch in list(watches):
                watch.send(0x1, b'{"type":"ping"}')
                await asyncio.sleep(PING_EVERY_S / len(watches))

    pinger = asyncio.create_task(keep_alive())
    await asyncio.gather(*(open_one() for _ in range(count)))
    pipe.send(("open", len(watches)))
    while True:
        command, holds = await loop.run_in_executor(None, pipe.recv)
        if command == "stop":
            break
        # holds: {hold id: (when requested, when answered)}, monotonic seconds
        from_answer: list[float] = []
        from_request: list[float] = []
        missing = 0
        for hold_id, (asked, answered) in holds.items():
            times = arrivals.get(hold_id.encode(), [])
            missing += count - len(times)
            from_answer += [t - answered for t in times]
            from_request += [t - asked for t in times]
        closed = sum(1 for watch in watches if watch.closed_with is not None)
        pipe.send(("delays", from_answer, from_request, missing, closed))
    pinger.cancel()
    for watch in watches:
        if watch.transport is not None:
            watch.transport.abort()


def watcher_process(pipe: Connection, port: int, path: str, count: int) -> None:
    raise_open_files_limit()
    parent = os.getppid()

    def orphaned() -> None:
        """Never outlive the benchmark, however it ended."""
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=orphaned, daemon=True).start()
    asyncio.run(_watchers(pipe, port, path, count))


# -- the moviegoers making holds ------------------------------------------------------------------


Holds = dict[str, tuple[float, float]]  # hold id -> (when requested, when answered), monotonic


async def steady(
    http: httpx.AsyncClient, showtime_id: int, tokens: list[str], count: int, interval_s: float
) -> Holds:
    """One hold every interval, released half an interval later (two frames per interval, each
    alone in its coalescing window)."""
    holds: Holds = {}
    for index in range(count):
        token = tokens[index % len(tokens)]
        started = time.monotonic()
        hold_id = await hold(http, showtime_id, token, holds)
        await asyncio.sleep(max(0.0, interval_s / 2 - (time.monotonic() - started)))
        if hold_id:
            await release(http, hold_id, token)
        await asyncio.sleep(max(0.0, interval_s - (time.monotonic() - started)))
    return holds


async def burst(http: httpx.AsyncClient, showtime_id: int, tokens: list[str], seconds: float) -> Holds:
    """Every moviegoer at once: hold, keep it a moment (longer than the coalescing window, so the
    hold travels in a frame of its own before its release), release, again, for ``seconds``."""
    holds: Holds = {}
    deadline = time.monotonic() + seconds

    async def moviegoer(token: str) -> None:
        while time.monotonic() < deadline:
            hold_id = await hold(http, showtime_id, token, holds)
            await asyncio.sleep(BURST_HOLD_S)
            if hold_id:
                await release(http, hold_id, token)

    await asyncio.gather(*(moviegoer(token) for token in tokens))
    return holds


async def hold(http: httpx.AsyncClient, showtime_id: int, token: str, holds: Holds) -> str:
    asked = time.monotonic()
    answer = await http.post(
        f"/api/v1/showtimes/{showtime_id}/holds",
        json={"best": 2},
        headers={"Authorization": f"Bearer {token}"},
    )
    answered = time.monotonic()
    if answer.status_code != 201:
        return ""
    hold_id: str = answer.json()["id"]
    holds[hold_id] = (asked, answered)
    return hold_id


async def release(http: httpx.AsyncClient, hold_id: str, token: str) -> None:
    answer = await http.delete(f"/api/v1/holds/{hold_id}", headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()


async def frames_sent(http: httpx.AsyncClient) -> float:
    text = (await http.get("/metrics")).text
    match = re.search(r"^seatcore_live_frames_sent_total (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


# -- one run: a server, its watchers, the figures ---------------------------------------------------


@dataclass
class Figures:
    phase: str
    watchers: int
    holds: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    p99_from_request_ms: float
    missing: int  # (hold, watcher) pairs that never arrived
    closed: int  # watchers the server closed
    frames_per_s: float  # frames the server wrote to sockets


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000 if ordered else float("nan")


async def run_size(
    port: int, showtime_id: int, tokens: list[str], watchers: int, args: argparse.Namespace
) -> list[Figures]:
    procs = max(1, min(args.client_procs, -(-watchers // 1000)))
    context = multiprocessing.get_context("spawn")
    loop = asyncio.get_running_loop()
    path = f"/ws/showtimes/{showtime_id}"
    pipes: list[Connection] = []
    processes = []
    began = time.monotonic()
    for index in range(procs):
        count = watchers // procs + (1 if index < watchers % procs else 0)
        parent, child = context.Pipe()
        process = context.Process(target=watcher_process, args=(child, port, path, count), daemon=True)
        process.start()
        pipes.append(parent)
        processes.append(process)

    async def ask_all(message: Any) -> list[Any]:
        for pipe in pipes:
            pipe.send(message)
        return list(await asyncio.gather(*(loop.run_in_executor(None, pipe.recv) for pipe in pipes)))

    out = []
    try:
        opened = await asyncio.gather(*(loop.run_in_executor(None, pipe.recv) for pipe in pipes))
        assert sum(reply[1] for reply in opened) == watchers
        print(f"  {watchers} watchers connected in {time.monotonic() - began:.1f} s", flush=True)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for phase in ("steady", "burst"):
                before, started = await frames_sent(http), time.monotonic()
                if phase == "steady":
                    holds = await steady(http, showtime_id, tokens, args.holds, args.interval_s)
                else:
                    holds = await burst(http, showtime_id, tokens, args.burst_s)
                seconds = time.monotonic() - started
                await asyncio.sleep(SETTLE_S)  # the last frames on their way
                sent = await frames_sent(http) - before
                replies = await ask_all(("collect", holds))
                from_answer = [d for reply in replies for d in reply[1]]
                from_request = [d for reply in replies for d in reply[2]]
                out.append(
                    Figures(
                        phase,
                        watchers,
                        len(holds),
                        percentile(from_answer, 0.50),
                        percentile(from_answer, 0.99),
                        percentile(from_answer, 1.0),
                        percentile(from_request, 0.99),
                        sum(reply[3] for reply in replies),
                        max(reply[4] for reply in replies),
                        sent / seconds,
                    )
                )
        for pipe in pipes:
            pipe.send(("stop", {}))
    finally:
        for process in processes:
            process.join(timeout=10 if len(out) == 2 else 0)
            if process.is_alive():
                process.kill()
    return out


# -- what the benchmark starts ---------------------------------------------------------------------


def raise_open_files_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


@contextlib.contextmanager
def bench_database(server_url: str) -> Iterator[tuple[str, int, list[str]]]:
    """A fresh MariaDB database with one showtime and the moviegoers' accounts; dropped afterwards.
    Yields its URL, the showtime id and bearer tokens."""
    with fresh_database(server_url, "bench_fanout") as url:
        yield url, *_seed(url)


def _seed(url: str) -> tuple[int, list[str]]:
    layout = grid_layout(ROWS, COLUMNS, aisles=AISLES)
    made = seed_catalogue(url, layout, showtimes=1, users=USERS, secret=SECRET, prefix="fan")
    return made.showtime_ids[0], made.tokens


@contextlib.asynccontextmanager
async def seatcore_server(database_url: str, redis_url: str, folder: Path) -> AsyncIterator[int]:
    """The real app under uvicorn, one worker, no per-address socket cap (every watcher is 127.0.0.1)."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SEATCORE_CONFIG": str(folder / "none.toml"),
        "SEATCORE_DATABASE_URL": database_url,
        "SEATCORE_REDIS_URL": redis_url,
        "SEATCORE_SECRET_KEY": SECRET,
        "SEATCORE_DATA_DIR": str(folder / "data"),
        "SEATCORE_LOG_LEVEL": "WARNING",
        "SEATCORE_HOLD_RATE_PER_MINUTE": "1000000",
        "SEATCORE_LIVE_MAX_SOCKETS_PER_IP": "0",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "seatcore.app:create_app_from_env"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    command += ["--backlog", "4096"]
    process = subprocess.Popen(command, env=env, cwd=folder)  # noqa: ASYNC220 (started once, not awaited)
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            for _ in range(600):
                if process.poll() is not None:
                    raise RuntimeError("the seatcore server exited while starting")
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the seatcore server did not start")
        yield port
    finally:
        stop_process(process)


async def bench(args: argparse.Namespace) -> list[Figures]:
    limit = raise_open_files_limit()
    needed = max(args.watchers) + 500  # the server holds every socket; each process has its own limit
    if limit < needed:
        sys.exit(
            f"bench_fanout needs {needed} open files for {max(args.watchers)} watchers (hard limit {limit})"
        )
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        folder = Path(tmp)
        with (
            throwaway_redis(folder) as redis_url,
            bench_database(args.mysql_url) as (database_url, showtime_id, tokens),
        ):
            for watchers in args.watchers:
                print(f"{watchers} watchers:", flush=True)
                async with seatcore_server(database_url, redis_url, folder) as port:
                    results += await run_size(port, showtime_id, tokens, watchers, args)
    return results


def report(results: list[Figures]) -> str:
    head = f"{'watchers':>8} {'phase':>6} {'holds':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
    head += f"{'p99 req':>8} {'missing':>7} {'closed':>6} {'frames/s':>9}"
    lines = [head]
    for f in results:
        lines.append(
            f"{f.watchers:>8} {f.phase:>6} {f.holds:>6} {f.p50_ms:>8.1f} {f.p99_ms:>8.1f} {f.max_ms:>8.1f} "
            f"{f.p99_from_request_ms:>8.1f} {f.missing:>7} {f.closed:>6} {f.frames_per_s:>9.0f}"
        )
    lines.append(
        "p50/p99/max: from the hold's API answer to its arrival at each watcher; p99 req: from the request."
    )
    for f in results:
        if f.phase == "steady" and f.watchers in TARGETS_MS:
            verdict = "met" if f.p99_ms < TARGETS_MS[f.watchers] else "MISSED"
            lines.append(f"target p99 < {TARGETS_MS[f.watchers]:.0f} ms at {f.watchers} watchers: {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--watchers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--holds", type=int, default=40, help="holds in the steady phase")
    parser.add_argument("--interval-s", type=float, default=0.25, help="between steady holds")
    parser.add_argument("--burst-s", type=float, default=5.0)
    parser.add_argument("--client-procs", type=int, default=4, help="processes sharing the watchers")
    parser.add_argument("--mysql-url", default="mysql://root@127.0.0.1:3306/")
    parser.add_argument("--max-s", type=float, default=900, help="give up after this long")
    args = parser.parse_args()
    print(report(asyncio.run(asyncio.wait_for(bench(args), args.max_s))))


if __name__ == "__main__":
    main()
