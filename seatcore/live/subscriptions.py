"""The hub's one pub/sub connection: one channel per watched showtime, changed while it is read.

The engine publishes each showtime's changes on that showtime's channel, so a process subscribes
to exactly the showtimes its sockets watch: ``add`` when a showtime gets its first local watcher,
``remove`` when its last one leaves. A socket reads its first frame only after ``confirmed``: the
server's answer to the SUBSCRIBE has been read, so every change after that frame is on its way.

Redis answers a connection's commands in the order they were sent, so each channel keeps a queue
of the answers it is owed, one per SUBSCRIBE or UNSUBSCRIBE sent, and each answer settles the
oldest. A showtime left and watched again at once is sent SUBSCRIBE, UNSUBSCRIBE, SUBSCRIBE: the
new watcher waits for the second SUBSCRIBE's answer, not the first's, and messages read while a
channel still owes answers (left over from the previous subscription) are not passed on. One task
sends the commands, in the order they were asked for; the reader settles them.

The connection also subscribes to a channel of its own (``name``, also the connection's client
name in CLIENT LIST), which nobody publishes on: it keeps the connection subscribed, and redis-py's
reader alive, while no showtime is watched. A new connection subscribes every watched showtime's
channel and this one last, in one command, so when its answer is read all the others are in place
and ``on_subscribed`` runs (the hub audits every showtime there: what was published while no
connection listened is in the change log). A lost connection is replaced with backoff.

On a Redis Cluster the connection goes to one node, a different one after each loss (a failed
master may not come back), and either way the hub hears every showtime: a plain PUBLISH reaches
every node. With ``sharded`` (Redis 7 Cluster: the engine SPUBLISHes on channels in the showtime's
hash tag) the showtime channels are SSUBSCRIBEd on the one node that owns them
(live/shards.py keeps one Subscriptions per node) and the connection's own channel, which no
slot owns, is a plain SUBSCRIBE sent after them.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from prometheus_client import Counter
from redis.asyncio.client import PubSub
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError

from seatcore import keys
from seatcore.tasks import stop_tasks

log = logging.getLogger("seatcore.live")

LOST = Counter("seatcore_live_subscription_lost_total", "Times the seat-change connection was lost")
NAME_PREFIX = keys.LIVE_HUB  # + a random token: the connection's own channel and client name
RECONNECT_BACKOFF_S = (0.1, 0.5, 1.0, 2.0, 5.0)
YIELD_EVERY = 64  # messages read before the reader lets other tasks run

MESSAGE_TYPES = ("message", "smessage")
ANSWER_TYPES = ("subscribe", "unsubscribe", "ssubscribe", "sunsubscribe")

OnMessage = Callable[[str | bytes], Awaitable[None]]
OnSubscribed = Callable[[], Awaitable[None]]


@dataclass(eq=False)
class _Subscription:
    """One showtime channel: whether a local watcher wants it, and what the server still owes."""

    latest: asyncio.Future[None]  # answered SUBSCRIBE; done while subscribed on this connection
    wanted: bool = True
    owed: collections.deque[asyncio.Future[None] | None] = field(default_factory=collections.deque)
    # ^ one entry per command sent and not yet answered, oldest first (None: an UNSUBSCRIBE)


class Subscriptions:
    """See the module docstring. Needs a client with ``decode_responses=True``."""

    def __init__(
        self,
        redis: aioredis.Redis,
        on_message: OnMessage,
        on_subscribed: OnSubscribed,
        *,
        sharded: bool = False,
    ) -> None:
        """``redis``: a plain client (of the node that owns the channels when ``sharded``) or a
        RedisCluster, whose nodes are tried in turn."""
        self.sharded = sharded
        self.failures = 0  # connections lost in a row (the sharded router watches it)
        self.name = f"{NAME_PREFIX}:{secrets.token_hex(6)}"
        self.ready = asyncio.Event()  # set once the first connection is subscribed and read
        self._redis = redis
        self._on_message = on_message
        self._on_subscribed = on_subscribed
        self._channels: dict[str, _Subscription] = {}
        self._outbox: list[tuple[bool, str]] = []  # (subscribe?, channel) in the order asked
        self._outbox_filled = asyncio.Event()

    def channels(self) -> set[str]:
        """The channels subscribed or being subscribed (those a local watcher wants)."""
        return {name for name, sub in self._channels.items() if sub.wanted}

    def add(self, channel: str) -> None:
        """Subscribe to ``channel`` (not wanted until now)."""
        sub = self._channels.get(channel)
        latest = asyncio.get_running_loop().create_future()
        if sub is None:
            sub = self._channels[channel] = _Subscription(latest)
        else:
            sub.wanted, sub.latest = True, latest
        self._send(sub, channel, latest)

    def remove(self, channel: str) -> None:
        """Unsubscribe from ``channel``."""
        sub = self._channels.get(channel)
        if sub is not None and sub.wanted:
            sub.wanted = False
            self._send(sub, channel, None)

    async def confirmed(self, channel: str, timeout_s: float) -> bool:
        """Whether the server has confirmed the subscription to ``channel`` (waiting up to
        ``timeout_s``): from then on, every change published on it reaches this process."""
        sub = self._channels.get(channel)
        if sub is None or not sub.wanted:
            return False
        latest = sub.latest
        if not latest.done():
            await asyncio.wait({latest}, timeout=timeout_s)
        return latest.done() and not latest.cancelled()

    def _send(self, sub: _Subscription, channel: str, answer: asyncio.Future[None] | None) -> None:
        """Queue a SUBSCRIBE (settling ``answer``) or, without an answer, an UNSUBSCRIBE."""
        sub.owed.append(answer)
        self._outbox.append((answer is not None, channel))
        self._outbox_filled.set()

    # -- the connection -----------------------------------------------------------------------

    async def run(self) -> None:
        """Hold a subscribed connection and read it until cancelled, replacing it when lost."""
        while True:
            client = self._node_client()
            pubsub = client.pubsub()
            try:
                await self._session(pubsub)
            except (RedisError, OSError) as exc:
                LOST.inc()
                delay = RECONNECT_BACKOFF_S[min(self.failures, len(RECONNECT_BACKOFF_S) - 1)]
                self.failures += 1
                log.warning("seat-change subscription lost (%s); retrying in %.1fs", exc, delay)
                self._start_over()
                await asyncio.sleep(delay)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
                if client is not self._redis:
                    await client.aclose()

    def _node_client(self) -> aioredis.Redis:
        """The client to subscribe with: ours, or on a cluster one of its masters (another one
        after each loss: the cluster's map of its nodes is refreshed by its own commands)."""
        if not isinstance(self._redis, RedisCluster):
            return self._redis
        nodes = self._redis.get_primaries() or self._redis.get_nodes()
        node = random.choice(nodes)
        return aioredis.Redis(host=node.host, port=node.port, decode_responses=True)

    async def _session(self, pubsub: PubSub) -> None:
        """Subscribe a new connection to every wanted channel, then read it and send the commands
        asked for meanwhile, until one of the two fails."""
        channels = self._start_over()
        await pubsub.execute_command("CLIENT", "SETNAME", self.name)
        with contextlib.suppress(ResponseError):  # a server that refuses names is served all the same
            await pubsub.parse_response(block=True)
        if self.sharded:
            for channel in channels:  # one command a channel: SSUBSCRIBE keeps to one slot
                await pubsub.ssubscribe(channel)
            await pubsub.subscribe(self.name)  # answered after every SSUBSCRIBE above
        else:
            await pubsub.subscribe(*channels, self.name)
        tasks = [asyncio.create_task(self._read(pubsub)), asyncio.create_task(self._write(pubsub))]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await stop_tasks(tasks)
        for task in done:
            task.result()
        raise RedisConnectionError("the seat-change subscription ended")

    def _start_over(self) -> list[str]:
        """Forget what was sent on the last connection: the next one subscribes every wanted
        channel in its first command, and new watchers wait for that answer."""
        self._outbox.clear()
        wanted = []
        for channel, sub in list(self._channels.items()):
            for answer in sub.owed:
                if answer is not None and answer is not sub.latest:
                    answer.cancel()  # a watcher that left still waits: it goes on unconfirmed
            if not sub.wanted:
                sub.latest.cancel()
                del self._channels[channel]
                continue
            if sub.latest.done():
                sub.latest = asyncio.get_running_loop().create_future()
            sub.owed = collections.deque([sub.latest])
            wanted.append(channel)
        return wanted

    async def _write(self, pubsub: PubSub) -> None:
        """Send SUBSCRIBE and UNSUBSCRIBE in the order asked, a run of the same kind as one command."""
        while True:
            await self._outbox_filled.wait()
            self._outbox_filled.clear()
            batch, self._outbox = self._outbox, []
            for subscribe, run in itertools.groupby(batch, key=lambda command: command[0]):
                channels = [channel for _, channel in run]
                if self.sharded:  # one command a channel: SSUBSCRIBE keeps to one slot
                    for channel in channels:
                        await (pubsub.ssubscribe if subscribe else pubsub.sunsubscribe)(channel)
                elif subscribe:
                    await pubsub.subscribe(*channels)
                else:
                    await pubsub.unsubscribe(*channels)

    async def _read(self, pubsub: PubSub) -> None:
        """Pass each message on, and settle what each subscribe and unsubscribe answer settles."""
        channels = self._channels
        read = 0
        async for message in pubsub.listen():
            if message["type"] in MESSAGE_TYPES:
                sub = channels.get(message["channel"])
                if sub is not None and sub.wanted and not sub.owed:
                    await self._on_message(message["data"])
                read += 1
                if read % YIELD_EVERY == 0:
                    # A busy connection keeps redis-py's buffer full, so reading never waits:
                    # give the sockets their turn.
                    await asyncio.sleep(0)
            elif message["type"] in ANSWER_TYPES:
                await self._answered(message["channel"])

    async def _answered(self, channel: str) -> None:
        if channel == self.name:  # the last channel of a new connection's first SUBSCRIBE
            if self.failures:
                log.warning("seat-change subscription restored")
            self.failures = 0
            self.ready.set()
            await self._on_subscribed()
            return
        sub = self._channels.get(channel)
        if sub is None or not sub.owed:
            return
        answer = sub.owed.popleft()
        if answer is not None and not answer.done():
            answer.set_result(None)
        if not sub.wanted and not sub.owed:
            del self._channels[channel]
