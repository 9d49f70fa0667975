"""Run the real ``seatcore`` command as a subprocess on a free port, for tests that need a real server.

The server gets a clean environment (no ``SEATCORE_*`` from the caller, no config file) plus what
the test passes, writes its output to a log file that failures quote, and is stopped with SIGTERM
as a process manager would stop it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 40.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """``app`` (its lifespan already running) served over real HTTP on a free port: its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """The caller's environment without seatcore's variables, plus ``values``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SEATCORE_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    env["SEATCORE_CONFIG"] = str(tmp_path / "no-config-file.toml")
    env.update(values)
    return env


def run_command(args: Sequence[str], *, cwd: Path, env: dict[str, str]) -> str:
    """Run ``seatcore ARGS`` to completion; returns its output, fails the test on a non-zero exit."""
    done = subprocess.run(
        [sys.executable, "-m", "seatcore", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=START_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"seatcore {' '.join(args)} exited {done.returncode}:\n{done.stdout}"
    return done.stdout


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    port: int
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, then the exit code once the process has finished."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise AssertionError(f"seatcore did not stop on SIGTERM:\n{self.output()}") from None


@contextlib.contextmanager
def running(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    scheme: str = "http",
    verify: Any = True,
) -> Iterator[Server]:
    """``seatcore ARGS --port FREE`` (ARGS ends with ``serve`` or ``demo`` and its options),
    yielded once ``/healthz`` answers; stopped on exit if the test has not stopped it."""
    port = free_port()
    log_path = cwd / f"seatcore-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "seatcore", *args, "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"{scheme}://127.0.0.1:{port}", port, log_path)
    try:
        _wait_healthy(server, verify)
        yield server
    finally:
        if process.poll() is None:
            server.stop()


def _wait_healthy(server: Server, verify: Any) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(verify=verify, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise AssertionError(
                    f"seatcore exited {server.process.returncode} before it served:\n{server.output()}"
                )
            try:
                if client.get(f"{server.base_url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise AssertionError(f"seatcore did not answer /healthz in {START_TIMEOUT_S} s:\n{server.output()}")


def redis_servers_in(data_dir: Path) -> list[int]:
    """Pids of redis-server processes working in ``data_dir`` (the embedded Redis chdirs there)."""
    wanted = data_dir.resolve()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "redis-server":
                continue
            if Path(os.readlink(entry / "cwd")) == wanted:
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def stop_strays(data_dir: Path) -> None:
    """Kill embedded Redis servers a failed test left behind in its own data folder."""
    for pid in redis_servers_in(data_dir):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
