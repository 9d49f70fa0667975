"""Catalogue writes from the staff console: movies, cinemas, halls with their layouts, showtimes.

Every write records an audit entry in the same transaction (seatcore.store.audit). Callers drop the
catalogue cache after a write (seatcore.store.catalogue.catalogue_changed). Reads that the public
catalogue already has (seatcore.store.catalogue) are not repeated here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import cinemas, halls, movies, orders, showtimes, tickets
from seatcore.domain.layout import Layout
from seatcore.domain.schedule import Screening, check_no_clash
from seatcore.errors import Conflict, NotFound
from seatcore.store import audit
from seatcore.store._time import to_db, utcnow
from seatcore.store.audit import Actor
from seatcore.store.catalogue import hall_screenings

# Movie columns the console may set; the API layer maps its fields onto these.
MOVIE_COLUMNS = frozenset(
    {
        "title",
        "original_title",
        "genres",
        "duration_min",
        "score_x10",
        "synopsis",
        "director",
        "cast",
        "release_date",
        "poster_url",
        "status",
        "hot_rank",
    }
)
CINEMA_COLUMNS = frozenset(
    {
        "name",
        "city",
        "address",
        "timezone",
        "sales_close_before_min",
        "refund_until_before_min",
        "latitude",
        "longitude",
    }
)


@dataclass(frozen=True, slots=True)
class Hall:
    id: int
    cinema_id: int
    name: str
    seat_count: int
    layout: dict[str, Any]


def _changes(values: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not writable here: {', '.join(sorted(unknown))}")
    return dict(values)


# ---------------------------------------------------------------------------------------------- movies


async def create_movie(db: AsyncEngine, actor: Actor, values: Mapping[str, Any]) -> int:
    row = _changes(values, MOVIE_COLUMNS)
    now = utcnow()
    async with db.begin() as conn:
        result = await conn.execute(insert(movies).values(**row, created_at=now, updated_at=now))
        movie_id = int(result.lastrowid)
        await audit.record(conn, actor, "movie.create", target_type="movie", target_id=movie_id, details=row)
    return movie_id


async def update_movie(db: AsyncEngine, actor: Actor, movie_id: int, values: Mapping[str, Any]) -> None:
    row = _changes(values, MOVIE_COLUMNS)
    async with db.begin() as conn:
        exists = (await conn.execute(select(movies.c.id).where(movies.c.id == movie_id))).first()
        if exists is None:
            raise NotFound("no such movie", movie_id=movie_id)
        if row:
            await conn.execute(
                update(movies).where(movies.c.id == movie_id).values(**row, updated_at=utcnow())
            )
        await audit.record(conn, actor, "movie.update", target_type="movie", target_id=movie_id, details=row)


# --------------------------------------------------------------------------------------------- cinemas


async def create_cinema(db: AsyncEngine, actor: Actor, values: Mapping[str, Any]) -> int:
    row = _changes(values, CINEMA_COLUMNS)
    async with db.begin() as conn:
        result = await conn.execute(insert(cinemas).values(**row, created_at=utcnow()))
        cinema_id = int(result.lastrowid)
        await audit.record(
            conn,
            actor,
            "cinema.create",
            target_type="cinema",
            target_id=cinema_id,
            cinema_id=cinema_id,
            details=row,
        )
    return cinema_id


async def update_cinema(db: AsyncEngine, actor: Actor, cinema_id: int, values: Mapping[str, Any]) -> None:
    row = _changes(values, CINEMA_COLUMNS)
    async with db.begin() as conn:
        if row:
            await conn.execute(update(cinemas).where(cinemas.c.id == cinema_id).values(**row))
        await audit.record(
            conn,
            actor,
            "cinema.update",
            target_type="cinema",
            target_id=cinema_id,
            cinema_id=cinema_id,
            details=row,
        )


# ----------------------------------------------------------------------------------------------- halls


def _hall(row: Any) -> Hall:
    return Hall(
        id=int(row.id),
        cinema_id=int(row.cinema_id),
        name=row.name,
        seat_count=int(row.seat_count),
        layout=orjson.loads(row.layout),
    )


async def list_halls(db: AsyncEngine, cinema_id: int) -> list[Hall]:
    query = select(halls).where(halls.c.cinema_id == cinema_id).order_by(halls.c.name, halls.c.id)
    async with db.connect() as conn:
        return [_hall(row) for row in await conn.execute(query)]


async def get_hall(db: AsyncEngine, hall_id: int) -> Hall | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(halls).where(halls.c.id == hall_id))).first()
    return None if row is None else _hall(row)


def _name_taken(name: str) -> Conflict:
    return Conflict(f"this cinema already has a hall called {name}", code="hall_name_taken", name=name)


async def create_hall(db: AsyncEngine, actor: Actor, cinema_id: int, name: str, layout: Layout) -> int:
    try:
        async with db.begin() as conn:
            result = await conn.execute(
                insert(halls).values(
                    cinema_id=cinema_id,
                    name=name,
                    layout=orjson.dumps(layout.to_json()).decode(),
                    seat_count=layout.seat_count,
                    created_at=utcnow(),
                )
            )
            hall_id = int(result.lastrowid)
            await audit.record(
                conn,
                actor,
                "hall.create",
                target_type="hall",
                target_id=hall_id,
                cinema_id=cinema_id,
                details={"name": name, "seat_count": layout.seat_count},
            )
    except IntegrityError:
        raise _name_taken(name) from None
    return hall_id


async def seats_sold_ahead(conn: AsyncConnection, hall_id: int, now: datetime) -> set[str]:
    """Seat ids with a live ticket at a scheduled showtime of the hall that has not started yet."""
    query = (
        select(tickets.c.seat_id)
        .join(showtimes, showtimes.c.id == tickets.c.showtime_id)
        .where(
            showtimes.c.hall_id == hall_id,
            showtimes.c.status == "scheduled",
            showtimes.c.starts_at > to_db(now),
            tickets.c.live.is_not(None),
        )
        .distinct()
    )
    return {row.seat_id for row in await conn.execute(query)}


async def update_hall(
    db: AsyncEngine, actor: Actor, hall: Hall, *, name: str | None, layout: Layout | None
) -> None:
    """Rename the hall and/or give it a new layout.

    A new layout must keep every seat already sold for a screening still to come (Conflict
    ``layout_in_use`` names the missing seats), so no sold ticket points at a seat that is gone.
    """
    values: dict[str, Any] = {}
    details: dict[str, Any] = {}
    if name is not None and name != hall.name:
        values["name"] = details["name"] = name
    try:
        async with db.begin() as conn:
            # Lock the hall row: no showtime of this hall is sold or added while its layout changes.
            await conn.execute(select(halls.c.id).where(halls.c.id == hall.id).with_for_update())
            if layout is not None:
                missing = sorted(
                    (await seats_sold_ahead(conn, hall.id, datetime.now(UTC))) - set(layout.seats)
                )
                if missing:
                    raise Conflict(
                        "seats sold for coming screenings would disappear from the hall",
                        code="layout_in_use",
                        seats=missing,
                    )
                values["layout"] = orjson.dumps(layout.to_json()).decode()
                values["seat_count"] = details["seat_count"] = layout.seat_count
            if values:
                await conn.execute(update(halls).where(halls.c.id == hall.id).values(**values))
            await audit.record(
                conn,
                actor,
                "hall.update",
                target_type="hall",
                target_id=hall.id,
                cinema_id=hall.cinema_id,
                details=details,
            )
    except IntegrityError:
        raise _name_taken(name or hall.name) from None


# ------------------------------------------------------------------------------------------- showtimes


@dataclass(frozen=True, slots=True)
class NewShowtime:
    hall: Hall
    movie_id: int
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    language: str
    format: str
    prices: dict[str, int]
    sales_open: bool
    on_sale_at: datetime | None = None  # aware
    member_prices: str | None = None  # JSON, checked (seatcore.store.seating.member_overrides)


async def _check_hall_free(conn: AsyncConnection, hall_id: int, screening: Screening, gap_min: int) -> None:
    """Lock the hall row, then refuse ``screening`` if it clashes with the hall's schedule."""
    await conn.execute(select(halls.c.id).where(halls.c.id == hall_id).with_for_update())
    gap = timedelta(minutes=gap_min)
    others = await hall_screenings(conn, hall_id, screening.starts_at - gap, screening.ends_at + gap)
    check_no_clash(screening, others, gap_min=gap_min)


async def create_showtime(db: AsyncEngine, actor: Actor, new: NewShowtime, *, gap_min: int) -> int:
    """Add a screening; ScheduleClash (naming the clashing showtime) when the hall is busy then."""
    async with db.begin() as conn:
        await _check_hall_free(conn, new.hall.id, Screening(new.starts_at, new.ends_at), gap_min)
        result = await conn.execute(
            insert(showtimes).values(
                hall_id=new.hall.id,
                cinema_id=new.hall.cinema_id,
                movie_id=new.movie_id,
                starts_at=to_db(new.starts_at),
                ends_at=to_db(new.ends_at),
                language=new.language,
                format=new.format,
                prices=orjson.dumps(new.prices).decode(),
                sales_open=new.sales_open,
                on_sale_at=to_db(new.on_sale_at) if new.on_sale_at is not None else None,
                member_prices=new.member_prices,
                status="scheduled",
                created_at=utcnow(),
            )
        )
        showtime_id = int(result.lastrowid)
        await audit.record(
            conn,
            actor,
            "showtime.create",
            target_type="showtime",
            target_id=showtime_id,
            cinema_id=new.hall.cinema_id,
            details={
                "hall_id": new.hall.id,
                "movie_id": new.movie_id,
                "starts_at": new.starts_at.isoformat(),
                "prices": new.prices,
            },
        )
    return showtime_id


async def live_ticket_count(db: AsyncEngine, showtime_id: int) -> int:
    query = select(func.count()).where(tickets.c.showtime_id == showtime_id, tickets.c.live.is_not(None))
    async with db.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def update_showtime(
    db: AsyncEngine,
    actor: Actor,
    showtime_id: int,
    cinema_id: int,
    values: Mapping[str, Any],
    *,
    move_to: tuple[int, Screening] | None,
    gap_min: int,
) -> None:
    """Change a showtime; ``move_to`` (hall id, new times) re-checks the schedule of that hall."""
    row: dict[str, Any] = dict(values)
    if "prices" in row:
        row["prices"] = orjson.dumps(row["prices"]).decode()
    details = {name: value for name, value in values.items()}
    async with db.begin() as conn:
        if move_to is not None:
            hall_id, screening = move_to
            await _check_hall_free(conn, hall_id, screening, gap_min)
            row.update(
                hall_id=hall_id, starts_at=to_db(screening.starts_at), ends_at=to_db(screening.ends_at)
            )
            details.update(hall_id=hall_id, starts_at=screening.starts_at.isoformat())
        if row:
            await conn.execute(update(showtimes).where(showtimes.c.id == showtime_id).values(**row))
        await audit.record(
            conn,
            actor,
            "showtime.update",
            target_type="showtime",
            target_id=showtime_id,
            cinema_id=cinema_id,
            details=details,
        )


async def cancel_showtime(
    db: AsyncEngine, actor: Actor, showtime_id: int, cinema_id: int, reason: str
) -> None:
    """Mark the showtime cancelled and stop its sales (its paid orders are refunded by the caller)."""
    async with db.begin() as conn:
        await conn.execute(
            update(showtimes)
            .where(showtimes.c.id == showtime_id)
            .values(status="cancelled", sales_open=False)
        )
        await audit.record(
            conn,
            actor,
            "showtime.cancel",
            target_type="showtime",
            target_id=showtime_id,
            cinema_id=cinema_id,
            details={"reason": reason},
        )


async def orders_to_refund(db: AsyncEngine, showtime_id: int, statuses: Sequence[str]) -> list[str]:
    """Ids of the showtime's orders in one of ``statuses`` (the ones holding paid money)."""
    query = (
        select(orders.c.id)
        .where(orders.c.showtime_id == showtime_id, orders.c.status.in_(list(statuses)))
        .order_by(orders.c.created_at, orders.c.id)
    )
    async with db.connect() as conn:
        return [row.id for row in await conn.execute(query)]


async def coming_showtimes(db: AsyncEngine, hall_id: int) -> list[int]:
    """Ids of the hall's showtimes that have not started yet."""
    query = select(showtimes.c.id).where(
        showtimes.c.hall_id == hall_id, showtimes.c.starts_at > to_db(datetime.now(UTC))
    )
    async with db.connect() as conn:
        return [int(i) for i in (await conn.execute(query)).scalars()]
