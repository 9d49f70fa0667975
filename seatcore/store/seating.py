"""What the seat engine reads from MySQL: a showtime's hall layout, prices, times and rules, and its
sold seats (live tickets). The engine never writes here; orders do."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import cinemas, halls, showtimes, tickets
from seatcore.domain.layout import Layout, parse_layout
from seatcore.domain.members import parse_price_overrides
from seatcore.domain.pricing import MemberPrices
from seatcore.store._time import from_db
from seatcore.types import Fen, SeatId, ShowtimeId


@dataclass(frozen=True)
class ShowtimeSeating:
    """One showtime as the seat engine needs it. Times are aware (UTC)."""

    id: ShowtimeId
    cinema_id: int
    timezone: str
    layout: Layout
    prices: dict[str, Fen]
    starts_at: datetime
    ends_at: datetime
    sales_open: bool  # the staff switch
    status: str  # scheduled | cancelled
    sales_close_before_min: int | None  # the cinema's override, None for the service default
    on_sale_at: datetime | None = None  # on sale to everyone from then (members' tiers earlier)
    member_prices: Mapping[str, MemberPrices] = field(default_factory=dict)  # overrides by tier


async def get_seating(db: AsyncEngine, showtime_id: ShowtimeId) -> ShowtimeSeating | None:
    query = (
        select(
            showtimes.c.id,
            showtimes.c.cinema_id,
            showtimes.c.prices,
            showtimes.c.starts_at,
            showtimes.c.ends_at,
            showtimes.c.sales_open,
            showtimes.c.status,
            halls.c.layout,
            cinemas.c.timezone,
            cinemas.c.sales_close_before_min,
            showtimes.c.on_sale_at,
            showtimes.c.member_prices,
        )
        .join(halls, halls.c.id == showtimes.c.hall_id)
        .join(cinemas, cinemas.c.id == showtimes.c.cinema_id)
        .where(showtimes.c.id == showtime_id)
    )
    async with db.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None:
        return None
    return ShowtimeSeating(
        id=int(row.id),
        cinema_id=int(row.cinema_id),
        timezone=row.timezone,
        layout=_layout(row.layout),
        prices={str(zone): int(fen) for zone, fen in orjson.loads(row.prices).items()},
        starts_at=from_db(row.starts_at),
        ends_at=from_db(row.ends_at),
        sales_open=bool(row.sales_open),
        status=row.status,
        sales_close_before_min=row.sales_close_before_min,
        on_sale_at=from_db(row.on_sale_at) if row.on_sale_at is not None else None,
        member_prices=member_overrides(row.member_prices),
    )


def member_overrides(text: str | None) -> dict[str, MemberPrices]:
    """A showtime's stored member-price overrides (checked when staff set them)."""
    return parse_price_overrides(orjson.loads(text)) if text else {}


@functools.lru_cache(maxsize=512)
def _layout(text: str) -> Layout:
    """Layouts parsed once per distinct document: showtimes are re-read every few seconds, and
    many showtimes share a hall. (Layout is immutable, so sharing one object is safe.)"""
    return parse_layout(orjson.loads(text))


async def sold_seats(db: AsyncEngine, showtime_id: ShowtimeId) -> dict[SeatId, str]:
    """Each sold seat of the showtime (a live ticket) and the order that bought it."""
    query = select(tickets.c.seat_id, tickets.c.order_id).where(
        tickets.c.showtime_id == showtime_id, tickets.c.live.is_not(None)
    )
    async with db.connect() as conn:
        return {str(seat): str(order) for seat, order in await conn.execute(query)}
