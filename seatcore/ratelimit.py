"""Rate limits counted in Redis: fixed windows per caller, and a backoff after failed attempts."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import AsyncIterator

import redis.asyncio as aioredis

from seatcore import keys
from seatcore.errors import RateLimited

FAILURE_MEMORY_S = 3600  # failures older than this (since the last one) are forgotten


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


async def check_rates(redis: aioredis.Redis, counted: list[tuple[str, str, int]], *, window_s: int) -> None:
    """``check_rate`` of several (bucket, who, limit) in one round trip (the events endpoint's
    two limits on each of thousands of batches a second). Not a transaction: the keys may live
    on different Redis Cluster nodes; a key whose EXPIRE were lost only outlives its window,
    whose number is in its name, so it never counts against a later one."""
    window = int(time.time()) // window_s
    async with redis.pipeline(transaction=False) as pipe:
        for bucket, who, _limit in counted:
            key = keys.rate_limit(bucket, who, window)
            pipe.incr(key)
            pipe.expire(key, window_s * 2)
        answers = await pipe.execute()
    for (_bucket, _who, limit), count in zip(counted, answers[::2], strict=True):
        if count > limit:
            raise RateLimited(f"too many requests: at most {limit} per {window_s} s", retry_after_s=window_s)


@contextlib.asynccontextmanager
async def one_at_a_time(redis: aioredis.Redis, bucket: str, who: str, *, lease_s: int) -> AsyncIterator[None]:
    """Check one attempt of ``who`` at a time (RateLimited while another is being checked), so that
    attempts fired together cannot all pass the backoff before the first failure is counted. The
    lease ends a crashed process's hold on ``who``."""
    key = keys.checking(bucket, who)
    if not await redis.set(key, "1", nx=True, ex=lease_s):
        raise RateLimited("another attempt is being checked: try again in a moment", retry_after_s=1)
    try:
        yield
    finally:
        await redis.delete(key)


async def check_backoff(redis: aioredis.Redis, bucket: str, who: str) -> None:
    """Raise RateLimited while ``who`` waits out a backoff that its failures earned."""
    wait_ms = int(await redis.pttl(keys.backoff(bucket, who)))
    if wait_ms > 0:
        raise RateLimited(
            "too many failed attempts: wait before trying again", retry_after_s=math.ceil(wait_ms / 1000)
        )


async def record_failure(redis: aioredis.Redis, bucket: str, who: str, *, free: int, max_wait_s: int) -> None:
    """Count a failed attempt. From the ``free``-th failure on, each one makes ``who`` wait twice as
    long as the one before (1 s, 2 s, 4 s, ... up to ``max_wait_s``) before the next attempt."""
    key = keys.failures(bucket, who)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, FAILURE_MEMORY_S)
        count, _ = await pipe.execute()
    if count >= free:
        wait_s = min(2 ** min(count - free, 30), max_wait_s)
        await redis.set(keys.backoff(bucket, who), "1", px=wait_s * 1000)


async def forget_failures(redis: aioredis.Redis, bucket: str, who: str) -> None:
    await redis.delete(keys.failures(bucket, who), keys.backoff(bucket, who))
