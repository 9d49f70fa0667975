"""Waiting rooms in Redis: one showtime's room in its own hash tag ``{wr:ID}``.

``config`` (a hash: opens_at_ms, per_minute, window_s) exists while the room is open; ``line`` is
a sorted set of user id -> score (seatcore.waitingroom.line); ``arrivals`` counts the fans who
came after the opening; ``admitted`` keeps when each fan was first admitted (their shopping
window runs from then). Joining is one script, so a fan keeps one place however often they come
back or from however many devices.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from seatcore import keys
from seatcore.waitingroom.line import RoomRules
from seatcore.waitingroom.tokens import AdmissionTokens

# KEYS[1] line, KEYS[2] arrivals; ARGV[1] now ms, ARGV[2] opens at ms, ARGV[3] user, ARGV[4] a
# random score in [0, 1) for an early arrival. Answers the user's place (0-based).
_JOIN = """
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  local score = ARGV[4]
  if tonumber(ARGV[1]) >= tonumber(ARGV[2]) then score = 1 + redis.call('INCR', KEYS[2]) end
  redis.call('ZADD', KEYS[1], score, ARGV[3])
end
return redis.call('ZRANK', KEYS[1], ARGV[3])
"""

KEEP_S = 2 * 24 * 3600  # a room's keys outlive its on-sale by far, then go


@dataclass(frozen=True, slots=True)
class Place:
    place: int  # 0-based; provisional before the opening (early places are drawn at random)
    admitted: bool
    wait_s: int
    token: str | None  # while admitted: shows the holds it may make
    token_expires_ms: int | None


class WaitingRooms:
    def __init__(self, redis: aioredis.Redis, tokens: AdmissionTokens) -> None:
        self._redis = redis
        self.tokens = tokens
        self._join = redis.register_script(_JOIN)

    @staticmethod
    def now_ms() -> int:
        return int(time.time() * 1000)

    async def open(self, showtime_id: int, rules: RoomRules) -> None:
        config = keys.waiting_room(showtime_id, "config")
        await self._redis.hset(
            config,
            mapping={
                "opens_at_ms": rules.opens_at_ms,
                "per_minute": rules.per_minute,
                "window_s": rules.window_s,
            },
        )
        await self._redis.expire(config, KEEP_S)

    async def close(self, showtime_id: int) -> None:
        """Sales go on without the room (its line is forgotten)."""
        await self._redis.delete(
            *(keys.waiting_room(showtime_id, part) for part in ("config", "line", "arrivals", "admitted"))
        )

    async def rules(self, showtime_id: int) -> RoomRules | None:
        raw = await self._redis.hgetall(keys.waiting_room(showtime_id, "config"))
        if not raw:
            return None
        return RoomRules(int(raw["opens_at_ms"]), int(raw["per_minute"]), int(raw["window_s"]))

    async def join(self, showtime_id: int, user_id: int, now_ms: int | None = None) -> Place | None:
        """The fan's place (taking one on the first call); None when the showtime has no room."""
        now_ms = self.now_ms() if now_ms is None else now_ms
        rules = await self.rules(showtime_id)
        if rules is None:
            return None
        line, arrivals = keys.waiting_room(showtime_id, "line"), keys.waiting_room(showtime_id, "arrivals")
        draw = f"{random.random():.12f}"
        place = int(await self._join(keys=[line, arrivals], args=[now_ms, rules.opens_at_ms, user_id, draw]))
        await self._redis.expire(line, KEEP_S)
        if place >= rules.admitted_by(now_ms):
            return Place(place, False, rules.wait_s(place, now_ms), None, None)
        # The shopping window runs from the first admission: coming back does not extend it.
        admitted = keys.waiting_room(showtime_id, "admitted")
        await self._redis.hsetnx(admitted, str(user_id), now_ms)
        await self._redis.expire(admitted, KEEP_S)
        expires_ms = int(await self._redis.hget(admitted, str(user_id)) or now_ms) + rules.window_s * 1000
        if expires_ms <= now_ms:
            return Place(place, True, 0, None, expires_ms)  # this fan's window is over
        token = self.tokens.issue(showtime_id, user_id, expires_ms)
        return Place(place, True, 0, token, expires_ms)

    async def check_hold(self, showtime_id: int, user_id: int, token: str | None) -> None:
        """AdmissionRequired when the showtime's room is open and ``token`` does not admit the user."""
        if await self._redis.exists(keys.waiting_room(showtime_id, "config")):
            self.tokens.check(token, showtime_id, user_id, self.now_ms())
