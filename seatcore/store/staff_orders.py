"""Order look-up for the staff console: search, and one order with its money history.

Reads only: refunds go through the order service (seatcore.orders), which owns every change of an
order's status and money.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import (
    cinemas,
    halls,
    movies,
    orders,
    payments,
    refunds,
    showtimes,
    snack_pickups,
    tickets,
    users,
)
from seatcore.store import snacks as snack_store
from seatcore.store._time import from_db
from seatcore.store.snacks import Pickup

OrderKey = tuple[datetime, str]  # (created at, naive UTC; order id): newest first


@dataclass(frozen=True, slots=True)
class OrderSummary:
    id: str
    status: str
    amount_fen: int
    seat_count: int
    created_at: datetime  # aware, the cinema's zone
    paid_at: datetime | None
    user_id: int
    openid: str
    phone: str | None
    showtime_id: int | None  # None (and no hall, movie or start): an order of snacks alone
    cinema_id: int
    cinema_name: str
    hall_name: str | None
    movie_title: str | None
    starts_at: datetime | None  # aware, the cinema's zone
    key: OrderKey


@dataclass(frozen=True, slots=True)
class TicketLine:
    seat_id: str
    price_fen: int
    code: str
    live: bool


@dataclass(frozen=True, slots=True)
class MoneyEvent:
    """A payment or a refund of an order."""

    id: int
    amount_fen: int
    status: str
    provider: str  # payments: the provider; refunds: who asked (created_by)
    reference: str | None  # the provider's transaction or refund id
    reason: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderDetail:
    summary: OrderSummary
    hold_id: str
    updated_at: datetime
    nickname: str
    tickets: list[TicketLine]
    payments: list[MoneyEvent]
    refunds: list[MoneyEvent]
    snacks: list[list[Any]]  # [[snack id, name, qty, price each], ...]
    pickup: Pickup | None


@dataclass(frozen=True, slots=True)
class OrderFilter:
    order_id: str | None = None
    phone: str | None = None
    openid: str | None = None
    showtime_id: int | None = None
    cinema_id: int | None = None
    # Orders created in [start, end) (naive UTC) of the cinemas listed: a local day per time zone.
    created_windows: tuple[tuple[Collection[int], datetime, datetime], ...] = ()


# An order's cinema: its showtime's, or for snacks alone the counter's where they are picked up.
_CINEMA = func.coalesce(showtimes.c.cinema_id, snack_pickups.c.cinema_id)


def _base_query() -> Any:
    return (
        select(
            orders,
            users.c.openid,
            users.c.phone,
            users.c.nickname,
            _CINEMA.label("cinema_id"),
            showtimes.c.starts_at,
            cinemas.c.name.label("cinema_name"),
            cinemas.c.timezone,
            halls.c.name.label("hall_name"),
            movies.c.title.label("movie_title"),
        )
        .join(users, users.c.id == orders.c.user_id)
        .outerjoin(showtimes, showtimes.c.id == orders.c.showtime_id)
        .outerjoin(
            snack_pickups, and_(orders.c.showtime_id.is_(None), snack_pickups.c.order_id == orders.c.id)
        )
        .join(cinemas, cinemas.c.id == _CINEMA)
        .outerjoin(halls, halls.c.id == showtimes.c.hall_id)
        .outerjoin(movies, movies.c.id == showtimes.c.movie_id)
    )


def _summary(row: Any) -> OrderSummary:
    tz = row.timezone
    return OrderSummary(
        id=row.id,
        status=row.status,
        amount_fen=int(row.amount_fen),
        seat_count=int(row.seat_count),
        created_at=from_db(row.created_at, tz),
        paid_at=from_db(row.paid_at, tz) if row.paid_at is not None else None,
        user_id=int(row.user_id),
        openid=row.openid,
        phone=row.phone,
        showtime_id=None if row.showtime_id is None else int(row.showtime_id),
        cinema_id=int(row.cinema_id),
        cinema_name=row.cinema_name,
        hall_name=row.hall_name,
        movie_title=row.movie_title,
        starts_at=None if row.starts_at is None else from_db(row.starts_at, tz),
        key=(row.created_at, row.id),
    )


async def search(
    db: AsyncEngine,
    found: OrderFilter,
    *,
    cinema_ids: Collection[int] | None,
    after: OrderKey | None = None,
    limit: int = 20,
) -> list[OrderSummary]:
    """Orders matching every given filter, in the given cinemas (None: all), newest first."""
    query = _base_query()
    if cinema_ids is not None:
        query = query.where(_CINEMA.in_(list(cinema_ids)))
    if found.order_id is not None:
        query = query.where(orders.c.id == found.order_id)
    if found.phone is not None:
        query = query.where(users.c.phone == found.phone)
    if found.openid is not None:
        query = query.where(users.c.openid == found.openid)
    if found.showtime_id is not None:
        query = query.where(orders.c.showtime_id == found.showtime_id)
    if found.cinema_id is not None:
        query = query.where(found.cinema_id == _CINEMA)
    if found.created_windows:
        query = query.where(
            or_(
                *(
                    and_(
                        _CINEMA.in_(list(ids)),
                        orders.c.created_at >= start,
                        orders.c.created_at < end,
                    )
                    for ids, start, end in found.created_windows
                )
            )
        )
    if after is not None:
        at, order_id = after
        query = query.where(
            or_(orders.c.created_at < at, and_(orders.c.created_at == at, orders.c.id < order_id))
        )
    query = query.order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit)
    async with db.connect() as conn:
        return [_summary(row) for row in await conn.execute(query)]


async def detail(db: AsyncEngine, order_id: str) -> OrderDetail | None:
    async with db.connect() as conn:
        row = (await conn.execute(_base_query().where(orders.c.id == order_id))).first()
        if row is None:
            return None
        ticket_rows = await conn.execute(
            select(tickets).where(tickets.c.order_id == order_id).order_by(tickets.c.seat_id)
        )
        payment_rows = await conn.execute(
            select(payments).where(payments.c.order_id == order_id).order_by(payments.c.id)
        )
        refund_rows = await conn.execute(
            select(refunds).where(refunds.c.order_id == order_id).order_by(refunds.c.id)
        )
        tz = row.timezone
        snack_lines, pickups = await snack_store.for_orders(conn, [order_id])
        return OrderDetail(
            summary=_summary(row),
            hold_id=row.hold_id,
            updated_at=from_db(row.updated_at, tz),
            nickname=row.nickname,
            tickets=[
                TicketLine(t.seat_id, int(t.price_fen), t.code, t.live is not None) for t in ticket_rows
            ],
            payments=[
                MoneyEvent(
                    id=int(p.id),
                    amount_fen=int(p.amount_fen),
                    status=p.status,
                    provider=p.provider,
                    reference=p.provider_txn_id,
                    reason="",
                    created_at=from_db(p.created_at, tz),
                    updated_at=from_db(p.updated_at, tz),
                )
                for p in payment_rows
            ],
            refunds=[
                MoneyEvent(
                    id=int(r.id),
                    amount_fen=int(r.amount_fen),
                    status=r.status,
                    provider=r.created_by,
                    reference=r.provider_refund_id,
                    reason=r.reason,
                    created_at=from_db(r.created_at, tz),
                    updated_at=from_db(r.updated_at, tz),
                )
                for r in refund_rows
            ],
            snacks=snack_lines.get(order_id, []),
            pickup=pickups.get(order_id),
        )


async def order_cinema(db: AsyncEngine, order_id: str) -> int | None:
    """The cinema an order belongs to, or None when there is no such order."""
    query = (
        select(_CINEMA)
        .select_from(orders)
        .outerjoin(showtimes, showtimes.c.id == orders.c.showtime_id)
        .outerjoin(snack_pickups, snack_pickups.c.order_id == orders.c.id)
        .where(orders.c.id == order_id)
    )
    async with db.connect() as conn:
        value = (await conn.execute(query)).scalar_one_or_none()
    return None if value is None else int(value)


async def cinema_zones(db: AsyncEngine, cinema_ids: Collection[int] | None) -> dict[int, str]:
    """The time zone of each of these cinemas (None: every cinema)."""
    query = select(cinemas.c.id, cinemas.c.timezone)
    if cinema_ids is not None:
        query = query.where(cinemas.c.id.in_(list(cinema_ids)))
    async with db.connect() as conn:
        return {int(cinema_id): zone for cinema_id, zone in await conn.execute(query)}
