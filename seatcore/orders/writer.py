"""The MySQL writer: reads the order stream as one consumer of the ``writers`` group and lands batches.

One loop per writer: first its own unacknowledged messages (after a failed write), else new ones
(blocking briefly), and every ``claim_every_s`` those of other writers: at once the messages of a
writer known dead (its consumer name is its process's lease owner, seatcore.orders.lease, and the
lease has lapsed: killed, crashed), and as a fallback those idle for ``claim_idle_ms`` (a writer
alive but stuck). A batch is landed in one transaction with multi-row INSERTs; only after the
commit are its messages acknowledged, so a crash between the two lands the batch again, which
changes nothing (idempotent by order id). While MySQL is down every write fails, the messages stay
pending, and the writer retries them with a growing pause until it comes back (logging the outage
once, seatcore.outage_log).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.orders import store
from seatcore.orders.lease import ProcessLease, living
from seatcore.orders.records import Order
from seatcore.orders.stream import Message, OrderStream
from seatcore.outage_log import OutageLog

log = logging.getLogger(__name__)

BATCH_SIZE = 500
BLOCK_MS = 250  # also how long a stop waits for the read in progress
CLAIM_IDLE_MS = 30_000  # a live writer's messages are taken over only when this idle
CLAIM_EVERY_S = 1.0  # a dead writer's are taken over at the first pass after its lease lapsed
RETRY_FIRST_S = 0.2
RETRY_MAX_S = 5.0
FORGET_CONSUMERS_AFTER_MS = 24 * 3600 * 1000

Landed = Callable[[Sequence[Order]], Awaitable[None]]
Conflicted = Callable[[Order], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class StepResult:
    read: int
    landed: int


async def _nothing_landed(orders: Sequence[Order]) -> None:
    return None


class OrderWriter:
    def __init__(
        self,
        db: AsyncEngine,
        stream: OrderStream,
        *,
        consumer: str | None = None,
        lease: ProcessLease | None = None,
        batch_size: int = BATCH_SIZE,
        block_ms: int = BLOCK_MS,
        claim_idle_ms: int = CLAIM_IDLE_MS,
        claim_every_s: float = CLAIM_EVERY_S,
        on_landed: Landed = _nothing_landed,
        on_conflict: Conflicted | None = None,
    ) -> None:
        self.db = db
        self.stream = stream
        # The consumer name is the lease's owner: other writers tell from the lease that it is dead.
        self.lease = lease or ProcessLease(stream.redis, consumer)
        self.consumer = self.lease.owner
        self.batch_size = batch_size
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.claim_every_s = claim_every_s
        self._on_landed = on_landed
        self._on_conflict = on_conflict
        self._own_pending = True  # a fresh consumer has none, but a named one may
        self._next_claim = 0.0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Ask ``run`` to return after the round in progress (within about ``block_ms``).

        Stopping between rounds, rather than cancelling one, never interrupts a Redis transaction
        (the acknowledgement) halfway: a cancelled redis-py pipeline can leave its connection
        pool waiting forever.
        """
        self._stopping.set()

    async def run(self) -> None:
        """Land orders until ``stop``."""
        await self.stream.ensure_group()
        await self.stream.forget_idle_consumers(FORGET_CONSUMERS_AFTER_MS)
        pause = RETRY_FIRST_S
        outage = OutageLog(log, f"order writer {self.consumer}")
        while not self._stopping.is_set():
            try:
                await self.step()
                outage.succeeded()
                pause = RETRY_FIRST_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # MySQL or Redis away: keep the messages, try again shortly
                outage.failed(exc)
                self._own_pending = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), pause)
                pause = min(pause * 2, RETRY_MAX_S)

    async def step(self) -> StepResult:
        """One round: read (own pending first, then claimed and new), land, acknowledge."""
        await self.lease.keep_alive()  # a no-op while the app's heartbeat keeps the lease
        messages, own = await self._read()
        if not messages:
            return StepResult(0, 0)
        self._own_pending = True  # should this round fail, its messages are ours to retry
        landed = await self.land(messages)
        self._own_pending = own  # reading our own backlog: go on until it is empty
        return StepResult(len(messages), landed)

    async def land(self, messages: Sequence[Message]) -> int:
        """Land these messages and acknowledge them; answers how many orders are now in MySQL."""
        readable: list[tuple[Message, Order]] = []
        for message in messages:
            if message.raw is None:  # deleted after it was read: nothing left to write
                await self.stream.ack([message.id])
                continue
            try:
                readable.append((message, Order.from_json(message.raw)))
            except (ValueError, KeyError, TypeError) as exc:
                log.error("order message %s is unreadable, moved to dead letters: %s", message.id, exc)
                await self.stream.bury(message, f"unreadable: {exc}")
        if not readable:
            return 0
        landing = await store.land(self.db, [order for _message, order in readable])
        if landing.landed:
            await self._on_landed(landing.landed)
        for order in landing.conflicts:
            log.error("order %s lost a seat to the last guard in MySQL; refunding", order.id)
            if self._on_conflict is not None:
                await self._on_conflict(order)
        failed = {order.id: problem for order, problem in landing.failed}
        for message, order in readable:
            if order.id in failed:
                log.error("order %s cannot be written, moved to dead letters: %s", order.id, failed[order.id])
                await self.stream.bury(message, failed[order.id])
        await self.stream.ack([message.id for message, order in readable if order.id not in failed])
        return len(landing.landed)

    async def _read(self) -> tuple[list[Message], bool]:
        """The next messages, and whether to read this writer's own unacknowledged backlog next."""
        if self._own_pending:
            messages = await self.stream.read(
                self.consumer, count=self.batch_size, block_ms=None, own_pending=True
            )
            if messages:
                return messages, True
            self._own_pending = False
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + self.claim_every_s
            claimed = await self._claim()
            if claimed:
                # Now in our backlog, with any entry deleted meanwhile that Redis 6.2 moved but
                # did not answer: read the backlog next, until it is empty.
                return claimed, True
        fresh = await self.stream.read(
            self.consumer, count=self.batch_size, block_ms=self.block_ms, own_pending=False
        )
        return fresh, False

    async def _claim(self) -> list[Message]:
        """Messages of writers known dead, else of writers quiet for ``claim_idle_ms``."""
        others = [owner for owner in await self.stream.pending_owners() if owner != self.consumer]
        alive = await living(self.stream.redis, others)
        for owner in others:
            if owner in alive:
                continue
            claimed = await self.stream.claim_from(owner, self.consumer, count=self.batch_size)
            if claimed:
                log.warning(
                    "order writer %s took over %d messages of writer %s, whose process is gone",
                    self.consumer,
                    len(claimed),
                    owner,
                )
                return claimed
        claimed = await self.stream.claim(
            self.consumer, min_idle_ms=self.claim_idle_ms, count=self.batch_size
        )
        if claimed:
            log.warning("order writer %s took over %d idle messages", self.consumer, len(claimed))
        return claimed
