"""Seat-change subscriptions over sharded pub/sub (Redis 7 Cluster): one connection per node.

A shard channel is heard only on the node that owns its slot, so each node that owns a watched
showtime gets a Subscriptions of its own (its SSUBSCRIBEs, its confirmations, its reconnects), and
this router sends each channel to its owner. When a node's connection fails (a master died, and a
replica is being promoted in its place) the router refreshes the cluster's slot map, moves the
channels to their new owners, and once they are confirmed there has the hub audit every showtime:
what was published meanwhile is in each showtime's change log. A node left with no channel is let go.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from seatcore.live.subscriptions import OnMessage, OnSubscribed, Subscriptions
from seatcore.tasks import stop_tasks

log = logging.getLogger("seatcore.live")

CHECK_EVERY_S = 0.5  # how often the router looks for failing nodes and moved slots
MOVE_CONFIRM_S = 10.0


class ShardedSubscriptions:
    """The same face as Subscriptions (add, remove, confirmed, channels, ready, run)."""

    def __init__(self, cluster: RedisCluster, on_message: OnMessage, on_subscribed: OnSubscribed) -> None:
        self.ready = asyncio.Event()
        self.ready.set()  # nothing to wait for until a showtime is watched
        self._cluster = cluster
        self._on_message = on_message
        self._on_subscribed = on_subscribed
        self._nodes: dict[str, tuple[Subscriptions, aioredis.Redis, asyncio.Task[None]]] = {}
        self._owner: dict[str, str] = {}  # channel -> node name

    def channels(self) -> set[str]:
        return set(self._owner)

    def add(self, channel: str) -> None:
        self._owner[channel] = ""  # placed by ``_place``, or by the next rebalance if no node owns it
        self._place(channel)

    def _place(self, channel: str) -> bool:
        """Subscribe ``channel`` on the node owning its slot now; whether it moved there."""
        try:
            node = self._cluster.get_node_from_key(channel)
        except (RedisError, RedisClusterException):  # the slot map is not there yet
            return False
        if node is None or node.name == self._owner[channel]:
            return False
        self._owner[channel] = node.name
        self._node(node.name, node.host, int(node.port)).add(channel)
        return True

    def remove(self, channel: str) -> None:
        name = self._owner.pop(channel, None)
        if name is not None and name in self._nodes:
            self._nodes[name][0].remove(channel)

    async def confirmed(self, channel: str, timeout_s: float) -> bool:
        name = self._owner.get(channel)
        if name is None or name not in self._nodes:
            return False
        return await self._nodes[name][0].confirmed(channel, timeout_s)

    def _node(self, name: str, host: str, port: int) -> Subscriptions:
        if name not in self._nodes:
            client = aioredis.Redis(host=host, port=port, decode_responses=True)
            subs = Subscriptions(client, self._on_message, self._after_reconnect(), sharded=True)
            task = asyncio.create_task(subs.run(), name=f"seat-changes-{name}")
            self._nodes[name] = (subs, client, task)
        return self._nodes[name][0]

    def _after_reconnect(self) -> OnSubscribed:
        """A node's on_subscribed: the hub audits its showtimes when the node's connection was
        lost and is back, not when it is first made (its channels had no connection to miss:
        each new watcher waits for its own confirmation)."""
        first = True

        async def on_subscribed() -> None:
            nonlocal first
            if first:
                first = False
                return
            await self._on_subscribed()

        return on_subscribed

    async def run(self) -> None:
        """Watch the nodes until cancelled; then close every node's connection."""
        try:
            while True:
                await asyncio.sleep(CHECK_EVERY_S)
                try:
                    await self._rebalance()
                except RedisError as exc:
                    log.warning("seat-change shards: slot map not refreshed (%s)", exc)
        finally:
            nodes, self._nodes = list(self._nodes.values()), {}
            await stop_tasks([task for _, _, task in nodes])
            for _, client, _ in nodes:
                with contextlib.suppress(RedisError, OSError):
                    await client.aclose()

    async def _rebalance(self) -> None:
        """Move channels whose slot has a new owner; let go of nodes that own no channel."""
        failing = any(subs.failures for subs, _, _ in self._nodes.values())
        if failing or "" in self._owner.values():
            await self._cluster.nodes_manager.initialize()
        moved = []
        for channel, name in list(self._owner.items()):
            if self._place(channel):
                if name in self._nodes:
                    self._nodes[name][0].remove(channel)
                moved.append(channel)
        wanted = set(self._owner.values())
        for name in [name for name in self._nodes if name not in wanted]:
            _, client, task = self._nodes.pop(name)
            await stop_tasks([task])
            with contextlib.suppress(RedisError, OSError):
                await client.aclose()
        if moved:
            log.warning("seat-change channels moved to their new nodes: %d", len(moved))
            await asyncio.gather(*(self.confirmed(channel, MOVE_CONFIRM_S) for channel in moved))
            await self._on_subscribed()
