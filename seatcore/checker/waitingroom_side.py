"""The waiting rooms' invariant, read from Redis: never more fans shopping than a room's cap, and
no fan both shopping and in line (one place per moviegoer). Each room is read in one MULTI (its
keys share the ``{wr:ID}`` hash tag) against the Redis server's clock."""

from __future__ import annotations

import re

import redis.asyncio as aioredis

from seatcore import keys
from seatcore.checker.invariants import Result

_CONFIG_KEY = re.compile(r"^sc:\{wr:(\d+)\}:config$")
SCAN_BATCH = 1000


async def _rooms(redis: aioredis.Redis) -> list[int]:
    found = set()
    async for key in redis.scan_iter(match="sc:{wr:*}:config", count=SCAN_BATCH):
        match = _CONFIG_KEY.match(str(key))
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


async def rooms_within_caps(redis: aioredis.Redis) -> Result:
    result = Result(
        "waiting_rooms", "waiting rooms: shoppers within the cap, one place per fan", unit="rooms"
    )
    for showtime_id in await _rooms(redis):
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hget(keys.waiting_room(showtime_id, "config"), "cap")
            pipe.zrange(keys.waiting_room(showtime_id, "shopping"), 0, -1, withscores=True)
            pipe.zrange(keys.waiting_room(showtime_id, "line"), 0, -1)
            cap_raw, shopping, line = await pipe.execute()
        if cap_raw is None:
            continue  # closed in between
        seconds, micros = await redis.time()
        now_ms = seconds * 1000 + micros // 1000
        result.checked += 1
        shoppers = {str(user) for user, until in shopping if until > now_ms}
        cap = int(cap_raw)
        if cap and len(shoppers) > cap:
            result.violations.append(f"showtime {showtime_id}: {len(shoppers)} fans shopping, cap {cap}")
        both = sorted(shoppers & {str(user) for user in line})
        if both:
            result.violations.append(
                f"showtime {showtime_id}: shopping and in line at once: {', '.join(both)}"
            )
    return result
