"""The fan-out hub: one Redis pub/sub connection per process, shared by every local seat-map socket.

The engine publishes each change of a showtime's seats on that showtime's channel
(``keys.seat_changes``) with the showtime's next sequence number. The hub keeps a ``_Channel`` for
each showtime that has local watchers and is subscribed to its channel for exactly that long
(seatcore.live.subscriptions), so a process hears only the showtimes its sockets watch. A socket
reads its first frame once the subscription is confirmed, so no change can fall between that frame
and the deltas. The hub checks that sequence numbers follow on (filling a gap from the engine's
change log, or telling the watchers to resync when the log no longer reaches), and sends at most
one delta per coalescing window: a change after a quiet spell goes out at once, the changes that
follow within the window go out together at its end. Each delta is encoded once for everyone and
once more for each moviegoer with a hold in it, who alone is sent that hold's id
(seatcore.live.frames); every watcher is handed one of those shared texts.

A ``Watcher`` is one socket's bounded queue of frames. Offering a frame never waits: a watcher
whose queue is full is ended with close code 4000 (resync) and dropped, so a slow phone never
slows the others. A heartbeat task pings, each ``ping_interval_s``, every watcher that was sent
nothing in that time, and ends those the client has not been heard from for ``idle_timeout_s``;
the same tick audits each channel against the showtime's sequence number in Redis, so a message
lost while the subscription reconnected (or one a socket did not wait for) is replayed from the
change log within one tick. A new connection is audited as soon as it is subscribed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import redis.asyncio as aioredis
from prometheus_client import Counter, Gauge
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisError

from seatcore import keys
from seatcore.live.frames import Frame, SeatChange
from seatcore.live.protocol import CloseCode
from seatcore.live.shards import ShardedSubscriptions
from seatcore.live.subscriptions import Subscriptions
from seatcore.tasks import stop_tasks
from seatcore.types import ShowtimeId, UserId

log = logging.getLogger("seatcore.live")

WATCHERS = Gauge("seatcore_live_watchers", "Open seat-map sockets", multiprocess_mode="livesum")
SHOWTIMES = Gauge(
    "seatcore_live_showtimes", "Showtimes watched (channels subscribed)", multiprocess_mode="livesum"
)
UNCONFIRMED = Counter(
    "seatcore_live_unconfirmed_total", "Sockets that took their first frame before their subscription"
)
FRAMES_SENT = Counter("seatcore_live_frames_sent_total", "Frames written to seat-map sockets")
SLOW_CLOSED = Counter("seatcore_live_slow_closed_total", "Sockets closed for not keeping up")
MALFORMED = Counter("seatcore_live_malformed_total", "Unreadable messages on the seat-change channels")
RESYNCS = Counter("seatcore_live_resyncs_total", "Channels whose watchers were told to resync", ["why"])
MAX_FOREIGN_EPOCHS = 64
MALFORMED_LOG_INTERVAL_S = 60.0
# A confirmation is one round trip. Far longer means the connection is down: the socket then reads
# its first frame all the same, and the audit of the restored connection (or the next heartbeat's)
# replays what it missed, rather than keeping a moviegoer in front of an empty map.
SUBSCRIBE_WAIT_S = 2.0


class DeltaView(Protocol):
    """One entry of the engine's change log: every seat change of one sequence number."""

    @property
    def seq(self) -> int: ...
    @property
    def changes(self) -> Sequence[Mapping[str, Any]]: ...


class SeatSource(Protocol):
    """The engine as the hub uses it (seatcore.engine.service.SeatEngine satisfies this)."""

    async def changes_since(
        self, showtime_id: int, since_seq: int, epoch: str | None = None
    ) -> Sequence[DeltaView] | None: ...


class Watcher:
    """One socket's side of the hub: frames waiting to be sent, and why it must end, if it must."""

    __slots__ = (
        "_hub",
        "ended",
        "ending",
        "epoch",
        "frames",
        "last_heard",
        "last_sent",
        "ping_due",
        "pongs_due",
        "sent_seq",
        "showtime_id",
        "user_id",
        "wakeup",
    )

    def __init__(self, hub: LiveHub, showtime_id: ShowtimeId, user_id: UserId | None = None) -> None:
        self._hub = hub
        self.showtime_id = showtime_id
        self.user_id = user_id  # the signed-in moviegoer, sent the ids of their own holds only
        self.frames: collections.deque[Frame] = collections.deque()
        self.wakeup = asyncio.Event()
        self.ending: tuple[int, str] | None = None
        self.ended = asyncio.Event()
        self.ping_due = False
        self.pongs_due = 0
        self.last_heard = self.last_sent = time.monotonic()
        self.sent_seq: int | None = None  # None until the first frame (snapshot or replay) is sent
        self.epoch: str | None = None

    def offer(self, frame: Frame) -> None:
        """Queue a frame without waiting; a full queue ends the watcher (slow consumer)."""
        if self.ending is not None:
            return
        if len(self.frames) >= self._hub.queue_frames:
            SLOW_CLOSED.inc()
            self.end(CloseCode.RESYNC, "too slow: reconnect with since")
            return
        self.frames.append(frame)
        self.wakeup.set()

    def heard(self) -> None:
        self.last_heard = time.monotonic()

    def sent(self, seq: int) -> None:
        self.sent_seq = seq
        self.last_sent = time.monotonic()

    def want_pong(self) -> None:
        self.pongs_due += 1
        self.wakeup.set()

    def end(self, code: int, reason: str) -> None:
        """Stop feeding this watcher; its socket closes with ``code`` (first reason wins)."""
        if self.ending is None:
            self.ending = (code, reason)
            self.frames.clear()
            self.wakeup.set()
            self.ended.set()
            self._hub.forget(self)


@dataclass(eq=False)
class _Channel:
    """The hub's view of one showtime with local watchers."""

    showtime_id: ShowtimeId
    watchers: set[Watcher] = field(default_factory=set)
    epoch: str | None = None
    foreign_epochs: set[str] = field(default_factory=set)
    last_seq: int | None = None  # the last sequence number accepted into the stream
    join_floor: int | None = None  # lowest snapshot seq of a watcher, before any message came
    pending: dict[str, SeatChange] = field(default_factory=dict)
    pending_from: int = 0
    flush: asyncio.Handle | None = None
    flushed_at: float = float("-inf")  # loop time of the last frame
    catching_up: asyncio.Lock = field(default_factory=asyncio.Lock)


class LiveHub:
    """Subscribes to the watched showtimes, fans out to local watchers; see the module docstring.

    ``redis`` must decode responses."""

    def __init__(
        self,
        redis: aioredis.Redis,
        source: Callable[[], SeatSource],
        *,
        coalesce_ms: int,
        queue_frames: int,
        ping_interval_s: float,
        idle_timeout_s: float,
        max_sockets_per_ip: int,
        channel_prefix: str = keys.SEAT_CHANGES,
        shard_channels: bool = False,
    ) -> None:
        """``shard_channels``: the engine publishes on shard channels (a Redis 7 Cluster)."""
        self._redis = redis
        self._source = source
        self.coalesce_s = coalesce_ms / 1000
        self.queue_frames = queue_frames
        self.ping_interval_s = ping_interval_s
        self.idle_timeout_s = idle_timeout_s
        self.max_sockets_per_ip = max_sockets_per_ip
        self._channel_prefix = channel_prefix
        self._shard_channels = shard_channels
        self.subscriptions: Subscriptions | ShardedSubscriptions = (
            ShardedSubscriptions(redis, self._on_message, self._audit_all)
            if shard_channels and isinstance(redis, RedisCluster)
            else Subscriptions(redis, self._on_message, self._audit_all)
        )
        self.ready = self.subscriptions.ready  # the reader runs
        self._channels: dict[ShowtimeId, _Channel] = {}
        self._sockets_by_ip: collections.Counter[str] = collections.Counter()
        self._malformed_logged_at = -MALFORMED_LOG_INTERVAL_S

    # -- sockets ------------------------------------------------------------------------------

    def admit(self, ip: str) -> bool:
        """Count a socket from ``ip``; False (and not counted) when the address is at its cap."""
        if self.max_sockets_per_ip and self._sockets_by_ip[ip] >= self.max_sockets_per_ip:
            return False
        self._sockets_by_ip[ip] += 1
        return True

    def watching(self, showtime_id: ShowtimeId) -> int:
        """How many local sockets watch the showtime."""
        channel = self._channels.get(showtime_id)
        return len(channel.watchers) if channel is not None else 0

    def latest_seq(self, showtime_id: ShowtimeId, sent_seq: int) -> int:
        """The newest seq this process has for the showtime, for pings: a client that is still
        behind it at the next ping has lost frames."""
        channel = self._channels.get(showtime_id)
        if channel is None or channel.last_seq is None:
            return sent_seq
        return max(sent_seq, channel.last_seq)

    def sockets_from(self, ip: str) -> int:
        return self._sockets_by_ip[ip]

    def leave(self, ip: str) -> None:
        self._sockets_by_ip[ip] -= 1
        if self._sockets_by_ip[ip] <= 0:
            del self._sockets_by_ip[ip]

    def watch(self, showtime_id: ShowtimeId, user_id: UserId | None = None) -> Watcher:
        """Register a watcher *before* its snapshot is taken (and wait for ``subscribed`` before
        taking it), so no change can fall in between."""
        channel = self._channels.get(showtime_id)
        if channel is None:
            channel = self._channels[showtime_id] = _Channel(showtime_id)
            self.subscriptions.add(self._channel_name(showtime_id))
            SHOWTIMES.inc()
        watcher = Watcher(self, showtime_id, user_id)
        channel.watchers.add(watcher)
        WATCHERS.inc()
        return watcher

    async def subscribed(self, watcher: Watcher) -> bool:
        """Wait until every change of the watcher's showtime from now on will reach this process,
        or give up after ``SUBSCRIBE_WAIT_S``: False means the heartbeat's audit fills in."""
        name = self._channel_name(watcher.showtime_id)
        if await self.subscriptions.confirmed(name, SUBSCRIBE_WAIT_S):
            return True
        if watcher.ending is None:
            UNCONFIRMED.inc()  # the lost connection is logged once, not here for each socket
        return False

    def _channel_name(self, showtime_id: ShowtimeId) -> str:
        return keys.seat_changes(showtime_id, self._channel_prefix, sharded=self._shard_channels)

    async def joined(self, watcher: Watcher, epoch: str, seq: int) -> None:
        """The watcher's client now holds the state at (epoch, seq)."""
        watcher.epoch, watcher.sent_seq = epoch, seq
        channel = self._channels.get(watcher.showtime_id)
        if channel is None or watcher.ending is not None:
            return
        if channel.epoch is None:
            channel.epoch = epoch
        elif channel.epoch != epoch:
            # One of the two is stale: the showtime was rebuilt under a new epoch. Redis knows which.
            try:
                current = await self._redis.get(keys.show_epoch(watcher.showtime_id))
            except RedisError:
                current = None
            if current != epoch:
                watcher.end(CloseCode.RESYNC, "the seat map changed under you: reconnect with since")
                return
            self._new_epoch(channel, epoch, "epoch")
        if channel.last_seq is None:
            floor = channel.join_floor
            channel.join_floor = seq if floor is None else min(floor, seq)

    def forget(self, watcher: Watcher) -> None:
        channel = self._channels.get(watcher.showtime_id)
        if channel is None or watcher not in channel.watchers:
            return
        channel.watchers.discard(watcher)
        WATCHERS.dec()
        if not channel.watchers:
            if channel.flush is not None:
                channel.flush.cancel()
            del self._channels[watcher.showtime_id]
            self.subscriptions.remove(self._channel_name(watcher.showtime_id))
            SHOWTIMES.dec()

    def close_all(self, code: int, reason: str) -> None:
        for channel in list(self._channels.values()):
            for watcher in list(channel.watchers):
                watcher.end(code, reason)

    # -- the stream of changes ----------------------------------------------------------------

    async def run(self) -> None:
        """Read the subscribed channels until cancelled, resubscribing after a lost connection."""
        await self.subscriptions.run()

    async def _on_message(self, data: str | bytes) -> None:
        try:
            message = orjson.loads(data)
            showtime_id, seq, changes = message["showtime_id"], message["seq"], message["changes"]
            epoch = message.get("epoch")
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            MALFORMED.inc()
            now = time.monotonic()
            if now - self._malformed_logged_at > MALFORMED_LOG_INTERVAL_S:
                self._malformed_logged_at = now
                log.error("ignoring malformed seat-change messages, such as %.200r", data)
            return
        channel = self._channels.get(showtime_id)
        if channel is None:
            return
        if epoch is not None and epoch != channel.epoch and not await self._adopt(channel, epoch):
            return
        if not self._accept(channel, seq, changes):
            await self._catch_up(channel)
            if channel.last_seq is None or seq > channel.last_seq:
                self._accept(channel, seq, changes)

    async def _adopt(self, channel: _Channel, epoch: str) -> bool:
        """Whether a message of another epoch than the channel's is the showtime's current one.

        Pub/sub ignores database numbers, so another deployment (or test run) sharing the Redis
        server can publish for the same showtime id; its epochs, like stale ones, are not the one
        in this database and their messages are dropped."""
        if epoch in channel.foreign_epochs:
            return False
        current = await self._redis.get(keys.show_epoch(channel.showtime_id))
        if current != epoch:
            if len(channel.foreign_epochs) < MAX_FOREIGN_EPOCHS:
                channel.foreign_epochs.add(epoch)
            return False
        if channel.epoch is None:
            channel.epoch = epoch
        else:
            self._new_epoch(channel, epoch, "epoch")
        return True

    def _accept(self, channel: _Channel, seq: int, changes: Sequence[Mapping[str, Any]]) -> bool:
        """Take the next change into the pending frame. Old ones are ignored (they were
        replayed, or came before every watcher's snapshot). False means a gap before ``seq``."""
        last = channel.last_seq
        if last is None:
            floor = channel.join_floor
            if floor is not None and seq > floor + 1:
                channel.last_seq = floor
                return False
            if floor is not None and seq <= floor:
                return True
        elif seq <= last:
            return True
        elif seq != last + 1:
            return False
        if not channel.pending:
            channel.pending_from = seq
            # At most one frame per window: a change after a quiet spell goes out at once (with
            # whatever arrives in the same read), later ones wait for the window to end.
            loop = asyncio.get_running_loop()
            due = channel.flushed_at + self.coalesce_s
            if due <= loop.time():
                channel.flush = loop.call_soon(self._flush, channel)
            else:
                channel.flush = loop.call_at(due, self._flush, channel)
        for change in changes:
            seat_change = SeatChange.from_engine(change)
            channel.pending[seat_change.seat] = seat_change
        channel.last_seq = seq
        return True

    def _flush(self, channel: _Channel) -> None:
        channel.flush = None
        channel.flushed_at = asyncio.get_running_loop().time()
        if not channel.pending or channel.last_seq is None:
            return
        changes = list(channel.pending.values())
        channel.pending = {}
        frame = Frame(channel.pending_from, channel.last_seq, changes)
        for watcher in list(channel.watchers):
            watcher.offer(frame)

    async def _catch_up(self, channel: _Channel) -> None:
        """Replay what the channel missed from the engine's change log, or resync its watchers."""
        async with channel.catching_up:
            since = channel.last_seq if channel.last_seq is not None else channel.join_floor
            if since is None or channel.epoch is None:
                return
            deltas = await self._source().changes_since(channel.showtime_id, since, channel.epoch)
            if deltas is None:
                self._restart(channel, "log")
                return
            if channel.last_seq is None:
                channel.last_seq = since
            for delta in deltas:
                if not self._accept(channel, delta.seq, delta.changes):
                    self._restart(channel, "log")
                    return

    def _restart(self, channel: _Channel, why: str) -> None:
        """The stream cannot go on from where the watchers are: all of them resync."""
        RESYNCS.labels(why).inc()
        for watcher in list(channel.watchers):
            watcher.end(CloseCode.RESYNC, "missed changes: reconnect with since")
        self._clear(channel, floor=None)

    def _new_epoch(self, channel: _Channel, epoch: str, why: str) -> None:
        """The showtime was rebuilt: watchers of the old epoch resync, the stream starts afresh."""
        RESYNCS.labels(why).inc()
        channel.epoch = epoch
        floors = []
        for watcher in list(channel.watchers):
            if watcher.sent_seq is None:
                continue  # still reading its first frame; joined() checks its epoch
            if watcher.epoch != epoch:
                watcher.end(CloseCode.RESYNC, "the seat map changed under you: reconnect with since")
            else:
                floors.append(watcher.sent_seq)
        self._clear(channel, floor=min(floors) if floors else None)

    def _clear(self, channel: _Channel, floor: int | None) -> None:
        if channel.flush is not None:
            channel.flush.cancel()
            channel.flush = None
        channel.pending = {}
        channel.last_seq = None
        channel.join_floor = floor

    # -- heartbeat and audit --------------------------------------------------------------------

    async def heartbeat(self) -> None:
        """Every ping interval: end idle watchers, ping the quiet ones, audit every channel.

        A watcher sent a delta within the interval needs no ping: the delta told it the seq."""
        while True:
            await asyncio.sleep(self.ping_interval_s)
            now = time.monotonic()
            silent_since, quiet_since = now - self.idle_timeout_s, now - self.ping_interval_s
            for channel in list(self._channels.values()):
                for watcher in list(channel.watchers):
                    if watcher.last_heard < silent_since:
                        watcher.end(CloseCode.IDLE_TIMEOUT, "nothing heard from you: reconnect with since")
                    elif watcher.sent_seq is not None and watcher.last_sent <= quiet_since:
                        watcher.ping_due = True
                        watcher.wakeup.set()
            try:
                await self._audit_all()
            except RedisError as exc:
                log.warning("seat-map audit skipped: %s", exc)

    async def _audit_all(self) -> None:
        """Compare each channel with the showtime's seq and epoch in Redis; replay what is missing."""
        channels = [c for c in self._channels.values() if c.epoch is not None]
        if not channels:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel in channels:
                pipe.get(keys.show_seq(channel.showtime_id))
                pipe.get(keys.show_epoch(channel.showtime_id))
            replies = await pipe.execute()
        for index, channel in enumerate(channels):
            seq_raw, epoch = replies[2 * index], replies[2 * index + 1]
            if epoch is not None and epoch != channel.epoch:
                self._new_epoch(channel, epoch, "epoch")
                continue
            known = channel.last_seq if channel.last_seq is not None else channel.join_floor
            if seq_raw is not None and known is not None and int(seq_raw) > known:
                await self._catch_up(channel)


@contextlib.asynccontextmanager
async def running(hub: LiveHub) -> AsyncIterator[LiveHub]:
    """Run the hub's reader and heartbeat for the duration; on exit close every socket (1001)."""
    tasks = [asyncio.create_task(hub.run()), asyncio.create_task(hub.heartbeat())]
    try:
        yield hub
    finally:
        hub.close_all(CloseCode.GOING_AWAY, "the server is restarting: reconnect with since")
        await stop_tasks(tasks)
