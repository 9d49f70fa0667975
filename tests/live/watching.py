"""A seat-map client for tests: a real WebSocket that keeps a map by the protocol's rules.

It applies a snapshot, applies deltas in seq order, and on a gap or a resync close (4000)
reconnects with ``since``, exactly as the web page and the mini-program do. Every frame it receives
is checked against the protocol's JSON schema.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from seatcore.engine.service import SeatEngine
from seatcore.live.protocol import SCHEMAS

RESUMABLE = {1001, 1012, 4000, 4408}


_VALIDATORS = {kind: jsonschema.Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}


def check_frame(frame: dict[str, Any]) -> None:
    """The frame matches the schema of its type (docs/websocket.md)."""
    assert frame.get("type") in ("snapshot", "delta", "ping", "pong"), frame
    _VALIDATORS[frame["type"]].validate(frame)


async def receive_json(ws: ClientConnection, timeout_s: float = 5.0) -> dict[str, Any]:
    frame: dict[str, Any] = orjson.loads(await asyncio.wait_for(ws.recv(), timeout_s))
    check_frame(frame)
    return frame


async def eventually(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait until ``predicate()`` holds (for server-side effects a client cannot await)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "the server never got there"
        await asyncio.sleep(0.01)


async def converged(engine: SeatEngine, clients: list[MapClient], timeout_s: float = 5.0) -> bool:
    """Whether every client's map comes to equal a fresh snapshot of its showtime within ``timeout_s``."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        fresh = {c.showtime_id: await engine.snapshot(c.showtime_id, None) for c in clients}
        if all(
            (c.epoch, c.seq, c.states)
            == (fresh[c.showtime_id].epoch, fresh[c.showtime_id].seq, fresh[c.showtime_id].states)
            for c in clients
        ):
            return True
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)


async def close_code(ws: ClientConnection, timeout_s: float = 5.0) -> int | None:
    """Read until the server closes; the close code it sent."""
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(timeout_s):
            while True:
                await ws.recv()
    return ws.close_code


@dataclass
class MapClient:
    """Watches one showtime until stopped; ``states`` is its map at ``seq`` of ``epoch``."""

    ws_base: str
    showtime_id: int
    token: str | None = None
    seq: int | None = None
    epoch: str | None = None
    states: dict[str, str] = field(default_factory=dict)
    snapshots: int = 0
    deltas: int = 0
    replays: int = 0
    gaps: int = 0
    reconnects: int = 0
    closes: list[int | None] = field(default_factory=list)
    _ws: ClientConnection | None = None
    _task: asyncio.Task[None] | None = None
    _stopping: bool = False
    _behind: int | None = None
    _connected: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self) -> str:
        params = []
        if self.seq is not None:
            params.append(f"since={self.seq}")
            if self.epoch:
                params.append(f"epoch={self.epoch}")
        if self.token:
            params.append(f"token={self.token}")
        return f"{self.ws_base}/ws/showtimes/{self.showtime_id}" + ("?" + "&".join(params) if params else "")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._connected.wait(), 10)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                ws = await connect(self.url(), open_timeout=10)
            except OSError:
                if self._connected.is_set():  # the server went away: try again, as phones do
                    await asyncio.sleep(0.2)
                    continue
                raise
            self._ws = ws
            self._connected.set()
            with contextlib.suppress(ConnectionClosed):
                await self._read(ws)
            await ws.wait_closed()
            self._ws = None
            self.closes.append(ws.close_code)
            if self._stopping:
                return
            assert ws.close_code in RESUMABLE or ws.close_code in (1000, 1006), f"closed with {ws.close_code}"
            self.reconnects += 1

    async def _read(self, ws: ClientConnection) -> None:
        first = True
        self._behind = None
        async for raw in ws:
            frame = orjson.loads(raw)
            check_frame(frame)
            if frame["type"] == "snapshot":
                self.seq, self.epoch = frame["seq"], frame["epoch"]
                self.states = dict(frame["states"])
                self.snapshots += 1
            elif frame["type"] == "delta":
                assert self.seq is not None, "a delta before any snapshot"
                if frame["seq"] <= self.seq:
                    continue
                if frame["from_seq"] > self.seq + 1:
                    self.gaps += 1
                    await ws.close()  # a gap: come back with since
                    return
                for change in frame["changes"]:
                    self.states[change["seat"]] = change["state"]
                self.seq = frame["seq"]
                self.deltas += 1
                if first:
                    self.replays += 1
            elif frame["type"] == "ping" and self.seq is not None:
                # Deltas may be on their way when a ping is sent: behind it at the next ping means lost.
                if self._behind is not None and self.seq < self._behind:
                    self.gaps += 1
                    await ws.close()
                    return
                self._behind = frame["seq"] if frame["seq"] > self.seq else None
            first = False

    async def drop(self) -> None:
        """Cut the connection as a phone losing its network would; the client comes back with since."""
        if self._ws is not None:
            self._ws.transport.abort()

    async def stop(self) -> None:
        self._stopping = True
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, 5)
