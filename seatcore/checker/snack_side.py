"""Invariant 13 for the checker: snack stock never below zero; an order's snacks paid, refunded and
picked up with it.

A violation is:

- a count in Redis below zero (``-1`` alone means "no limit"): the stock gate let too many through;
- a limited snack whose landed, unrefunded orders since the staff last set its stock hold more
  than that stock;
- snacks picked up for an order that was never paid (no ticketed or refunded order in MySQL);
- a paid order with snacks and no pickup code;
- an order of snacks alone (no showtime) without snacks or pickup code, or with tickets.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.checker.invariants import Result
from seatcore.db.schema import order_snacks, orders, snack_pickups, snacks, tickets
from seatcore.domain.orders import OrderStatus
from seatcore.store.snacks import SOLD

SHOWN = 50
PAID = (*SOLD, OrderStatus.REFUNDED.value)
STOCK_KEYS = "sc:{snacks:*}:stock"


async def _redis_lines(redis: aioredis.Redis) -> tuple[int, list[str]]:
    counted = 0
    lines = []
    async for key in redis.scan_iter(match=STOCK_KEYS, count=500):
        for snack_id, left in (await redis.hgetall(key)).items():
            counted += 1
            if int(left) < -1:
                name = key.decode() if isinstance(key, bytes) else key
                lines.append(f"snack {int(snack_id)}: {int(left)} left in Redis ({name})")
    return counted, lines


async def _mysql_lines(db: AsyncEngine) -> list[str]:
    sold_qty = (
        select(func.coalesce(func.sum(order_snacks.c.qty), 0))
        .join(orders, orders.c.id == order_snacks.c.order_id)
        .where(
            order_snacks.c.snack_id == snacks.c.id,
            orders.c.status.in_(SOLD),
            orders.c.created_at >= snacks.c.stock_set_at,
        )
        .scalar_subquery()
    )
    sold = select(snacks.c.id, snacks.c.stock, sold_qty.label("sold")).where(
        snacks.c.stock.is_not(None), sold_qty > snacks.c.stock
    )
    unpaid_pickups = (
        select(snack_pickups.c.order_id)
        .select_from(snack_pickups.outerjoin(orders, orders.c.id == snack_pickups.c.order_id))
        .where(
            snack_pickups.c.picked_up_at.is_not(None), (orders.c.id.is_(None)) | orders.c.status.not_in(PAID)
        )
    )
    no_code = (
        select(order_snacks.c.order_id)
        .distinct()
        .select_from(
            order_snacks.join(orders, orders.c.id == order_snacks.c.order_id).outerjoin(
                snack_pickups, snack_pickups.c.order_id == order_snacks.c.order_id
            )
        )
        .where(orders.c.status.in_(SOLD), snack_pickups.c.order_id.is_(None))
    )
    has_snacks = select(order_snacks.c.order_id).where(order_snacks.c.order_id == orders.c.id).exists()
    has_code = select(snack_pickups.c.order_id).where(snack_pickups.c.order_id == orders.c.id).exists()
    has_tickets = select(tickets.c.id).where(tickets.c.order_id == orders.c.id).exists()
    odd_alone = select(orders.c.id).where(
        orders.c.showtime_id.is_(None), ~has_snacks | ~has_code | has_tickets
    )
    async with db.connect() as conn:
        lines = [
            f"snack {r.id}: {r.sold} sold since its stock was set to {r.stock}"
            for r in await conn.execute(sold)
        ]
        lines += [
            f"order {r.order_id}: snacks picked up, order never paid"
            for r in await conn.execute(unpaid_pickups)
        ]
        lines += [
            f"order {r.order_id}: paid with snacks, no pickup code" for r in await conn.execute(no_code)
        ]
        lines += [
            f"order {r.id}: no showtime, and not snacks alone with a pickup code and no tickets"
            for r in await conn.execute(odd_alone)
        ]
    return lines


async def check_snacks(redis: aioredis.Redis, db: AsyncEngine) -> Result:
    counted, lines = await _redis_lines(redis)
    lines += await _mysql_lines(db)
    result = Result(
        "snacks",
        "snack stock never below zero; snacks go with their order",
        checked=counted,
        unit="stock counts",
    )
    result.violations = lines[:SHOWN] + ([f"... and {len(lines) - SHOWN} more"] if len(lines) > SHOWN else [])
    return result
