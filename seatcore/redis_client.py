"""The service's Redis clients: redis-py asyncio whose connections pack commands in C.

redis-py's asyncio connections build each command in Python, one ``isinstance`` and one encode per
argument; its synchronous connections use hiredis's C packer when hiredis is installed. The seat
scripts send twenty-odd arguments a call (eight keys and the rule values), so packing in Python was
a tenth of the hold path's CPU. ``connect`` and ``pool_client`` give every connection of a pool the
C packer (the same bytes: tests/test_redis_client.py compares them) when hiredis is there, and leave
redis-py's own otherwise.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.connection import HiredisRespSerializer
from redis.utils import HIREDIS_AVAILABLE

if HIREDIS_AVAILABLE:  # a dependency (redis[hiredis]); without it redis-py's own packing is kept
    import hiredis


class _HiredisPacking:
    """Mixed in before a redis-py asyncio connection class: packs with hiredis."""

    _packer = HiredisRespSerializer()

    def pack_command(self, *args: Any) -> list[bytes]:
        # The common case straight to C; redis-py's serializer for the rest (a command name of
        # several words, bytearray or memoryview arguments) and for its errors (DataError).
        first = args[0]
        if isinstance(first, str) and " " not in first:
            try:
                return [hiredis.pack_command(args)]
            except TypeError:
                pass
        return self._packer.pack(*args)  # type: ignore[no-any-return]


_FAST: dict[type[AbstractConnection], type[AbstractConnection]] = {}


def fast_connection_class(base: type[AbstractConnection]) -> type[AbstractConnection]:
    """``base`` (TCP, TLS or unix socket connection) packing its commands with hiredis."""
    if not HIREDIS_AVAILABLE or issubclass(base, _HiredisPacking):
        return base
    if base not in _FAST:
        _FAST[base] = type(f"Hiredis{base.__name__}", (_HiredisPacking, base), {})
    return _FAST[base]


def fast_pool(pool: ConnectionPool) -> ConnectionPool:
    """Make ``pool`` (not yet used) open connections that pack with hiredis; returns it."""
    pool.connection_class = fast_connection_class(pool.connection_class)
    return pool


def connect(url: str, *, max_connections: int, wait_s: float, **options: Any) -> aioredis.Redis:
    """A client of ``url`` whose pool waits up to ``wait_s`` for a free connection under load
    instead of failing the command."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=wait_s, **options
    )
    return aioredis.Redis.from_pool(fast_pool(pool))
