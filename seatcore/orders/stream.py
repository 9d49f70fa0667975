"""The order stream ``sc:orders``: paid (and late-refunded) orders on their way to MySQL.

Writers read it as one consumer group, so each message goes to one writer; a message stays in the
group's pending list until its writer acknowledges it after the MySQL commit. A writer that dies
leaves its messages pending: another takes them over as soon as the dead writer's process lease
has lapsed (``claim_from``: one script, so of several writers each message goes to one), and any
writer's messages idle for ``claim_idle_ms`` with XAUTOCLAIM (Redis 6.2), which catches a writer
that is alive but stuck. Acknowledged messages are deleted, so the stream holds only work not yet
done and never needs trimming (trimming could drop unwritten orders).

If Redis lost the group (a restart without persistence, a flush) it is made again on first use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from seatcore import keys
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
    def __init__(self, redis: aioredis.Redis, key: str = keys.ORDER_STREAM, group: str = GROUP) -> None:
        self._redis = redis
        self.key = key
        self.group = group
        self._claim_from = redis.register_script(_CLAIM_FROM)

    @property
    def redis(self) -> aioredis.Redis:
        return self._redis

    async def ensure_group(self) -> None:
        """Create the stream and its group if missing; from id 0, so nothing already queued is skipped."""
        try:
            await self._redis.xgroup_create(self.key, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def add(self, order: Order) -> str:
        return str(await self._redis.xadd(self.key, {"order": order.to_json()}))

    async def read(
        self, consumer: str, *, count: int, block_ms: int | None, own_pending: bool
    ) -> list[Message]:
        """New messages for this consumer, or (``own_pending``) those it read but never acknowledged."""
        start = "0" if own_pending else ">"
        answer = await self._with_group(
            lambda: self._redis.xreadgroup(
                self.group, consumer, {self.key: start}, count=count, block=None if own_pending else block_ms
            )
        )
        messages: list[Message] = []
        for _stream, entries in answer or []:
            for entry_id, fields in entries:
                messages.append(Message(str(entry_id), fields.get("order") if fields else None))
        return messages

    async def claim(self, consumer: str, *, min_idle_ms: int, count: int) -> list[Message]:
        """Take over messages other consumers left idle for at least ``min_idle_ms``."""
        answer = await self._with_group(
            lambda: self._redis.xautoclaim(self.key, self.group, consumer, min_idle_ms, "0-0", count=count)
        )
        # Redis 7 answers [next, entries, deleted ids]; 6.2 lists deleted entries with nil fields.
        entries = answer[1] if answer else []
        messages = [
            Message(str(entry_id), fields.get("order") if fields else None)
            for entry_id, fields in entries
            if entry_id is not None
        ]
        if len(answer) > 2:
            messages.extend(Message(str(entry_id), None) for entry_id in answer[2])
        return messages

    async def claim_from(self, owner: str, consumer: str, *, count: int) -> list[Message]:
        """Take over the messages ``owner`` (a writer known dead) has read but not acknowledged."""
        answer = await self._with_group(
            lambda: self._claim_from(keys=[self.key], args=[self.group, owner, consumer, count])
        )
        messages = []
        for entry in answer or []:
            if not entry:  # Redis 6.2: an entry deleted after it was read
                continue
            entry_id, flat = entry[0], entry[1] or []
            fields = dict(zip(flat[::2], flat[1::2], strict=True))
            raw = fields.get("order", fields.get(b"order"))
            messages.append(Message(_text(entry_id), _text(raw) if raw is not None else None))
        return messages

    async def pending_owners(self) -> list[str]:
        """The consumers holding messages they have not acknowledged."""
        try:
            summary = await self._redis.xpending(self.key, self.group)
        except ResponseError:
            return []
        return [_text(consumer["name"]) for consumer in summary.get("consumers") or []]

    async def ack(self, ids: list[str]) -> None:
        """Done with these messages: acknowledge and delete them in one step."""
        if not ids:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.key, self.group, *ids)
            pipe.xdel(self.key, *ids)
            await pipe.execute()

    async def bury(self, message: Message, problem: str) -> None:
        """Move a message no writer can read to the dead-letter stream (never silently drop it)."""
        await self._redis.xadd(DEAD_LETTERS, {"id": message.id, "raw": message.raw or "", "problem": problem})
        await self.ack([message.id])

    async def pending_count(self) -> int:
        try:
            summary = await self._redis.xpending(self.key, self.group)
        except ResponseError:
            return 0
        return int(summary["pending"])

    async def length(self) -> int:
        return int(await self._redis.xlen(self.key))

    async def forget_idle_consumers(self, idle_ms: int) -> None:
        """Drop consumers long gone that hold nothing (each process start adds one)."""
        try:
            consumers = await self._redis.xinfo_consumers(self.key, self.group)
        except ResponseError:
            return
        for consumer in consumers:
            if int(consumer["pending"]) == 0 and int(consumer["idle"]) > idle_ms:
                await self._redis.xgroup_delconsumer(self.key, self.group, consumer["name"])

    async def _with_group(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """``call``, again after making the group when Redis answers that it has none."""
        try:
            return await call()
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
        await self.ensure_group()
        return await call()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
