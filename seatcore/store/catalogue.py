"""The catalogue in SQL: movies, want-to-see favourites, cinemas, halls' screenings and showtimes.

Reads for the public API, the hall-schedule check used by whoever adds showtimes, and
``catalogue_changed``, which every writer of catalogue rows calls after committing so that cached
reads (seatcore.cache) are dropped at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import and_, delete, func, insert, literal, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.cache import Cache
from seatcore.db.schema import cinemas, favourites, halls, movies, showtimes, tickets
from seatcore.domain.schedule import SalesPolicy, Screening
from seatcore.errors import NotFound
from seatcore.store._time import from_db, to_db, utcnow


@dataclass(frozen=True, slots=True)
class Movie:
    id: int
    title: str
    original_title: str
    genres: tuple[str, ...]
    duration_min: int
    score_x10: int  # 0: not rated yet
    poster_url: str
    status: str
    release_date: date | None
    hot_rank: int
    synopsis: str
    director: str
    cast: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cinema:
    id: int
    name: str
    city: str
    address: str
    timezone: str
    sales_close_before_min: int | None
    refund_until_before_min: int | None
    latitude: float | None = None  # WGS-84 degrees; None: not placed on the map
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """A showtime as a cinema list sums it up: when, in which format, at which prices."""

    cinema_id: int
    starts_at: datetime  # aware (UTC)
    format: str
    prices: dict[str, int]


@dataclass(frozen=True, slots=True)
class Showtime:
    """A showtime with what a listing shows of its movie, cinema and hall. Times are aware (UTC)."""

    id: int
    movie_id: int
    movie_title: str
    cinema_id: int
    cinema_name: str
    timezone: str
    hall_id: int
    hall_name: str
    starts_at: datetime
    ends_at: datetime
    language: str
    format: str
    prices: dict[str, int]
    seat_count: int
    sales_open: bool  # the staff switch; the time rule is applied by SalesPolicy
    status: str
    sales_close_before_min: int | None  # the cinema's overrides, None for the service default
    refund_until_before_min: int | None
    on_sale_at: datetime | None = None  # on sale to everyone from then (members' tiers earlier)
    member_prices: str | None = None  # JSON: the overrides of the tiers' prices (store.seating)

    def policy(self, defaults: SalesPolicy) -> SalesPolicy:
        return defaults.with_overrides(self.sales_close_before_min, self.refund_until_before_min)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _movie(row: Row[Any]) -> Movie:
    return Movie(
        id=int(row.id),
        title=row.title,
        original_title=row.original_title,
        genres=_split(row.genres),
        duration_min=int(row.duration_min),
        score_x10=int(row.score_x10),
        poster_url=row.poster_url,
        status=row.status,
        release_date=row.release_date.date() if row.release_date is not None else None,
        hot_rank=int(row.hot_rank),
        synopsis=row.synopsis,
        director=row.director,
        cast=_split(row.cast),
    )


def _cinema(row: Row[Any]) -> Cinema:
    return Cinema(
        id=int(row.id),
        name=row.name,
        city=row.city,
        address=row.address,
        timezone=row.timezone,
        sales_close_before_min=row.sales_close_before_min,
        refund_until_before_min=row.refund_until_before_min,
        latitude=row.latitude,
        longitude=row.longitude,
    )


# ---------------------------------------------------------------------------------------------- movies

MovieKey = tuple[int, int]  # (score_x10, id): the order of movie lists, best score first


async def list_movies(
    db: AsyncEngine,
    *,
    status: str | None = None,
    q: str | None = None,
    genre: str | None = None,
    after: MovieKey | None = None,
    limit: int = 20,
    with_retired: bool = False,
) -> list[Movie]:
    """Movies by score (best first, then id), after the ``after`` key, at most ``limit``; retired
    ones only for ``with_retired`` (the console)."""
    query = select(movies)
    if not with_retired:
        query = query.where(movies.c.status != "retired")
    if status is not None:
        query = query.where(movies.c.status == status)
    if q:
        query = query.where(
            or_(
                movies.c.title.contains(q, autoescape=True),
                movies.c.original_title.contains(q, autoescape=True),
            )
        )
    if genre:
        # Genres are stored comma separated; bracketing with commas matches whole genres only.
        bracketed = literal(",") + func.replace(movies.c.genres, " ", "") + literal(",")
        query = query.where(bracketed.contains(f",{genre},", autoescape=True))
    if after is not None:
        score, movie_id = after
        query = query.where(
            or_(movies.c.score_x10 < score, and_(movies.c.score_x10 == score, movies.c.id > movie_id))
        )
    query = query.order_by(movies.c.score_x10.desc(), movies.c.id).limit(limit)
    async with db.connect() as conn:
        return [_movie(row) for row in await conn.execute(query)]


async def hot_movies(db: AsyncEngine, limit: int = 10) -> list[Movie]:
    """The home carousel: movies with a hot rank, rank 1 first."""
    query = (
        select(movies)
        .where(movies.c.hot_rank > 0, movies.c.status != "retired")
        .order_by(movies.c.hot_rank, movies.c.id)
        .limit(limit)
    )
    async with db.connect() as conn:
        return [_movie(row) for row in await conn.execute(query)]


async def get_movie(db: AsyncEngine, movie_id: int) -> Movie | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(movies).where(movies.c.id == movie_id))).first()
    return None if row is None else _movie(row)


async def want_counts(db: AsyncEngine, movie_ids: Sequence[int]) -> dict[int, int]:
    """How many moviegoers want to see each movie (0 for none)."""
    if not movie_ids:
        return {}
    query = (
        select(favourites.c.movie_id, func.count())
        .where(favourites.c.movie_id.in_(list(movie_ids)))
        .group_by(favourites.c.movie_id)
    )
    async with db.connect() as conn:
        counted = {int(movie_id): int(count) for movie_id, count in await conn.execute(query)}
    return {movie_id: counted.get(movie_id, 0) for movie_id in movie_ids}


async def is_wanted(db: AsyncEngine, user_id: int, movie_id: int) -> bool:
    query = select(favourites.c.movie_id).where(
        favourites.c.user_id == user_id, favourites.c.movie_id == movie_id
    )
    async with db.connect() as conn:
        return (await conn.execute(query)).first() is not None


async def set_wanted(db: AsyncEngine, user_id: int, movie_id: int, wanted: bool) -> None:
    """Add or drop a favourite; doing it twice is the same as once. NotFound for no such movie."""
    async with db.begin() as conn:
        if (await conn.execute(select(movies.c.id).where(movies.c.id == movie_id))).first() is None:
            raise NotFound("no such movie", movie_id=movie_id)
        mine = and_(favourites.c.user_id == user_id, favourites.c.movie_id == movie_id)
        if not wanted:
            await conn.execute(delete(favourites).where(mine))
            return
        if (await conn.execute(select(favourites.c.movie_id).where(mine))).first() is not None:
            return
    try:
        async with db.begin() as conn:
            await conn.execute(
                insert(favourites).values(user_id=user_id, movie_id=movie_id, created_at=utcnow())
            )
    except IntegrityError:
        pass  # a concurrent request added it first: the wish stands


FavouriteKey = tuple[datetime, int]  # (favourited at, movie id): newest first


async def favourite_movies(
    db: AsyncEngine, user_id: int, *, after: FavouriteKey | None = None, limit: int = 20
) -> list[tuple[Movie, FavouriteKey]]:
    """A moviegoer's favourites, newest first, each with its pagination key."""
    query = (
        select(movies, favourites.c.created_at.label("wanted_at"))
        .join(favourites, favourites.c.movie_id == movies.c.id)
        .where(favourites.c.user_id == user_id)
    )
    if after is not None:
        at, movie_id = after
        query = query.where(
            or_(
                favourites.c.created_at < at,
                and_(favourites.c.created_at == at, favourites.c.movie_id < movie_id),
            )
        )
    query = query.order_by(favourites.c.created_at.desc(), favourites.c.movie_id.desc()).limit(limit)
    async with db.connect() as conn:
        return [(_movie(row), (row.wanted_at, int(row.id))) for row in await conn.execute(query)]


# --------------------------------------------------------------------------------------------- cinemas


async def cities(db: AsyncEngine) -> list[tuple[str, int]]:
    """Each city with how many cinemas it has, by name."""
    query = select(cinemas.c.city, func.count()).group_by(cinemas.c.city).order_by(cinemas.c.city)
    async with db.connect() as conn:
        return [(city, int(count)) for city, count in await conn.execute(query)]


async def list_cinemas(db: AsyncEngine, city: str | None = None, q: str | None = None) -> list[Cinema]:
    """Cinemas by city and name, optionally of one city and/or with ``q`` in the name or address."""
    query = select(cinemas).order_by(cinemas.c.city, cinemas.c.name, cinemas.c.id)
    if city is not None:
        query = query.where(cinemas.c.city == city)
    if q:
        query = query.where(
            or_(cinemas.c.name.contains(q, autoescape=True), cinemas.c.address.contains(q, autoescape=True))
        )
    async with db.connect() as conn:
        return [_cinema(row) for row in await conn.execute(query)]


async def offers_between(
    db: AsyncEngine, cinema_ids: Sequence[int], start: datetime, end: datetime
) -> list[Offer]:
    """The scheduled showtimes on sale of these cinemas that start in [start, end)."""
    if not cinema_ids:
        return []
    columns = (showtimes.c.cinema_id, showtimes.c.starts_at, showtimes.c.format, showtimes.c.prices)
    query = select(*columns).where(
        showtimes.c.cinema_id.in_(list(cinema_ids)),
        showtimes.c.status == "scheduled",
        showtimes.c.sales_open.is_(True),
        showtimes.c.starts_at >= to_db(start),
        showtimes.c.starts_at < to_db(end),
    )
    async with db.connect() as conn:
        return [
            Offer(
                cinema_id=int(row.cinema_id),
                starts_at=from_db(row.starts_at),
                format=row.format,
                prices={str(zone): int(fen) for zone, fen in orjson.loads(row.prices).items()},
            )
            for row in await conn.execute(query)
        ]


async def get_cinema(db: AsyncEngine, cinema_id: int) -> Cinema | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(cinemas).where(cinemas.c.id == cinema_id))).first()
    return None if row is None else _cinema(row)


# ------------------------------------------------------------------------------------------- showtimes

_SHOWTIME_COLUMNS = (
    showtimes,
    movies.c.title.label("movie_title"),
    cinemas.c.name.label("cinema_name"),
    cinemas.c.timezone,
    cinemas.c.sales_close_before_min,
    cinemas.c.refund_until_before_min,
    halls.c.name.label("hall_name"),
    halls.c.seat_count,
)


def _showtime_query() -> Any:
    return (
        select(*_SHOWTIME_COLUMNS)
        .join(movies, movies.c.id == showtimes.c.movie_id)
        .join(cinemas, cinemas.c.id == showtimes.c.cinema_id)
        .join(halls, halls.c.id == showtimes.c.hall_id)
    )


def _showtime(row: Row[Any]) -> Showtime:
    return Showtime(
        id=int(row.id),
        movie_id=int(row.movie_id),
        movie_title=row.movie_title,
        cinema_id=int(row.cinema_id),
        cinema_name=row.cinema_name,
        timezone=row.timezone,
        hall_id=int(row.hall_id),
        hall_name=row.hall_name,
        starts_at=from_db(row.starts_at),
        ends_at=from_db(row.ends_at),
        language=row.language,
        format=row.format,
        prices={str(zone): int(fen) for zone, fen in orjson.loads(row.prices).items()},
        seat_count=int(row.seat_count),
        sales_open=bool(row.sales_open),
        status=row.status,
        sales_close_before_min=row.sales_close_before_min,
        refund_until_before_min=row.refund_until_before_min,
        on_sale_at=from_db(row.on_sale_at) if row.on_sale_at is not None else None,
        member_prices=row.member_prices,
    )


async def showtimes_between(
    db: AsyncEngine,
    start: datetime,
    end: datetime,
    *,
    movie_id: int | None = None,
    cinema_id: int | None = None,
) -> list[Showtime]:
    """Showtimes starting in [start, end), optionally of one movie and/or one cinema, by start."""
    query = _showtime_query().where(showtimes.c.starts_at >= to_db(start), showtimes.c.starts_at < to_db(end))
    if movie_id is not None:
        query = query.where(showtimes.c.movie_id == movie_id)
    if cinema_id is not None:
        query = query.where(showtimes.c.cinema_id == cinema_id)
    query = query.order_by(showtimes.c.starts_at, showtimes.c.id)
    async with db.connect() as conn:
        return [_showtime(row) for row in await conn.execute(query)]


async def get_showtime(db: AsyncEngine, showtime_id: int) -> Showtime | None:
    async with db.connect() as conn:
        row = (await conn.execute(_showtime_query().where(showtimes.c.id == showtime_id))).first()
    return None if row is None else _showtime(row)


async def seats_and_live_tickets(db: AsyncEngine, showtime_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """For each existing showtime: (its hall's seat count, its live tickets)."""
    if not showtime_ids:
        return {}
    sold = (
        select(func.count())
        .where(tickets.c.showtime_id == showtimes.c.id, tickets.c.live.is_not(None))
        .scalar_subquery()
    )
    query = (
        select(showtimes.c.id, halls.c.seat_count, sold)
        .join(halls, halls.c.id == showtimes.c.hall_id)
        .where(showtimes.c.id.in_(list(showtime_ids)))
    )
    async with db.connect() as conn:
        return {int(i): (int(seats), int(taken)) for i, seats, taken in await conn.execute(query)}


async def hall_screenings(
    conn: AsyncConnection, hall_id: int, start: datetime, end: datetime
) -> list[Screening]:
    """The hall's scheduled (not cancelled) screenings that overlap [start, end).

    Give a window widened by the cleaning gap to check a new showtime with
    seatcore.domain.schedule.check_no_clash. Takes a connection so the check and the insert can
    share one transaction.
    """
    query = select(showtimes.c.id, showtimes.c.starts_at, showtimes.c.ends_at).where(
        showtimes.c.hall_id == hall_id,
        showtimes.c.status == "scheduled",
        showtimes.c.starts_at < to_db(end),
        showtimes.c.ends_at > to_db(start),
    )
    return [
        Screening(starts_at=from_db(row.starts_at), ends_at=from_db(row.ends_at), id=int(row.id))
        for row in await conn.execute(query)
    ]


async def catalogue_changed(cache: Cache) -> None:
    """Drop every cached catalogue read. Call after committing any change to movies, cinemas,
    halls or showtimes (the staff console does); want-to-see counts are refreshed on their own."""
    await cache.invalidate()
