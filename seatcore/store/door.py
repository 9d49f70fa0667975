"""The door's storage: admitting a ticket once, the scan trail, and what a scanner downloads.

A ticket is admitted by one conditional UPDATE (``checked_in_at IS NULL AND live = 1``): of any
number of doors scanning it at once, the database lets exactly one change the row (invariant 12).
The same transaction writes the scan to ``door_scans``, whatever its outcome.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import cinemas, door_scans, halls, movies, orders, showtimes, tickets
from seatcore.store._time import from_db, to_db, utcnow

ADMITTED = "admitted"
ALREADY = "already_checked_in"
NOT_LIVE = "ticket_not_live"


@dataclass(frozen=True, slots=True)
class DoorTicket:
    """A ticket as the door sees it (times aware UTC)."""

    code: str
    seat_id: str
    live: bool
    showtime_id: int
    cinema_id: int
    hall_name: str
    movie_title: str
    starts_at: datetime
    timezone: str
    checked_in_at: datetime | None
    checked_in_door: str | None
    order_id: str = ""
    user_id: int | None = None  # the moviegoer who bought it


@dataclass(frozen=True, slots=True)
class Admission:
    outcome: str  # ADMITTED | ALREADY | NOT_LIVE
    ticket: DoorTicket  # as it is after the attempt (when and where it came in)


@dataclass(frozen=True, slots=True)
class Scan:
    code: str
    showtime_id: int
    cinema_id: int
    door: str
    scanned_at: datetime  # aware
    staff_id: int | None
    offline: bool


def _still_outside() -> ColumnElement[bool]:
    """The guard of invariant 12 (the race test's control replaces it)."""
    return tickets.c.checked_in_at.is_(None)


def _live() -> ColumnElement[bool]:
    return tickets.c.live == 1  # 1 while live, NULL once refunded or exchanged


_TICKET_COLUMNS = (
    tickets.c.code,
    tickets.c.seat_id,
    tickets.c.live,
    tickets.c.showtime_id,
    showtimes.c.cinema_id,
    halls.c.name.label("hall_name"),
    movies.c.title,
    showtimes.c.starts_at,
    cinemas.c.timezone,
    tickets.c.checked_in_at,
    tickets.c.checked_in_door,
    tickets.c.order_id,
    orders.c.user_id,
)
_TICKET_FROM = (
    tickets.join(showtimes, showtimes.c.id == tickets.c.showtime_id)
    .join(orders, orders.c.id == tickets.c.order_id)
    .join(halls, halls.c.id == showtimes.c.hall_id)
    .join(movies, movies.c.id == showtimes.c.movie_id)
    .join(cinemas, cinemas.c.id == showtimes.c.cinema_id)
)


def _door_ticket(row: Row[*tuple[Any, ...]]) -> DoorTicket:
    r = row._mapping
    return DoorTicket(
        code=r["code"],
        seat_id=r["seat_id"],
        live=bool(r["live"]),
        showtime_id=int(r["showtime_id"]),
        cinema_id=int(r["cinema_id"]),
        hall_name=r["hall_name"],
        movie_title=r["title"],
        starts_at=from_db(r["starts_at"]),
        timezone=r["timezone"],
        checked_in_at=from_db(r["checked_in_at"]) if r["checked_in_at"] else None,
        checked_in_door=r["checked_in_door"],
        order_id=r["order_id"],
        user_id=int(r["user_id"]),
    )


async def find_ticket(db: AsyncEngine, code: str) -> DoorTicket | None:
    query = select(*_TICKET_COLUMNS).select_from(_TICKET_FROM).where(tickets.c.code == code)
    async with db.connect() as conn:
        row = (await conn.execute(query)).first()
    return None if row is None else _door_ticket(row)


async def admit(db: AsyncEngine, scan: Scan) -> Admission:
    """Admit the ticket if it is live and not in yet; record the scan either way."""
    async with db.begin() as conn:
        changed = await conn.execute(
            update(tickets)
            .where(tickets.c.code == scan.code, _live(), _still_outside())
            .values(checked_in_at=to_db(scan.scanned_at), checked_in_door=scan.door)
        )
        # A locking read of the ticket's row alone: the row as the winner of a race left it (a
        # plain read could see an older snapshot; locking the join would queue every check-in of
        # the showtime behind its row).
        now = (
            await conn.execute(
                select(tickets.c.live, tickets.c.checked_in_at, tickets.c.checked_in_door)
                .where(tickets.c.code == scan.code)
                .with_for_update()
            )
        ).one()
        live = bool(now.live)
        outcome = ADMITTED if changed.rowcount == 1 else ALREADY if live else NOT_LIVE
        await record_scan(conn, scan, outcome)
    found = await find_ticket(db, scan.code)  # what the answer shows: hall, film, start
    assert found is not None, "tickets are never deleted"
    ticket = replace(
        found,
        live=live,
        checked_in_at=from_db(now.checked_in_at) if now.checked_in_at else None,
        checked_in_door=now.checked_in_door,
    )
    return Admission(outcome, ticket)


async def record_scan(conn: AsyncConnection, scan: Scan, outcome: str) -> None:
    await conn.execute(
        insert(door_scans).values(
            ticket_code=scan.code,
            showtime_id=scan.showtime_id,
            cinema_id=scan.cinema_id,
            door=scan.door,
            scanned_at=to_db(scan.scanned_at),
            recorded_at=utcnow(),
            staff_id=scan.staff_id,
            outcome=outcome,
            offline=scan.offline,
        )
    )


async def tickets_between(
    db: AsyncEngine, cinema_ids: Collection[int] | None, start: datetime, end: datetime
) -> list[DoorTicket]:
    """Every ticket (live or not) of the showtimes starting in [start, end) in these cinemas."""
    query = (
        select(*_TICKET_COLUMNS)
        .select_from(_TICKET_FROM)
        .where(showtimes.c.starts_at >= to_db(start), showtimes.c.starts_at < to_db(end))
        .order_by(showtimes.c.starts_at, tickets.c.showtime_id, tickets.c.seat_id)
    )
    if cinema_ids is not None:
        query = query.where(showtimes.c.cinema_id.in_(list(cinema_ids)))
    async with db.connect() as conn:
        return [_door_ticket(row) for row in await conn.execute(query)]


@dataclass(frozen=True, slots=True)
class Counter:
    showtime_id: int
    cinema_id: int
    admitted: int
    sold: int


async def counter(db: AsyncEngine, showtime_id: int) -> Counter | None:
    """Live tickets of a showtime, and how many of them are in."""
    query = (
        select(
            showtimes.c.cinema_id,
            func.count(tickets.c.id),
            func.count(tickets.c.checked_in_at),
        )
        .select_from(showtimes.outerjoin(tickets, and_(tickets.c.showtime_id == showtimes.c.id, _live())))
        .where(showtimes.c.id == showtime_id)
        .group_by(showtimes.c.cinema_id)
    )
    async with db.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None:
        return None
    return Counter(showtime_id, int(row[0]), admitted=int(row[2]), sold=int(row[1]))


async def cinema_timezone(db: AsyncEngine, cinema_id: int) -> str | None:
    async with db.connect() as conn:
        zone = (await conn.execute(select(cinemas.c.timezone).where(cinemas.c.id == cinema_id))).scalar()
    return None if zone is None else str(zone)
