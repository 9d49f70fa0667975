"""Waiting rooms in Redis: one showtime's room in its own hash tag ``{wr:ID}``.

``config`` (a hash: the RoomRules) exists while the room is open; ``line`` is a sorted set of
user id -> score (seatcore.waitingroom.line) where a lost place stays as a ``gone:`` marker;
``arrivals`` counts the fans who came after the opening; ``seen`` is when each fan was last heard
of (a join, a socket's presence); ``shopping`` is a sorted set of admitted fans -> the end of
their shopping window; ``state`` keeps ``served`` (places taken off the line), ``admitted`` (fans
let in so far) and ``spent`` (the rate's allowance used). Every change is one script
(seatcore.waitingroom.scripts).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass

import redis.asyncio as aioredis

from seatcore import keys
from seatcore.waitingroom import scripts
from seatcore.waitingroom.line import RoomRules, wait_s
from seatcore.waitingroom.tokens import AdmissionRequired, AdmissionTokens

KEEP_S = 2 * 24 * 3600  # a room's keys outlive its on-sale by far, then go
PARTS = ("config", "line", "arrivals", "seen", "shopping", "state")
ADVANCE_STEPS = 5_000  # places one admission call takes off the line at most (keeps a script short)


@dataclass(frozen=True, slots=True)
class Place:
    place: int  # fans ahead (0: next); provisional before the opening (early places are drawn then)
    number: int  # the place's number: admitted once the room's ``served`` passes it
    served: int
    admitted: bool
    wait_s: int
    token: str | None  # while admitted: shows the holds it may make
    token_expires_ms: int | None
    open: bool = True  # False before the opening
    per_minute: float = 0.0  # the line's speed the wait was estimated at


@dataclass(frozen=True, slots=True)
class Progress:
    """What one admission step left: the line's front and the fans shopping."""

    open: bool
    served: int
    shopping: int
    admitted: int  # by this step


def _part(showtime_id: int, *parts: str) -> list[str]:
    return [keys.waiting_room(showtime_id, part) for part in parts]


class WaitingRooms:
    def __init__(self, redis: aioredis.Redis, tokens: AdmissionTokens) -> None:
        self._redis = redis
        self.tokens = tokens
        self._join = redis.register_script(scripts.JOIN)
        self._advance = redis.register_script(scripts.ADVANCE)
        self._leave = redis.register_script(scripts.LEAVE)
        self._numbers = redis.register_script(scripts.NUMBERS)

    @staticmethod
    def now_ms() -> int:
        return int(time.time() * 1000)

    async def open(self, showtime_id: int, rules: RoomRules) -> None:
        """Open the room, or change its dials (the line stays)."""
        config = keys.waiting_room(showtime_id, "config")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                config,
                mapping={
                    "opens_at_ms": rules.opens_at_ms,
                    "per_minute": rules.per_minute,
                    "cap": rules.cap,
                    "window_s": rules.window_s,
                    "grace_s": rules.grace_s,
                },
            )
            pipe.expire(config, KEEP_S)
            await pipe.execute()

    async def close(self, showtime_id: int) -> None:
        """Sales go on without the room (its line is forgotten)."""
        await self._redis.delete(*_part(showtime_id, *PARTS))

    async def with_rooms(self, showtime_ids: Iterable[int]) -> set[int]:
        """Which of these showtimes sell through a waiting room now (one round trip; on a cluster
        the pipeline splits by slot)."""
        wanted = list(showtime_ids)
        if not wanted:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for showtime_id in wanted:
                pipe.exists(keys.waiting_room(showtime_id, "config"))
            found = await pipe.execute()
        return {showtime_id for showtime_id, there in zip(wanted, found, strict=True) if there}

    async def rules(self, showtime_id: int) -> RoomRules | None:
        raw = await self._redis.hgetall(keys.waiting_room(showtime_id, "config"))
        if not raw:
            return None
        return RoomRules(
            int(raw["opens_at_ms"]),
            int(raw["per_minute"]),
            int(raw["window_s"]),
            cap=int(raw.get("cap", 0)),
            grace_s=int(raw["grace_s"]),
        )

    async def advance(self, showtime_id: int, now_ms: int | None = None) -> Progress | None:
        """Admit from the front of the line as far as the dials allow now; None: no room."""
        now_ms = self.now_ms() if now_ms is None else now_ms
        answer = await self._advance(
            keys=_part(showtime_id, "config", "line", "seen", "shopping", "state"),
            args=[now_ms, ADVANCE_STEPS],
        )
        if int(answer[0]) < 0:
            return None
        return Progress(bool(int(answer[0])), int(answer[1]), int(answer[2]), int(answer[3]))

    async def join(
        self, showtime_id: int, user_id: int, now_ms: int | None = None, per_minute: float | None = None
    ) -> Place | None:
        """The fan's place (taking one on the first call, or again when the old one was lost or
        used); None when the showtime has no room. ``per_minute``: the line's speed for the wait
        estimate (default: what the dials plan)."""
        now_ms = self.now_ms() if now_ms is None else now_ms
        rules = await self.rules(showtime_id)
        if rules is None:
            return None
        progress: Progress | None = None
        for _ in range(2):  # twice only when a fan admitted now was meanwhile made to leave
            answer = await self._join(
                keys=_part(showtime_id, "config", "line", "arrivals", "seen", "shopping", "state"),
                args=[now_ms, user_id, f"{random.random():.12f}"],
            )
            status = int(answer[0])
            if status < 0:
                return None
            if status == 1:  # shopping: coming back does not extend the window
                return self._shopping(showtime_id, user_id, int(float(answer[1])))
            number = int(answer[1])
            # A line nobody watches moves as fans look at it; a fan may be let in at once.
            progress = await self.advance(showtime_id, now_ms)
            if progress is None:
                return None
            if progress.served <= number:
                break
            until = (await self.shopping_until(showtime_id, [user_id])).get(user_id)
            if until is not None:
                return self._shopping(showtime_id, user_id, until)
        await self._redis.expire(keys.waiting_room(showtime_id, "line"), KEEP_S)
        assert progress is not None
        ahead = max(0, number - progress.served)
        speed = rules.planned_per_minute if per_minute is None else per_minute
        wait = wait_s(ahead, speed)
        return Place(
            ahead, number, progress.served, False, wait, None, None, open=progress.open, per_minute=speed
        )

    def _shopping(self, showtime_id: int, user_id: int, expires_ms: int) -> Place:
        token = self.tokens.issue(showtime_id, user_id, expires_ms)
        return Place(0, 0, 0, True, 0, token, expires_ms)

    async def shopping_until(self, showtime_id: int, user_ids: Iterable[int]) -> dict[int, int]:
        """The window ends of those of ``user_ids`` who are shopping."""
        users = list(user_ids)
        if not users:
            return {}
        scores = await self._redis.zmscore(
            keys.waiting_room(showtime_id, "shopping"), [str(u) for u in users]
        )
        return {user: int(score) for user, score in zip(users, scores, strict=True) if score is not None}

    async def numbers(self, showtime_id: int, user_ids: list[int]) -> tuple[int, dict[int, int]]:
        """``served`` and the numbers of those of ``user_ids`` in line, read at one moment."""
        answer = await self._numbers(keys=_part(showtime_id, "line", "state"), args=user_ids)
        served = int(answer[0])
        return served, {
            user: served + int(rank)
            for user, rank in zip(user_ids, answer[1:], strict=True)
            if int(rank) >= 0
        }

    async def seen(self, showtime_id: int, user_ids: Iterable[int], now_ms: int | None = None) -> None:
        """Fans still there (their sockets are open): their grace period starts again."""
        now_ms = self.now_ms() if now_ms is None else now_ms
        mapping: dict[str | bytes | bytearray | memoryview[int] | int | float, int] = {
            str(user): now_ms for user in user_ids
        }
        if mapping:
            await self._redis.hset(keys.waiting_room(showtime_id, "seen"), mapping=mapping)

    async def leave(self, showtime_id: int, user_id: int) -> bool:
        """The fan gives up their place or their shopping slot; False if they had neither."""
        gone = await self._leave(keys=_part(showtime_id, "line", "shopping", "seen"), args=[user_id])
        return bool(int(gone))

    async def bought(self, showtime_id: int, user_id: int) -> None:
        """A paid order ends the fan's shopping: the slot goes to the next fan."""
        await self._redis.zrem(keys.waiting_room(showtime_id, "shopping"), str(user_id))

    async def check_hold(self, showtime_id: int, user_id: int, token: str | None) -> None:
        """AdmissionRequired when the showtime's room is open and ``token`` does not admit the
        user, or the user's shopping is over (window ended, bought, left)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.exists(keys.waiting_room(showtime_id, "config"))
            pipe.zscore(keys.waiting_room(showtime_id, "shopping"), str(user_id))
            room, until = await pipe.execute()
        if not room:
            return
        now_ms = self.now_ms()
        self.tokens.check(token, showtime_id, user_id, now_ms)
        if until is None or int(until) <= now_ms:
            raise AdmissionRequired("your shopping time is over: join the line again")
