"""Snacks in MySQL: the menu, the snacks orders bought, pickups at the counter, snack sales.

The guard of pickups (invariant 13's "picked up with it") is one conditional statement:
``picked_up_at = now WHERE code = :code AND picked_up_at IS NULL``: of two counters marking the
same code at once, the database lets exactly one change the row. Stock is not guarded here but in
Redis (seatcore.snacks.stock); MySQL keeps what the staff set and what was sold, from which a lost
Redis count is rebuilt.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import cinemas, order_snacks, orders, snack_pickups, snacks
from seatcore.domain.orders import OrderStatus
from seatcore.domain.snacks import Snack, contents_from, kind_of
from seatcore.errors import NotFound
from seatcore.store import audit
from seatcore.store._time import to_db, utcnow
from seatcore.store.audit import Actor

SOLD = (OrderStatus.TICKETED.value, OrderStatus.REFUND_REQUESTED.value)  # landed orders that keep snacks


def _snack(row: Any) -> Snack:
    return Snack(
        id=int(row.id),
        cinema_id=int(row.cinema_id),
        kind=kind_of(row.kind),
        name=row.name,
        description=row.description,
        price_fen=int(row.price_fen),
        stock=None if row.stock is None else int(row.stock),
        on_sale=bool(row.on_sale),
        position=int(row.position),
        contents=contents_from(orjson.loads(row.contents)),
        picture_url=row.picture_url,
        stock_set_at=row.stock_set_at.replace(tzinfo=UTC),
    )


async def for_cinema(db: AsyncEngine, cinema_id: int, *, on_sale_only: bool = False) -> list[Snack]:
    """The cinema's snacks in menu order."""
    query = select(snacks).where(snacks.c.cinema_id == cinema_id)
    if on_sale_only:
        query = query.where(snacks.c.on_sale.is_(True))
    async with db.connect() as conn:
        rows = await conn.execute(query.order_by(snacks.c.position, snacks.c.id))
        return [_snack(row) for row in rows]


async def cinema_timezone(db: AsyncEngine, cinema_id: int) -> str | None:
    """The cinema's time zone, or None when there is no such cinema."""
    async with db.connect() as conn:
        found = (await conn.execute(select(cinemas.c.timezone).where(cinemas.c.id == cinema_id))).scalar()
    return None if found is None else str(found)


async def by_ids(db: AsyncEngine, ids: Collection[int]) -> dict[int, Snack]:
    if not ids:
        return {}
    async with db.connect() as conn:
        rows = await conn.execute(select(snacks).where(snacks.c.id.in_(sorted(ids))))
        return {int(row.id): _snack(row) for row in rows}


async def get(db: AsyncEngine, snack_id: int) -> Snack:
    found = (await by_ids(db, [snack_id])).get(snack_id)
    if found is None:
        raise NotFound("no such snack", snack_id=snack_id)
    return found


def _row(fields: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(fields)
    if "contents" in row:
        row["contents"] = orjson.dumps(
            [{"name": p["name"], "qty": p["qty"]} for p in row["contents"]]
        ).decode()
    return row


async def create(db: AsyncEngine, actor: Actor | None, cinema_id: int, fields: Mapping[str, Any]) -> Snack:
    now = utcnow()
    row = {
        "kind": "item",
        "contents": [],
        "description": "",
        "picture_url": "",
        "on_sale": True,
        "position": 0,
        "stock": None,
    }
    row.update(fields)
    async with db.begin() as conn:
        made = await conn.execute(
            insert(snacks).values(
                cinema_id=cinema_id, stock_set_at=now, created_at=now, updated_at=now, **_row(row)
            )
        )
        primary = made.inserted_primary_key
        assert primary is not None
        snack_id = int(primary[0])
        if actor is not None:
            await audit.record(
                conn,
                actor,
                "snack.create",
                target_type="snack",
                target_id=snack_id,
                cinema_id=cinema_id,
                details={"name": row["name"]},
            )
    return await get(db, snack_id)


async def update_snack(
    db: AsyncEngine, actor: Actor | None, snack: Snack, fields: Mapping[str, Any]
) -> Snack:
    """Change the fields given; setting ``stock`` restarts its count (``stock_set_at``)."""
    now = utcnow()
    values = _row(fields)
    if "stock" in values:
        values["stock_set_at"] = now
    async with db.begin() as conn:
        await conn.execute(update(snacks).where(snacks.c.id == snack.id).values(updated_at=now, **values))
        if actor is not None:
            details = {k: v for k, v in fields.items() if k != "contents"}
            await audit.record(
                conn,
                actor,
                "snack.update",
                target_type="snack",
                target_id=snack.id,
                cinema_id=snack.cinema_id,
                details=details,
            )
    return await get(db, snack.id)


async def sold_since(db: AsyncEngine, snack_id: int, since: datetime) -> int:
    """How many of the snack landed orders made at or after ``since`` hold (not refunded)."""
    query = (
        select(func.coalesce(func.sum(order_snacks.c.qty), 0))
        .join(orders, orders.c.id == order_snacks.c.order_id)
        .where(
            order_snacks.c.snack_id == snack_id,
            orders.c.status.in_(SOLD),
            orders.c.created_at >= to_db(since),
        )
    )
    async with db.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


# -------------------------------------------------------------------------- orders' snacks, landing


@dataclass(frozen=True, slots=True)
class Pickup:
    order_id: str
    cinema_id: int
    code: str
    picked_up_at: datetime | None  # aware UTC
    picked_up_by: str


def _pickup(row: Any) -> Pickup:
    at = row.picked_up_at.replace(tzinfo=UTC) if row.picked_up_at is not None else None
    return Pickup(row.order_id, int(row.cinema_id), row.code, at, row.picked_up_by)


async def insert_for_orders(conn: AsyncConnection, rows: Iterable[tuple[str, int, str, list[Any]]]) -> None:
    """Land orders' snacks: (order id, cinema id, pickup code, [[id, name, qty, price], ...])."""
    lines: list[dict[str, Any]] = []
    pickups: list[dict[str, Any]] = []
    for order_id, cinema_id, code, snack_lines in rows:
        pickups.append({"order_id": order_id, "cinema_id": cinema_id, "code": code, "picked_up_by": ""})
        lines.extend(
            {"order_id": order_id, "snack_id": sid, "name": name, "qty": qty, "price_fen": price}
            for sid, name, qty, price in snack_lines
        )
    if pickups:
        await conn.execute(insert(snack_pickups), pickups)
        await conn.execute(insert(order_snacks), lines)


async def for_orders(
    conn: AsyncConnection, ids: Collection[str]
) -> tuple[dict[str, list[list[Any]]], dict[str, Pickup]]:
    """Landed orders' snack lines and pickups, by order id."""
    lines: dict[str, list[list[Any]]] = {}
    rows = await conn.execute(
        select(order_snacks).where(order_snacks.c.order_id.in_(list(ids))).order_by(order_snacks.c.snack_id)
    )
    for row in rows:
        lines.setdefault(row.order_id, []).append(
            [int(row.snack_id), row.name, int(row.qty), int(row.price_fen)]
        )
    found = await conn.execute(select(snack_pickups).where(snack_pickups.c.order_id.in_(list(ids))))
    return lines, {row.order_id: _pickup(row) for row in found}


# ------------------------------------------------------------------------------------------ pickups


async def find_pickup(db: AsyncEngine, code: str) -> Pickup | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(snack_pickups).where(snack_pickups.c.code == code))).first()
    return None if row is None else _pickup(row)


async def order_status(db: AsyncEngine, order_id: str) -> OrderStatus | None:
    async with db.connect() as conn:
        status = (await conn.execute(select(orders.c.status).where(orders.c.id == order_id))).scalar()
    return None if status is None else OrderStatus(status)


async def mark_picked_up(db: AsyncEngine, code: str, by: str) -> bool:
    """Mark the code's snacks handed over; False when they already were (exactly one caller wins)."""
    async with db.begin() as conn:
        changed = await conn.execute(
            update(snack_pickups)
            .where(snack_pickups.c.code == code, snack_pickups.c.picked_up_at.is_(None))
            .values(picked_up_at=utcnow(), picked_up_by=by)
        )
    return bool(changed.rowcount == 1)


# ----------------------------------------------------------------------------------------- figures


@dataclass(frozen=True, slots=True)
class SnackSales:
    snack_id: int
    name: str
    qty: int
    revenue_fen: int


async def sales(
    db: AsyncEngine, cinema_ids: Collection[int] | None, since: datetime, until: datetime
) -> list[SnackSales]:
    """Snacks sold (landed, not refunded) in orders paid in [since, until), best sellers first."""
    qty = func.sum(order_snacks.c.qty)
    revenue = func.sum(order_snacks.c.qty * order_snacks.c.price_fen)
    query = (
        select(
            order_snacks.c.snack_id,
            func.max(order_snacks.c.name).label("name"),
            qty.label("qty"),
            revenue.label("revenue"),
        )
        .join(orders, orders.c.id == order_snacks.c.order_id)
        .join(snack_pickups, snack_pickups.c.order_id == order_snacks.c.order_id)
        .where(orders.c.status.in_(SOLD), orders.c.paid_at >= to_db(since), orders.c.paid_at < to_db(until))
        .group_by(order_snacks.c.snack_id)
        .order_by(revenue.desc(), order_snacks.c.snack_id)
    )
    if cinema_ids is not None:
        query = query.where(snack_pickups.c.cinema_id.in_(sorted(cinema_ids)))
    async with db.connect() as conn:
        rows = await conn.execute(query)
        return [SnackSales(int(r.snack_id), r.name, int(r.qty), int(r.revenue)) for r in rows]
