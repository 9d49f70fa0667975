"""The MySQL writers: batches with multi-row INSERTs, exactly once per order however often a
message is delivered, a dead writer's messages taken over, the live-ticket key as the last guard.

Each test uses a stream of its own, so the app's own writer does not take its messages."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import orders, payments, refunds, tickets
from seatcore.domain.orders import OrderStatus
from seatcore.orders import store
from seatcore.orders.ids import new_order_id, new_ticket_code
from seatcore.orders.records import Order, Payment, Ticket, now_utc, whole_second
from seatcore.orders.stream import DEAD_LETTERS, OrderStream
from seatcore.orders.writer import OrderWriter
from seatcore.store.users import get_or_create_user
from tests.orders.conftest import Shop, runtime_of
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]


def paid_order(user_id: int, showtime_id: int, seats: list[str], price_fen: int = 4500) -> Order:
    now = whole_second(now_utc())
    order_id = new_order_id(showtime_id)
    return Order(
        id=order_id,
        user_id=user_id,
        showtime_id=showtime_id,
        hold_id=f"{showtime_id}-{secrets.token_hex(8)}",
        status=OrderStatus.PAID,
        seats=dict.fromkeys(seats, price_fen),
        created_at=now,
        updated_at=now,
        payment=Payment("sandbox", f"txn-{secrets.token_hex(8)}", price_fen * len(seats), now),
        tickets=tuple(Ticket(new_ticket_code(), seat, price_fen, True) for seat in seats),
    )


async def counts(db: AsyncEngine) -> tuple[int, int, int]:
    async with db.connect() as conn:
        return (
            int((await conn.execute(select(func.count()).select_from(orders))).scalar_one()),
            int((await conn.execute(select(func.count()).select_from(tickets))).scalar_one()),
            int((await conn.execute(select(func.count()).select_from(payments))).scalar_one()),
        )


@pytest.fixture
async def stream(shop: Shop) -> AsyncIterator[OrderStream]:
    redis = runtime_of(shop.app).redis
    own = OrderStream(redis, key=f"sc:orders:test-{secrets.token_hex(4)}")
    await own.ensure_group()
    yield own
    await redis.delete(own.key)


async def batch_of(shop: Shop, count: int) -> list[Order]:
    """Up to 25 paid orders of two seats each on a new showtime (5 rows of 10 seats)."""
    assert count <= 25
    user = await get_or_create_user(runtime_of(shop.app).db, "dev:writer", "writer")
    show = await shop.show()
    return [
        paid_order(user.id, show.showtime_id, [f"{'ABCDE'[n % 5]}-{2 * (n // 5) + k}" for k in (1, 2)])
        for n in range(count)
    ]


async def test_a_batch_lands_once_with_one_insert_per_table(shop: Shop, stream: OrderStream) -> None:
    db = runtime_of(shop.app).db
    batch = await batch_of(shop, 25)
    for order in batch:
        await stream.add(order)
    inserts: list[str] = []

    def count_inserts(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement.split("(")[0])

    event.listen(db.sync_engine, "before_cursor_execute", count_inserts)
    try:
        writer = OrderWriter(db, stream, batch_size=100, block_ms=10)
        result = await writer.step()
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", count_inserts)
    assert result.read == result.landed == 25
    assert len(inserts) == 3  # orders, payments, tickets: one multi-row INSERT each
    assert await counts(db) == (25, 50, 25)
    assert await stream.length() == 0 and await stream.pending_count() == 0

    for order in batch[:10]:  # delivered again (a re-queued order, a replayed message)
        await stream.add(order)
    assert (await writer.step()).landed == 10
    assert await counts(db) == (25, 50, 25)
    landed = await store.get(db, batch[0].id)
    assert landed is not None and landed.status is OrderStatus.TICKETED
    assert [t.code for t in landed.tickets] == [t.code for t in batch[0].tickets]


@pytest.mark.parametrize("committed", [False, True], ids=["died-before-commit", "died-after-commit"])
async def test_a_dead_writers_batch_is_taken_over_and_lands_once(
    shop: Shop, stream: OrderStream, committed: bool
) -> None:
    db = runtime_of(shop.app).db
    batch = await batch_of(shop, 20)
    for order in batch:
        await stream.add(order)
    # Writer A reads the batch (it is now pending under A), perhaps commits it, and dies before
    # acknowledging: the state a crash mid-batch leaves behind.
    taken = await stream.read("writer-a", count=100, block_ms=None, own_pending=False)
    assert len(taken) == 20 and await stream.pending_count() == 20
    if committed:
        await store.land(db, [Order.from_json(m.raw or "") for m in taken])

    writer_b = OrderWriter(db, stream, consumer="writer-b", claim_idle_ms=0, claim_every_s=0, block_ms=10)
    result = await writer_b.step()
    assert result.read == 20 and result.landed == 20
    assert await counts(db) == (20, 40, 20)
    assert await stream.pending_count() == 0 and await stream.length() == 0


async def test_a_killed_writer_process_loses_and_duplicates_nothing(shop: Shop, stream: OrderStream) -> None:
    db = runtime_of(shop.app).db
    batch = [order for _ in range(8) for order in await batch_of(shop, 25)]
    for order in batch:
        await stream.add(order)
    settings = runtime_of(shop.app).settings
    script = textwrap.dedent(
        f"""
        import asyncio
        import redis.asyncio as aioredis
        from seatcore.db.engine import create_db_engine
        from seatcore.orders.stream import OrderStream
        from seatcore.orders.writer import OrderWriter
        from seatcore.settings import Settings

        async def main():
            settings = Settings(database_url={settings.database_url!r}, redis_url={settings.redis_url!r})
            redis = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
            writer = OrderWriter(create_db_engine(settings), OrderStream(redis, key={stream.key!r}),
                                 consumer="doomed", batch_size=20, block_ms=50)
            await writer.run()

        asyncio.run(main())
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEATCORE_")}
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=ROOT, env=env)
    try:
        # Kill it in the middle of the work: once it has landed something, wherever it is then.
        await wait_for(lambda: _started(db, stream), timeout_s=60)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    survivor = OrderWriter(db, stream, consumer="survivor", claim_idle_ms=0, claim_every_s=0, block_ms=10)
    while await stream.length():
        await survivor.step()
    assert await counts(db) == (200, 400, 200)
    assert await stream.pending_count() == 0


async def _started(db: AsyncEngine, stream: OrderStream) -> bool:
    return (await counts(db))[0] > 0


async def test_the_live_ticket_key_refuses_a_seat_sold_twice_and_the_loser_is_refunded(
    shop: Shop, stream: OrderStream
) -> None:
    db = runtime_of(shop.app).db
    user = await get_or_create_user(db, "dev:writer", "writer")
    show = await shop.show()
    first = paid_order(user.id, show.showtime_id, ["A-1", "A-2"])
    second = paid_order(user.id, show.showtime_id, ["A-2", "A-3"])  # A-2 again: the gate failed
    for order in (first, second):
        await stream.add(order)
    writer = OrderWriter(db, stream, block_ms=10, on_conflict=shop.orders.refund_conflicted)
    await writer.step()

    async def refunded() -> bool:
        landed = await store.get(db, second.id)
        return landed is not None and landed.status is OrderStatus.REFUNDED

    await wait_for(refunded)  # the app's own writer lands the refunded order
    async with db.connect() as conn:
        live = (
            await conn.execute(
                select(tickets.c.seat_id, tickets.c.order_id).where(tickets.c.live.is_not(None))
            )
        ).all()
        reason = (
            await conn.execute(select(refunds.c.reason).where(refunds.c.order_id == second.id))
        ).scalar()
    assert sorted((row.seat_id, row.order_id) for row in live) == [("A-1", first.id), ("A-2", first.id)]
    assert reason == "seat_conflict"
    assert await stream.pending_count() == 0


async def test_an_unreadable_message_goes_to_dead_letters(shop: Shop, stream: OrderStream) -> None:
    redis = runtime_of(shop.app).redis
    await redis.xadd(stream.key, {"order": "not an order"})
    writer = OrderWriter(runtime_of(shop.app).db, stream, block_ms=10)
    assert (await writer.step()).landed == 0
    dead = await redis.xrange(DEAD_LETTERS)
    assert dead and (dead[-1][1] or {}).get("raw") == "not an order"
    assert await stream.pending_count() == 0
    await redis.delete(DEAD_LETTERS)
