"""The test app served by a real uvicorn on a free 127.0.0.1 port, in the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn

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
