"""The order stream ``sc:orders``: paid (and late-refunded) orders on their way to MySQL.

Writers read it as one consumer group, so each message goes to one writer; a message stays in the
group's pending list until its writer acknowledges it after the MySQL commit. A writer that dies
leaves its messages pending: another takes them over as soon as the dead writer's process lease
has lapsed (``claim_from``: one script, so of several writers each message goes to one), and any
writer's messages idle for ``claim_idle_ms`` with XAUTOCLAIM (Redis 6.2), which catches a writer
that is alive but stuck. Acknowledged messages are deleted, so the stream holds only work not yet
done and never needs trimming (trimming could drop unwritten orders).

If Redis lost the group (a restart without persistence, a flush) it is made again on first use.

On a Redis Cluster one stream would put every paid order on one node, and its scripts and
transactions could not name two streams: the stream is cut into ``keys.ORDER_STREAM_SHARDS``
shards, each a stream with its group in a slot of its own (an order goes to its showtime's shard).
A message id then names its shard (``SHARD/ENTRY``); writers read, claim and acknowledge shard by
shard, blocking on one shard at a time in turn so that a writer holds one connection while idle.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import ResponseError

from seatcore import keys
from seatcore.orders.ids import cinema_of_snack_order, showtime_of
from seatcore.orders.records import Order

GROUP = "writers"
DEAD_LETTERS = f"{keys.ORDER_STREAM}:dead"  # messages no writer can read: kept for an operator

# KEYS[1] the stream; ARGV[1] the group, ARGV[2] the consumer given up for dead, ARGV[3] the one
# taking over, ARGV[4] how many at most. Answers XCLAIM's entries. Listing and claiming in one
# script is what makes each message go to exactly one of the writers taking over at once.
_CLAIM_FROM = """
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', ARGV[4], ARGV[2])
if #pending == 0 then return {} end
local ids = {}
for i, entry in ipairs(pending) do ids[i] = entry[1] end
return redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, unpack(ids))
"""


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    raw: str | None  # None: the entry was deleted before it could be claimed


class OrderStream:
    def __init__(
        self,
        redis: aioredis.Redis,
        key: str = keys.ORDER_STREAM,
        group: str = GROUP,
        *,
        shards: int | None = None,
    ) -> None:
        """``shards``: how many streams (by default ``keys.ORDER_STREAM_SHARDS`` on a cluster,
        else one, named ``key`` itself)."""
        self._redis = redis
        self.key = key
        self.group = group
        if shards is None:
            shards = keys.ORDER_STREAM_SHARDS if isinstance(redis, RedisCluster) else 1
        self.shards = shards
        self.keys = [key] if shards == 1 else [keys.order_stream_shard(key, n) for n in range(shards)]
        self._turn = 0  # the shard a blocking read waits on next
        self._claim_from = redis.register_script(_CLAIM_FROM)

    @property
    def redis(self) -> aioredis.Redis:
        return self._redis

    def _id(self, shard: int, entry: str) -> str:
        return entry if self.shards == 1 else f"{shard}/{entry}"

    def _split(self, message_id: str) -> tuple[int, str]:
        if self.shards == 1:
            return 0, message_id
        shard, _, entry = message_id.partition("/")
        return int(shard), entry

    async def ensure_group(self) -> None:
        """Create the streams and their groups if missing; from id 0, so nothing queued is skipped."""
        for key in self.keys:
            try:
                await self._redis.xgroup_create(key, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def add(self, order: Order) -> str:
        """Queue the order on its showtime's shard (snacks alone: its cinema's); answers the
        message id."""
        shard = (showtime_of(order.id) or cinema_of_snack_order(order.id) or 0) % self.shards
        return self._id(shard, str(await self._redis.xadd(self.keys[shard], {"order": order.to_json()})))

    async def waiting(self, message_id: str) -> bool:
        """Whether the message is still on the stream (not yet landed and acknowledged)."""
        shard, entry = self._split(message_id)
        if shard >= self.shards:
            return False
        return bool(await self._redis.xrange(self.keys[shard], min=entry, max=entry, count=1))

    async def read(
        self, consumer: str, *, count: int, block_ms: int | None, own_pending: bool
    ) -> list[Message]:
        """New messages for this consumer, or (``own_pending``) those it read but never acknowledged."""
        messages: list[Message] = []
        for shard in range(self.shards):  # every shard without waiting, first
            messages += await self._read_shard(shard, consumer, count - len(messages), None, own_pending)
            if len(messages) >= count:
                return messages
        if messages or own_pending or block_ms is None:
            return messages
        self._turn = (self._turn + 1) % self.shards
        return await self._read_shard(self._turn, consumer, count, max(1, block_ms // self.shards), False)

    async def _read_shard(
        self, shard: int, consumer: str, count: int, block_ms: int | None, own_pending: bool
    ) -> list[Message]:
        start = "0" if own_pending else ">"
        key = self.keys[shard]
        answer = await self._with_group(
            lambda: self._redis.xreadgroup(self.group, consumer, {key: start}, count=count, block=block_ms)
        )
        return [
            Message(self._id(shard, str(entry_id)), fields.get("order") if fields else None)
            for _stream, entries in answer or []
            for entry_id, fields in entries
        ]

    async def claim(self, consumer: str, *, min_idle_ms: int, count: int) -> list[Message]:
        """Take over messages other consumers left idle for at least ``min_idle_ms``."""
        messages: list[Message] = []
        for shard, key in enumerate(self.keys):
            answer = await self._with_group(
                functools.partial(
                    self._redis.xautoclaim, key, self.group, consumer, min_idle_ms, "0-0", count=count
                )
            )
            # Redis 7 answers [next, entries, deleted ids]; 6.2 lists deleted entries with nil fields.
            entries = answer[1] if answer else []
            messages += [
                Message(self._id(shard, str(entry_id)), fields.get("order") if fields else None)
                for entry_id, fields in entries
                if entry_id is not None
            ]
            if len(answer) > 2:
                messages += [Message(self._id(shard, str(entry_id)), None) for entry_id in answer[2]]
            if len(messages) >= count:
                break
        return messages

    async def claim_from(self, owner: str, consumer: str, *, count: int) -> list[Message]:
        """Take over the messages ``owner`` (a writer known dead) has read but not acknowledged."""
        messages: list[Message] = []
        for shard, key in enumerate(self.keys):
            answer = await self._with_group(
                functools.partial(self._claim_from, keys=[key], args=[self.group, owner, consumer, count])
            )
            for entry in answer or []:
                if not entry:  # Redis 6.2: an entry deleted after it was read
                    continue
                entry_id, flat = entry[0], entry[1] or []
                fields = dict(zip(flat[::2], flat[1::2], strict=True))
                raw = fields.get("order", fields.get(b"order"))
                messages.append(
                    Message(self._id(shard, _text(entry_id)), _text(raw) if raw is not None else None)
                )
            if len(messages) >= count:
                break
        return messages

    async def _pending_summaries(self) -> list[dict[str, Any]]:
        summaries = []
        for key in self.keys:
            try:
                summaries.append(await self._redis.xpending(key, self.group))
            except ResponseError:
                continue
        return summaries

    async def pending_owners(self) -> list[str]:
        """The consumers holding messages they have not acknowledged."""
        owners = [
            _text(consumer["name"])
            for summary in await self._pending_summaries()
            for consumer in summary.get("consumers") or []
        ]
        return list(dict.fromkeys(owners))

    async def ack(self, ids: list[str]) -> None:
        """Done with these messages: acknowledge and delete them in one step (per shard)."""
        by_shard: dict[int, list[str]] = {}
        for message_id in ids:
            shard, entry = self._split(message_id)
            by_shard.setdefault(shard, []).append(entry)
        for shard, entries in by_shard.items():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xack(self.keys[shard], self.group, *entries)
                pipe.xdel(self.keys[shard], *entries)
                await pipe.execute()

    async def bury(self, message: Message, problem: str) -> None:
        """Move a message no writer can read to the dead-letter stream (never silently drop it)."""
        await self._redis.xadd(DEAD_LETTERS, {"id": message.id, "raw": message.raw or "", "problem": problem})
        await self.ack([message.id])

    async def pending_count(self) -> int:
        return sum(int(summary["pending"]) for summary in await self._pending_summaries())

    async def length(self) -> int:
        return sum([int(await self._redis.xlen(key)) for key in self.keys])

    async def forget_idle_consumers(self, idle_ms: int) -> None:
        """Drop consumers long gone that hold nothing (each process start adds one)."""
        for key in self.keys:
            try:
                consumers = await self._redis.xinfo_consumers(key, self.group)
            except ResponseError:
                continue
            for consumer in consumers:
                if int(consumer["pending"]) == 0 and int(consumer["idle"]) > idle_ms:
                    await self._redis.xgroup_delconsumer(key, self.group, consumer["name"])

    async def _with_group(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """``call``, again after making the groups when Redis answers that one is missing."""
        try:
            return await call()
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
        await self.ensure_group()
        return await call()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
