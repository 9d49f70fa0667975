"""Waiting for a Redis replica to hold a write before answering for it (``WAIT 1 timeout_ms``).

Redis replicates asynchronously: a master that acknowledged a write and died before its replica
had it takes the write along, and the promoted replica never saw it. For a paid order not yet in
MySQL that would be a payment without its order, so the order service asks the masters holding a
paid order to ``WAIT`` for one replica before the payment notice is answered (docs/scaling.md).

``WAIT`` counts the writes of its own connection, and a pooled client sends its commands on any
free connection, so a wait here sends a write of its own (a short-lived probe key in the guarded
key's slot) and ``WAIT`` together on one connection. A master replicates its writes in order: once
a replica has acknowledged the probe it holds everything the master wrote before it.

Only masters that have had a replica are waited on (``INFO replication``, asked at most every
``REPLICAS_TTL_S`` per master until one is seen): on a Redis without replicas there is nobody to
wait for, and the answer is ``None`` at once. A master seen with a replica is waited on from then
on, so one whose replica has dropped out answers ``False`` (not held) rather than ``None``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

import redis.asyncio as aioredis
from prometheus_client import Counter
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.exceptions import MaxConnectionsError, RedisClusterException, RedisError

from seatcore import keys

PROBE_TTL_MS = 10_000
REPLICAS_TTL_S = 5.0
ACQUIRE_EVERY_S = 0.005

log = logging.getLogger(__name__)

NOT_ACKNOWLEDGED = Counter(
    "seatcore_redis_replica_wait_timeouts_total",
    "Paid orders that no Redis replica acknowledged in time (paid_replica_wait_ms)",
)


class ReplicaAck:
    def __init__(self, redis: aioredis.Redis, timeout_ms: int) -> None:
        self._redis = redis
        self._timeout_ms = timeout_ms
        self._replicated: set[str] = set()  # masters seen with a replica
        self._asked_at: dict[str, float] = {}

    async def wait(self, guarded: Sequence[str]) -> bool | None:
        """Wait until a replica of each master holding one of the ``guarded`` keys has every write
        made there so far. True: all acknowledged; False: some master's replicas did not within the
        timeout (counted and logged); None: nothing to wait for (off, or no replicas)."""
        if self._timeout_ms <= 0:
            return None
        if isinstance(self._redis, RedisCluster):
            await self._redis.initialize()  # the slot map (a flag check once it is known)
        try:
            by_master = {self._master_name(key): key for key in guarded}
        except RedisClusterException as exc:  # a slot without a master: mid-failover
            log.warning("could not find the masters of %s: %s", guarded, exc)
            answers: list[bool] = [False]
        else:
            waits = [self._wait_on(name, key) for name, key in by_master.items()]
            answers = [answer for answer in await asyncio.gather(*waits) if answer is not None]
        if not answers:
            return None
        if all(answers):
            return True
        NOT_ACKNOWLEDGED.inc()
        return False

    def _master_name(self, key: str) -> str:
        if isinstance(self._redis, RedisCluster):
            return str(self._redis.get_node_from_key(key).name)
        return ""

    async def _wait_on(self, master: str, key: str) -> bool | None:
        try:
            if not await self._has_replicas(master, key):
                return None
            probe = ("SET", keys.replica_probe(key), "1", "PX", PROBE_TTL_MS)
            wait = ("WAIT", 1, self._timeout_ms)
            if isinstance(self._redis, RedisCluster):
                acknowledged = await self._on_node(self._redis.get_node_from_key(key), probe, wait)
            else:
                async with self._redis.pipeline(transaction=False) as pipe:  # one connection
                    pipe.execute_command(*probe)
                    pipe.execute_command(*wait)
                    acknowledged = int((await pipe.execute())[1])
        except (RedisError, RedisClusterException) as exc:
            log.warning("could not wait for a replica of the master of %s: %s", key, exc)
            return False
        if acknowledged < 1:
            log.warning("no replica of the master of %s acknowledged in %d ms", key, self._timeout_ms)
        return acknowledged >= 1

    async def _has_replicas(self, master: str, key: str) -> bool:
        if master in self._replicated:
            return True
        if time.monotonic() - self._asked_at.get(master, -REPLICAS_TTL_S) >= REPLICAS_TTL_S:
            self._asked_at[master] = time.monotonic()
            if isinstance(self._redis, RedisCluster):
                node = self._redis.get_node_from_key(key)
                info = await self._redis.info("replication", target_nodes=node)
            else:
                info = await self._redis.info("replication")
            if int(info.get("connected_slaves", 0)) > 0:
                self._replicated.add(master)
        return master in self._replicated

    async def _on_node(self, node: ClusterNode, *commands: tuple[str | int, ...]) -> int:
        """The commands on one connection of ``node``; the last one's answer."""
        deadline = time.monotonic() + self._timeout_ms / 1000
        while True:
            try:
                connection = node.acquire_connection()
                break
            except MaxConnectionsError:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(ACQUIRE_EVERY_S)
        try:
            await connection.send_packed_command(connection.pack_commands(commands))
            answers = [await connection.read_response() for _ in commands]
        except BaseException:
            await connection.disconnect()  # answers may be left unread on it
            raise
        finally:
            node.release(connection)
        return int(answers[-1])
