"""The service's Redis clients: redis-py asyncio whose connections pack commands in C.

redis-py's asyncio connections build each command in Python, one ``isinstance`` and one encode per
argument; its synchronous connections use hiredis's C packer when hiredis is installed. The seat
scripts send twenty-odd arguments a call (eight keys and the rule values), so packing in Python was
a tenth of the hold path's CPU. ``connect`` and ``sibling`` give every connection of a pool the
C packer (the same bytes: tests/test_redis_client.py compares them) when hiredis is there, and leave
redis-py's own otherwise; their pools wait for a free connection under load (WaitingConnectionPool).

``redis+cluster://HOST:PORT[,HOST:PORT...]`` names a Redis Cluster by some of its nodes: ``connect``
then answers redis-py's RedisCluster, which follows MOVED and ASK, refreshes its slot map and
retries on a lost node (a failover promotes a replica within the cluster's node timeout). It takes
the same commands as a plain client for everything seatcore sends (each multi-key command and
script keeps to one hash tag, docs/scaling.md), so it is handed around as one.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.connection import HiredisRespSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.utils import HIREDIS_AVAILABLE

if HIREDIS_AVAILABLE:  # a dependency (redis[hiredis]); without it redis-py's own packing is kept
    import hiredis


class _HiredisPacking:
    """Mixed in before a redis-py asyncio connection class: packs with hiredis."""

    _packer = HiredisRespSerializer()  # type: ignore[no-untyped-call]

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


class WaitingConnectionPool(ConnectionPool):
    """redis-py's pool, except that when all ``max_connections`` are in use a command waits up to
    ``wait_s`` for one to come back (then ConnectionError "No connection available.", which the
    app answers with 503) instead of failing at once: a burst of holds queues for milliseconds.

    redis-py's BlockingConnectionPool promises the same but takes an asyncio.Condition on every
    checkout and return: 10 us more a command than this pool, a semaphore in front of the plain
    one, at 64 concurrent callers (measured on this machine)."""

    def __init__(self, *, wait_s: float, **options: Any) -> None:
        super().__init__(**options)
        self.wait_s = wait_s
        self._slots = asyncio.Semaphore(self.max_connections)

    async def get_connection(self, *args: Any, **options: Any) -> AbstractConnection:
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), self.wait_s)
            except TimeoutError:
                raise RedisConnectionError("No connection available.") from None
        else:
            await self._slots.acquire()  # a free slot: no wait
        try:
            # Synchronous, hence atomic under asyncio (the plain pool's lock guards this against
            # cluster maintenance notifications, which seatcore does not turn on).
            connection: AbstractConnection = self.get_available_connection()  # type: ignore[no-untyped-call]
        except BaseException:
            self._slots.release()
            raise
        try:
            await self.ensure_connection(connection)
        except BaseException:
            await self.release(connection)  # gives the slot back
            raise
        return connection

    async def release(self, connection: AbstractConnection) -> None:
        try:
            await super().release(connection)
        finally:
            self._slots.release()


CLUSTER_SCHEME = "redis+cluster://"
# A master's failover takes the cluster's node timeout plus an election (a few seconds): the
# cluster client retries a command over that long before the error reaches the caller.
CLUSTER_RETRIES = 10
CLUSTER_BACKOFF_CAP_S = 1.0


def is_cluster(redis: object) -> bool:
    return isinstance(redis, RedisCluster)


def cluster_nodes(url: str) -> list[tuple[str, int]]:
    """The HOST:PORT pairs of a ``redis+cluster://`` URL (ValueError when malformed)."""
    nodes = []
    for entry in url.removeprefix(CLUSTER_SCHEME).split("/", 1)[0].split(","):
        host, sep, port = entry.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"redis+cluster:// wants HOST:PORT[,HOST:PORT...], not {entry!r}")
        nodes.append((host.strip("[]"), int(port)))
    return nodes


class WaitingRedisCluster(RedisCluster):
    """redis-py's RedisCluster, except that at most ``max_connections`` commands are in flight and
    one more waits up to ``wait_s`` for a slot (as WaitingConnectionPool does for one Redis):
    RedisCluster's own node pools raise MaxConnectionsError at once when full. Each node's pool
    gets room for twice as many connections, for the pipelines, which fan out one per node."""

    def __init__(self, *, max_connections: int, wait_s: float, **options: Any) -> None:
        super().__init__(max_connections=2 * max_connections, **options)
        self.wait_s = wait_s
        self._slots = asyncio.Semaphore(max_connections)

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_s)
        except TimeoutError:
            raise RedisConnectionError("No connection available.") from None
        try:
            return await super().execute_command(*args, **kwargs)
        finally:
            self._slots.release()


def _cluster(
    nodes: list[tuple[str, int]], *, max_connections: int, wait_s: float, **options: Any
) -> aioredis.Redis:
    client = WaitingRedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in nodes],
        max_connections=max_connections,
        wait_s=wait_s,
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=CLUSTER_BACKOFF_CAP_S), CLUSTER_RETRIES),
        **options,
    )
    client.seatcore_nodes = nodes  # type: ignore[attr-defined]  # for ``sibling``
    return client  # type: ignore[return-value]  # same commands: see the module docstring


def connect(url: str, *, max_connections: int, wait_s: float, **options: Any) -> aioredis.Redis:
    """A client of ``url`` whose connections pack in C and whose pool waits up to ``wait_s`` for a
    free connection under load (WaitingConnectionPool); a RedisCluster for ``redis+cluster://``."""
    if url.startswith(CLUSTER_SCHEME):
        return _cluster(cluster_nodes(url), max_connections=max_connections, wait_s=wait_s, **options)
    pool = WaitingConnectionPool.from_url(url, max_connections=max_connections, wait_s=wait_s, **options)
    return aioredis.Redis.from_pool(fast_pool(pool))


def sibling(redis: aioredis.Redis, *, max_connections: int, wait_s: float) -> aioredis.Redis:
    """A client of the same server as ``redis`` with a pool of its own (as ``connect`` makes)."""
    if isinstance(redis, RedisCluster):
        return _cluster(
            redis.seatcore_nodes,
            max_connections=max_connections,
            wait_s=wait_s,
            decode_responses=redis.get_encoder().decode_responses,
        )
    pool = redis.connection_pool
    waiting = WaitingConnectionPool(
        connection_class=fast_connection_class(pool.connection_class),
        max_connections=max_connections,
        wait_s=wait_s,
        **pool.connection_kwargs,
    )
    return aioredis.Redis.from_pool(waiting)
