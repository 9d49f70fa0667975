"""This process's waiting-room sockets, and the tick that moves their lines and tells them.

Each tick (``waiting_room_tick_ms``), for every room that has sockets here, the lobby runs one
admission step (any number of processes may: the step is one script), then sends every socket of
the room the same ``line`` frame (``served`` and the line's speed) when it changed: each client
works out its own place from its number, so thousands of watchers cost one encoded frame a tick,
not one message per fan per move. Frames for one fan alone are few: its number (on joining, and
once at the opening when early places are drawn) and its admission token. Fans with an open
socket are marked seen, so they keep their place; a socket's own task (seatcore.waitingroom.socket)
writes the frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from seatcore.live.protocol import CloseCode
from seatcore.runtime import Runtime
from seatcore.waitingroom.line import RATE_SAMPLE_MS, measured_per_minute
from seatcore.waitingroom.protocol import CLOSED_TEXT, admitted_frame, line_frame, place_frame
from seatcore.waitingroom.room import Place, WaitingRooms

log = logging.getLogger("seatcore.waitingroom")
ADMITTED_CLOSE = 1000  # normal closure once the token is sent: the fan goes on to the seats
ROOM_CLOSED_CLOSE = 1000
MIN_GRACE_S = 10  # the shortest grace period a room may have
PRESENCE_MS = MIN_GRACE_S * 1000 // 4  # open sockets are marked seen well inside any grace period


@dataclass(eq=False)
class Fan:
    """One socket of one fan in one room."""

    showtime_id: int
    user_id: int
    number: int | None  # None once admitted
    outbox: list[str] = field(default_factory=list)  # this fan's own frames, in order
    line: str | None = None  # the room's latest line frame, not sent yet
    ping_due: bool = False
    pongs_due: int = 0
    heard_at: float = field(default_factory=time.monotonic)
    ending: tuple[int, str] | None = None
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, text: str) -> None:
        self.outbox.append(text)
        self.wakeup.set()

    def end(self, code: int, reason: str) -> None:
        if self.ending is None:
            self.ending = (code, reason)
        self.wakeup.set()
        self.ended.set()

    def heard(self) -> None:
        self.heard_at = time.monotonic()

    def want_pong(self) -> None:
        self.pongs_due += 1
        self.wakeup.set()


@dataclass
class _Line:
    open: bool = False
    last_text: str | None = None
    samples: deque[tuple[int, int]] = field(default_factory=deque)
    per_minute: float | None = None


class Lobby:
    def __init__(
        self,
        rooms: WaitingRooms,
        *,
        tick_ms: int,
        ping_interval_s: float,
        idle_timeout_s: float,
    ) -> None:
        self.rooms = rooms
        self.tick_ms = tick_ms
        self.presence_ms = max(tick_ms, PRESENCE_MS)
        self.ping_interval_s = ping_interval_s
        self.idle_timeout_s = idle_timeout_s
        self.fans: dict[int, set[Fan]] = {}
        self._lines: dict[int, _Line] = {}
        self._seen_at_ms = 0
        self._pinged_at = time.monotonic()

    def speed(self, showtime_id: int) -> float | None:
        line = self._lines.get(showtime_id)
        return None if line is None else line.per_minute

    def enter(self, showtime_id: int, user_id: int, place: Place) -> Fan:
        """A socket joins the room's watchers; its first frame is queued."""
        fan = Fan(showtime_id, user_id, None if place.admitted else place.number)
        line = self._lines.setdefault(showtime_id, _Line())
        if place.admitted and place.token and place.token_expires_ms:
            fan.push(admitted_frame(place.token, place.token_expires_ms))
            fan.end(ADMITTED_CLOSE, "admitted")
        else:
            speed = line.per_minute if line.per_minute is not None else place.per_minute
            fan.push(place_frame(showtime_id, place, speed, place.open))
        self.fans.setdefault(showtime_id, set()).add(fan)
        return fan

    def leave(self, fan: Fan) -> None:
        fans = self.fans.get(fan.showtime_id)
        if fans is not None:
            fans.discard(fan)
            if not fans:
                del self.fans[fan.showtime_id]
                self._lines.pop(fan.showtime_id, None)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_ms / 1000)
            try:
                await self.tick_all()
            except Exception:  # one bad tick must not stop the lines of every room
                log.exception("a waiting-room tick failed")

    async def tick_all(self, now_ms: int | None = None) -> None:
        now_ms = self.rooms.now_ms() if now_ms is None else now_ms
        self._heartbeats()
        for showtime_id in list(self.fans):
            try:
                await self.tick(showtime_id, now_ms)
            except RedisError as exc:
                log.warning("waiting room %s: this tick is skipped: %s", showtime_id, exc)
        if now_ms - self._seen_at_ms >= self.presence_ms:
            self._seen_at_ms = now_ms
            for showtime_id, fans in list(self.fans.items()):
                with contextlib.suppress(RedisError):
                    await self.rooms.seen(showtime_id, {fan.user_id for fan in fans}, now_ms)

    async def tick(self, showtime_id: int, now_ms: int) -> None:
        """One admission step for the room, then tell its sockets here what changed."""
        fans = list(self.fans.get(showtime_id, ()))
        progress = await self.rooms.advance(showtime_id, now_ms)
        if progress is None:  # the room closed: holds need no token any more
            for fan in fans:
                fan.push(CLOSED_TEXT)
                fan.end(ROOM_CLOSED_CLOSE, "the waiting room is closed")
            return
        rules = await self.rooms.rules(showtime_id)
        line = self._lines.setdefault(showtime_id, _Line())
        line.samples.append((now_ms, progress.served))
        while line.samples and line.samples[0][0] < now_ms - RATE_SAMPLE_MS:
            line.samples.popleft()
        line.per_minute = measured_per_minute(line.samples, rules.planned_per_minute if rules else 0.0)
        if progress.open and not line.open:
            await self._renumber(showtime_id, fans, line.per_minute)
        line.open = progress.open
        text = line_frame(progress.served, line.per_minute, progress.open)
        if text != line.last_text:
            line.last_text = text
            for fan in fans:
                if fan.number is not None:
                    fan.line = text
                    fan.wakeup.set()
        due = [fan for fan in fans if fan.number is not None and fan.number < progress.served]
        if due:
            await self._admit(showtime_id, due, line.per_minute)

    async def _renumber(self, showtime_id: int, fans: list[Fan], per_minute: float) -> None:
        """At the opening the early fans' places are drawn: each socket gets its number."""
        waiting = [fan for fan in fans if fan.number is not None]
        served, numbers = await self.rooms.numbers(showtime_id, sorted({fan.user_id for fan in waiting}))
        for fan in waiting:
            fan.number = numbers.get(fan.user_id, -1)  # -1: no longer in line, settled by _admit
            place = Place(max(0, fan.number - served), fan.number, served, False, 0, None, None)
            fan.push(place_frame(showtime_id, place, per_minute, True))

    async def _admit(self, showtime_id: int, due: list[Fan], per_minute: float) -> None:
        """Fans the front has passed: their token, or (their place was lost) a new place."""
        shopping = await self.rooms.shopping_until(showtime_id, {fan.user_id for fan in due})
        for fan in due:
            until = shopping.get(fan.user_id)
            if until is not None:
                fan.number = None
                fan.push(admitted_frame(self.rooms.tokens.issue(showtime_id, fan.user_id, until), until))
                fan.end(ADMITTED_CLOSE, "admitted")
                continue
            place = await self.rooms.join(showtime_id, fan.user_id, per_minute=per_minute)
            if place is None:
                continue
            if place.admitted and place.token and place.token_expires_ms:
                fan.number = None
                fan.push(admitted_frame(place.token, place.token_expires_ms))
                fan.end(ADMITTED_CLOSE, "admitted")
            else:
                fan.number = place.number
                fan.push(place_frame(showtime_id, place, per_minute, True))

    def _heartbeats(self) -> None:
        """Pings every ping interval; sockets silent past the idle timeout are closed."""
        now = time.monotonic()
        ping = now - self._pinged_at >= self.ping_interval_s
        if ping:
            self._pinged_at = now
        for fans in self.fans.values():
            for fan in fans:
                if now - fan.heard_at > self.idle_timeout_s:
                    fan.end(CloseCode.IDLE_TIMEOUT, "nothing heard from the client")
                elif ping:
                    fan.ping_due = True
                    fan.wakeup.set()


@contextlib.asynccontextmanager
async def lobby_service(runtime: Runtime) -> AsyncIterator[None]:
    settings = runtime.settings
    lobby = Lobby(
        runtime.waiting_rooms,
        tick_ms=settings.waiting_room_tick_ms,
        ping_interval_s=settings.live_ping_interval_s,
        idle_timeout_s=settings.live_idle_timeout_s,
    )
    runtime.extras["lobby"] = lobby
    task = asyncio.create_task(lobby.run(), name="waiting-room lobby")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for fans in lobby.fans.values():
            for fan in fans:
                fan.end(CloseCode.GOING_AWAY, "the server is stopping")
