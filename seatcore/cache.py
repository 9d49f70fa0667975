"""A read-through JSON cache in Redis for hot catalogue reads.

Every key carries the catalogue generation; a change to the catalogue bumps the generation,
so all cached reads are invalidated at once and old entries age out by their TTL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import redis.asyncio as aioredis

from seatcore import keys


class Cache:
    def __init__(self, redis: aioredis.Redis, ttl_s: int) -> None:
        self._redis = redis
        self.ttl_s = ttl_s

    async def get_or_load(self, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
        generation = str(await self._redis.get(keys.CATALOGUE_GENERATION) or "0")
        key = keys.catalogue_cache(generation, name)
        cached = await self._redis.get(key)
        if cached is not None:
            return orjson.loads(cached)
        value = await load()
        if self.ttl_s > 0:
            await self._redis.set(key, orjson.dumps(value), ex=self.ttl_s)
        return value

    async def invalidate(self) -> None:
        await self._redis.incr(keys.CATALOGUE_GENERATION)
