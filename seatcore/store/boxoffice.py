"""Box-office figures from a summary kept beside the orders, so reports never scan the tickets.

``boxoffice_showtimes`` holds one row per showtime (its cinema's local show date, capacity, live
tickets and revenue) and ``boxoffice_hours`` one per showtime and local hour of sale. A showtime's
rows are recomputed from its tickets, never incremented, so recomputing twice is harmless.

``refresh`` brings the summary up to date before a report. It recomputes:

- showtimes that have no summary row yet (new ones, whoever added them);
- showtimes whose orders changed since the last refresh (``orders.updated_at``, indexed), looking
  back ``LOOKBACK_S`` further so that a transaction that committed late is not missed;
- showtimes the console marked as changed (moved, cancelled, hall layout edited);
- everything, when the watermark is gone (Redis lost its data).

A ticket counts when it is live and its order was paid; it is attributed to the showtime's local
date (box-office convention) and, for sales by hour, to the local hour its order was paid.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis
from redis.exceptions import LockError
from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore import keys
from seatcore.db.schema import (
    boxoffice_hours,
    boxoffice_showtimes,
    cinemas,
    halls,
    movies,
    orders,
    showtimes,
    tickets,
)
from seatcore.store._time import from_db, utcnow

log = logging.getLogger(__name__)

GroupBy = Literal["movie", "cinema", "hall", "day"]
LOOKBACK_S = 120
CHUNK = 500
LOCK_TIMEOUT_S = 300
LOCK_WAIT_S = 30


@dataclass(frozen=True, slots=True)
class Figures:
    shows: int
    capacity: int
    tickets: int
    revenue_fen: int

    @property
    def occupancy(self) -> float:
        """Tickets per seat offered, 0..1 (0 when nothing was offered)."""
        return round(self.tickets / self.capacity, 4) if self.capacity else 0.0


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class HourSales:
    hour: int
    tickets: int
    revenue_fen: int


@dataclass(frozen=True, slots=True)
class ShowLine:
    """One showtime's line of the CSV export."""

    showtime_id: int
    show_date: date
    starts_at: datetime  # aware, the cinema's zone
    cinema: str
    hall: str
    movie: str
    cancelled: bool
    figures: Figures


# -------------------------------------------------------------------------------------------- upkeep


async def mark_changed(redis: aioredis.Redis, showtime_ids: Iterable[int]) -> None:
    """Have the next refresh recompute these showtimes (for changes that touch no order)."""
    ids = [str(i) for i in showtime_ids]
    if ids:
        await redis.sadd(keys.BOXOFFICE_DIRTY, *ids)


async def refresh(db: AsyncEngine, redis: aioredis.Redis) -> int:
    """Bring the summary up to date; returns how many showtimes were recomputed.

    One process at a time does it (a Redis lock); a caller that cannot get the lock in time
    reports from the summary as it stands.
    """
    try:
        async with redis.lock(keys.BOXOFFICE_LOCK, timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_WAIT_S):
            return await _refresh(db, redis)
    except LockError:
        log.warning("box-office refresh skipped: another process held the lock too long")
        return 0


async def _refresh(db: AsyncEngine, redis: aioredis.Redis) -> int:
    started = utcnow()
    watermark = await redis.get(keys.BOXOFFICE_WATERMARK)
    marked = {int(i) for i in await redis.smembers(keys.BOXOFFICE_DIRTY)}
    async with db.connect() as conn:
        if watermark is None:
            ids = {int(i) for i in (await conn.execute(select(showtimes.c.id))).scalars()}
        else:
            since = datetime.fromisoformat(_text(watermark)) - timedelta(seconds=LOOKBACK_S)
            unsummarised = (
                select(showtimes.c.id)
                .outerjoin(boxoffice_showtimes, boxoffice_showtimes.c.showtime_id == showtimes.c.id)
                .where(boxoffice_showtimes.c.showtime_id.is_(None))
            )
            changed = (
                select(orders.c.showtime_id)
                .where(orders.c.updated_at >= since, orders.c.showtime_id.is_not(None))
                .distinct()
            )
            ids = {int(i) for i in (await conn.execute(unsummarised)).scalars()}
            ids |= {int(i) for i in (await conn.execute(changed)).scalars()}
    ids |= marked
    await recompute(db, ids)
    if marked:
        await redis.srem(keys.BOXOFFICE_DIRTY, *[str(i) for i in marked])
    await redis.set(keys.BOXOFFICE_WATERMARK, started.isoformat())
    return len(ids)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def recompute(db: AsyncEngine, showtime_ids: Collection[int]) -> None:
    """Rewrite the summary rows of these showtimes from their tickets (gone showtimes: dropped)."""
    ordered = sorted(showtime_ids)
    for start in range(0, len(ordered), CHUNK):
        await _recompute_chunk(db, ordered[start : start + CHUNK])


async def _recompute_chunk(db: AsyncEngine, chunk: list[int]) -> None:
    info_query = (
        select(
            showtimes.c.id,
            showtimes.c.cinema_id,
            showtimes.c.hall_id,
            showtimes.c.movie_id,
            showtimes.c.starts_at,
            showtimes.c.status,
            halls.c.seat_count,
            cinemas.c.timezone,
        )
        .join(halls, halls.c.id == showtimes.c.hall_id)
        .join(cinemas, cinemas.c.id == showtimes.c.cinema_id)
        .where(showtimes.c.id.in_(chunk))
    )
    sales_query = (
        select(
            tickets.c.showtime_id,
            orders.c.paid_at,
            func.count().label("tickets"),
            func.sum(tickets.c.price_fen).label("revenue"),
        )
        .join(orders, orders.c.id == tickets.c.order_id)
        .where(
            tickets.c.showtime_id.in_(chunk),
            tickets.c.live.is_not(None),
            orders.c.paid_at.is_not(None),
        )
        .group_by(tickets.c.showtime_id, orders.c.id, orders.c.paid_at)
    )
    async with db.connect() as conn:
        infos = (await conn.execute(info_query)).all()
        sales = (await conn.execute(sales_query)).all()
    zones = {int(row.id): ZoneInfo(row.timezone) for row in infos}
    per_show: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    per_hour: dict[tuple[int, date, int], list[int]] = defaultdict(lambda: [0, 0])
    for sale in sales:
        showtime_id = int(sale.showtime_id)
        if showtime_id not in zones:
            continue
        count, revenue = int(sale.tickets), int(sale.revenue or 0)
        per_show[showtime_id][0] += count
        per_show[showtime_id][1] += revenue
        paid_local = from_db(sale.paid_at).astimezone(zones[showtime_id])
        bucket = per_hour[(showtime_id, paid_local.date(), paid_local.hour)]
        bucket[0] += count
        bucket[1] += revenue
    show_rows: list[dict[str, Any]] = []
    for row in infos:
        showtime_id = int(row.id)
        count, revenue = per_show.get(showtime_id, (0, 0))
        show_rows.append(
            {
                "showtime_id": showtime_id,
                "cinema_id": int(row.cinema_id),
                "hall_id": int(row.hall_id),
                "movie_id": int(row.movie_id),
                "show_date": from_db(row.starts_at).astimezone(zones[showtime_id]).date(),
                "starts_at": row.starts_at,
                "cancelled": row.status == "cancelled",
                "capacity": int(row.seat_count),
                "tickets": count,
                "revenue_fen": revenue,
            }
        )
    cinema_of = {row["showtime_id"]: row["cinema_id"] for row in show_rows}
    hour_rows = [
        {
            "showtime_id": showtime_id,
            "sale_date": sale_date,
            "sale_hour": hour,
            "cinema_id": cinema_of[showtime_id],
            "tickets": count,
            "revenue_fen": revenue,
        }
        for (showtime_id, sale_date, hour), (count, revenue) in per_hour.items()
    ]
    async with db.begin() as conn:
        await conn.execute(delete(boxoffice_hours).where(boxoffice_hours.c.showtime_id.in_(chunk)))
        await conn.execute(delete(boxoffice_showtimes).where(boxoffice_showtimes.c.showtime_id.in_(chunk)))
        if show_rows:
            await conn.execute(insert(boxoffice_showtimes), show_rows)
        if hour_rows:
            await conn.execute(insert(boxoffice_hours), hour_rows)


# ------------------------------------------------------------------------------------------- reports

B = boxoffice_showtimes


def _figure_columns() -> tuple[Any, ...]:
    live = B.c.cancelled.is_(False)
    return (
        func.sum(case((live, 1), else_=0)).label("shows"),
        func.sum(case((live, B.c.capacity), else_=0)).label("capacity"),
        func.sum(B.c.tickets).label("tickets"),
        func.sum(B.c.revenue_fen).label("revenue"),
    )


def _figures(row: Any) -> Figures:
    return Figures(
        shows=int(row.shows or 0),
        capacity=int(row.capacity or 0),
        tickets=int(row.tickets or 0),
        revenue_fen=int(row.revenue or 0),
    )


def _in_scope(query: Any, column: Any, cinema_ids: Collection[int] | None) -> Any:
    return query if cinema_ids is None else query.where(column.in_(list(cinema_ids)))


async def totals(db: AsyncEngine, start: date, end: date, cinema_ids: Collection[int] | None) -> Figures:
    """Figures of every showtime on local dates start..end (inclusive) in the given cinemas."""
    query = select(*_figure_columns()).where(B.c.show_date >= start, B.c.show_date <= end)
    query = _in_scope(query, B.c.cinema_id, cinema_ids)
    async with db.connect() as conn:
        return _figures((await conn.execute(query)).one())


async def grouped(
    db: AsyncEngine,
    start: date,
    end: date,
    cinema_ids: Collection[int] | None,
    group_by: GroupBy,
) -> list[Group]:
    """Figures per movie, cinema, hall or day; by revenue (days: by date)."""
    key = {"movie": B.c.movie_id, "cinema": B.c.cinema_id, "hall": B.c.hall_id, "day": B.c.show_date}[
        group_by
    ]
    query = select(key.label("key"), *_figure_columns()).where(B.c.show_date >= start, B.c.show_date <= end)
    query = _in_scope(query, B.c.cinema_id, cinema_ids).group_by(key)
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
        labels = await _labels(conn, group_by, [row.key for row in rows])
    groups = [Group(str(row.key), labels.get(str(row.key), str(row.key)), _figures(row)) for row in rows]
    if group_by == "day":
        return sorted(groups, key=lambda g: g.key)
    return sorted(groups, key=lambda g: (-g.figures.revenue_fen, g.label, g.key))


async def _labels(conn: Any, group_by: GroupBy, keys_: list[Any]) -> dict[str, str]:
    if group_by == "day" or not keys_:
        return {}
    if group_by == "movie":
        query = select(movies.c.id, movies.c.title).where(movies.c.id.in_(keys_))
    elif group_by == "cinema":
        query = select(cinemas.c.id, cinemas.c.name).where(cinemas.c.id.in_(keys_))
    else:
        query = (
            select(halls.c.id, (cinemas.c.name + " · " + halls.c.name).label("name"))
            .join(cinemas, cinemas.c.id == halls.c.cinema_id)
            .where(halls.c.id.in_(keys_))
        )
    return {str(row[0]): str(row[1]) for row in await conn.execute(query)}


async def sales_by_hour(
    db: AsyncEngine, start: date, end: date, cinema_ids: Collection[int] | None
) -> list[HourSales]:
    """Tickets and revenue by local hour of payment (0..23, every hour listed) for sales made on
    local dates start..end."""
    H = boxoffice_hours
    query = (
        select(H.c.sale_hour, func.sum(H.c.tickets), func.sum(H.c.revenue_fen))
        .where(H.c.sale_date >= start, H.c.sale_date <= end)
        .group_by(H.c.sale_hour)
    )
    query = _in_scope(query, H.c.cinema_id, cinema_ids)
    async with db.connect() as conn:
        found = {int(hour): (int(n or 0), int(fen or 0)) for hour, n, fen in await conn.execute(query)}
    return [HourSales(hour, *found.get(hour, (0, 0))) for hour in range(24)]


async def show_lines(
    db: AsyncEngine, start: date, end: date, cinema_ids: Collection[int] | None
) -> list[ShowLine]:
    """Every showtime of the period with its figures, by date and start (for the CSV export)."""
    query = (
        select(
            B,
            cinemas.c.name.label("cinema"),
            cinemas.c.timezone,
            halls.c.name.label("hall"),
            movies.c.title.label("movie"),
        )
        .join(cinemas, cinemas.c.id == B.c.cinema_id)
        .join(halls, halls.c.id == B.c.hall_id)
        .join(movies, movies.c.id == B.c.movie_id)
        .where(B.c.show_date >= start, B.c.show_date <= end)
        .order_by(B.c.show_date, B.c.starts_at, B.c.showtime_id)
    )
    query = _in_scope(query, B.c.cinema_id, cinema_ids)
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [
        ShowLine(
            showtime_id=int(row.showtime_id),
            show_date=row.show_date,
            starts_at=from_db(row.starts_at, row.timezone),
            cinema=row.cinema,
            hall=row.hall,
            movie=row.movie,
            cancelled=bool(row.cancelled),
            figures=Figures(
                shows=0 if row.cancelled else 1,
                capacity=0 if row.cancelled else int(row.capacity),
                tickets=int(row.tickets),
                revenue_fen=int(row.revenue_fen),
            ),
        )
        for row in rows
    ]
