"""The waiting room of ``python -m loadtests.run onsale``: opened on the premiere before locust
starts, looked at once a second while it runs (fans admitted and shopping, read from the room's
own keys), and summed up afterwards: admissions in each minute since the opening against the
dial, and the most fans seen shopping at once against the cap."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import redis

from seatcore import keys
from seatcore.redis_client import connect
from seatcore.waitingroom.line import RoomRules
from seatcore.waitingroom.room import WaitingRooms
from seatcore.waitingroom.tokens import AdmissionTokens

SAMPLE_EVERY_S = 1.0
MINUTE_MS = 60_000


@dataclass(frozen=True)
class RoomPlan:
    opens_in_s: float
    per_minute: int
    cap: int
    window_s: int


@dataclass
class RoomLog:
    opens_at_ms: int
    plan: RoomPlan
    samples: list[tuple[int, int, int]] = field(default_factory=list)  # (ms, admitted, shopping)

    def admitted_at(self, ms: int) -> int:
        """Fans admitted by ``ms`` (the last sample at or before it)."""
        found = 0
        for at, admitted, _ in self.samples:
            if at > ms:
                break
            found = admitted
        return found

    def summary(self) -> str:
        plan = self.plan
        dials = ", ".join(
            part
            for part in (
                f"{plan.per_minute} a minute" if plan.per_minute else "",
                f"cap {plan.cap} shopping" if plan.cap else "",
            )
            if part
        )
        lines = [f"waiting room ({dials}, window {plan.window_s} s):"]
        if not self.samples:
            return lines[0] + " no samples"
        last_ms = self.samples[-1][0]
        minute = 0
        while self.opens_at_ms + (minute + 1) * MINUTE_MS <= last_ms:
            start = self.opens_at_ms + minute * MINUTE_MS
            took = self.admitted_at(start + MINUTE_MS) - self.admitted_at(start - 1)
            lines.append(f"  minute {minute + 1} after the opening: {took} fans admitted")
            minute += 1
        rest_ms = last_ms - (self.opens_at_ms + minute * MINUTE_MS)
        if rest_ms > 0:
            took = self.samples[-1][1] - self.admitted_at(self.opens_at_ms + minute * MINUTE_MS - 1)
            lines.append(f"  then {rest_ms / 1000:.0f} s: {took} fans admitted")
        lines.append(
            f"  admitted in all: {self.samples[-1][1]}; most shopping at once: "
            f"{max(shopping for _, _, shopping in self.samples)}"
        )
        return "\n".join(lines)


async def _room(redis_url: str, showtime_id: int, rules: RoomRules | None) -> None:
    """Open the room with ``rules``, or close it (None)."""
    client = connect(redis_url, max_connections=2, wait_s=5, decode_responses=True)
    try:
        rooms = WaitingRooms(client, AdmissionTokens("rooms are only opened and closed here"))
        await (rooms.close(showtime_id) if rules is None else rooms.open(showtime_id, rules))
    finally:
        await client.aclose()


@contextlib.contextmanager
def watched_room(redis_url: str, showtime_id: int, plan: RoomPlan) -> Iterator[RoomLog]:
    """Open the room, sample it until the block ends, then close it."""
    opens_at_ms = int((time.time() + plan.opens_in_s) * 1000)
    rules = RoomRules(opens_at_ms, plan.per_minute, plan.window_s, cap=plan.cap, grace_s=60)
    asyncio.run(_room(redis_url, showtime_id, rules))
    log = RoomLog(opens_at_ms, plan)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(SAMPLE_EVERY_S):
            now_ms = int(time.time() * 1000)
            with contextlib.suppress(redis.RedisError):
                admitted = int(client.hget(keys.waiting_room(showtime_id, "state"), "admitted") or 0)
                shopping = client.zcount(keys.waiting_room(showtime_id, "shopping"), f"({now_ms}", "+inf")
                log.samples.append((now_ms, admitted, int(shopping)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield log
    finally:
        stop.set()
        sampler.join()
        client.close()
        asyncio.run(_room(redis_url, showtime_id, None))
