"""Fixed-window rate limits counted in Redis."""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from seatcore import keys
from seatcore.errors import RateLimited


async def check_rate(redis: aioredis.Redis, bucket: str, who: str, *, limit: int, window_s: int) -> None:
    """Count one call of ``who`` in ``bucket``; raise RateLimited past ``limit`` per window."""
    window = int(time.time()) // window_s
    key = keys.rate_limit(bucket, who, window)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window_s * 2)
        count, _ = await pipe.execute()
    if count > limit:
        raise RateLimited(f"too many requests: at most {limit} per {window_s} s", retry_after_s=window_s)
