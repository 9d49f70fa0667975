"""The test app served by a real uvicorn on a free 127.0.0.1 port, in the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
import uvicorn

from seatcore.engine.loader import MySQLSeating
from seatcore.engine.service import SeatEngine


@dataclass
class LiveServer:
    app: Any
    base_url: str
    ws_base: str

    @property
    def engine(self) -> SeatEngine:
        engine: SeatEngine = self.app.state.runtime.extras["seats"]
        return engine

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime


def muted(server: LiveServer) -> SeatEngine:
    """An engine on the server's Redis and database that publishes where nobody listens: its
    changes reach the watchers only through the change log."""
    runtime = server.runtime
    return SeatEngine(runtime.redis, MySQLSeating(runtime.db), channel_prefix="sc:test:muted")


def change_message(showtime_id: int, seq: int, epoch: str, seats: list[str], state: str) -> bytes:
    """A seat-change publication as the engine's scripts write it."""
    changes: list[dict[str, Any]] = [
        {"seat": seat, "state": state, **({"hold_id": f"{showtime_id}-h{seq}"} if state == "held" else {})}
        for seat in seats
    ]
    return orjson.dumps({"showtime_id": showtime_id, "seq": seq, "epoch": epoch, "changes": changes})


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[LiveServer]:
    """Serve ``app`` (its lifespan already running) until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    task = asyncio.create_task(uv.serve(sockets=[sock]))
    while not uv.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}")
    finally:
        uv.should_exit = True
        await asyncio.wait_for(task, 30)
        sock.close()
