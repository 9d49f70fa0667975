"""``seatcore seed-demo``: fill the demo catalogue, idempotently.

Everything is found by its natural key before it is made (films by title, cinemas by name, halls
by cinema and name, staff by username), and each hall's week is planned the same way every time
and checked against the hall's schedule with the overlap rule: a planned screening that would
clash with one already there (itself, from an earlier run) is left out. So a second run changes
nothing, and a run on a later day adds only the days the week did not cover yet.
The schema must exist (``seatcore migrate`` first; ``seatcore demo`` does both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore import redis_client
from seatcore.auth.passwords import hash_password
from seatcore.cache import Cache
from seatcore.db.engine import create_db_engine
from seatcore.db.schema import cinemas, halls, movies, showtimes
from seatcore.demo.films import FILMS, Film
from seatcore.demo.growth import seed_growth
from seatcore.demo.history import HISTORY_DAYS, HistoryReport, add_history
from seatcore.demo.planning import plan_day
from seatcore.demo.posters import write_poster
from seatcore.demo.snacks import ensure_menus
from seatcore.demo.venues import CINEMAS, TIMEZONE, HallSpec
from seatcore.domain.layout import parse_layout
from seatcore.domain.schedule import Screening, find_clash
from seatcore.settings import Settings
from seatcore.store import users
from seatcore.store._time import to_db, utcnow
from seatcore.store.catalogue import catalogue_changed, hall_screenings

DAYS = 7
STAFF = (
    ("admin", "admin-demo-pass", "admin"),
    ("manager", "manager-demo-pass", "staff"),  # scoped to the first cinema
)


@dataclass
class SeedReport:
    movies: int = 0
    movies_added: int = 0
    posters_written: int = 0
    cinemas: int = 0
    halls: int = 0
    seats: int = 0
    largest_hall: int = 0
    showtimes_added: int = 0
    staff_added: list[str] = field(default_factory=list)
    first_day: date | None = None
    history: HistoryReport = field(default_factory=HistoryReport)
    snacks_made: int = 0

    def summary(self) -> str:
        last_day = self.first_day + timedelta(days=DAYS - 1) if self.first_day else None
        staff = ", ".join(f"{name} / {password}" for name, password, _ in STAFF)
        return (
            f"demo catalogue ready: {self.movies} movies ({self.movies_added} new, "
            f"{self.posters_written} posters drawn), {self.cinemas} cinemas, {self.halls} halls "
            f"({self.seats} seats, the largest {self.largest_hall}), {self.showtimes_added} showtimes "
            f"added for {self.first_day} .. {last_day}\n"
            f"staff console accounts: {staff}"
            + (f" (new: {', '.join(self.staff_added)})" if self.staff_added else "")
            + f"\npast {HISTORY_DAYS} days: {self.history.showtimes} showtimes added with "
            f"{self.history.orders} orders, {self.history.tickets} tickets, "
            f"¥{self.history.revenue_fen // 100} sold ({self.history.snack_orders} with snacks, "
            f"{self.history.check_ins} check-ins); {self.snacks_made} snacks added to the menus"
        )


async def seed_demo(settings: Settings, *, today: date | None = None) -> str:
    """Seed the demo data into the configured database; returns a printable summary.

    ``today`` (in the cinemas' zone) is the first day of the week of showtimes; default: today.
    """
    zone = ZoneInfo(TIMEZONE)
    first_day = today or datetime.now(zone).date()
    report = SeedReport(first_day=first_day)
    db = create_db_engine(settings)
    try:
        film_ids = await _ensure_movies(db, settings, first_day, report)
        hall_ids = await _ensure_venues(db, report)
        await _ensure_staff(db, hall_ids, report)
        cinema_ids = sorted({cinema_id for cinema_id, _hall, _spec in hall_ids})
        report.snacks_made, menus = await ensure_menus(db, settings.data_dir / "media", cinema_ids)
        for index, (cinema_id, hall_id, spec) in enumerate(hall_ids):
            await _ensure_week(db, settings, cinema_id, hall_id, spec, index, film_ids, first_day, report)
            await add_history(
                db,
                cinema_id=cinema_id,
                hall_id=hall_id,
                spec=spec,
                hall_index=index,
                films=film_ids,
                first_day=first_day,
                gap_min=settings.cleaning_gap_min,
                report=report.history,
                menu=tuple(snack for snack in menus if snack.cinema_id == cinema_id),
            )
        growth = await seed_growth(settings, db, [(movie_id, film.genres) for movie_id, film in film_ids])
    finally:
        await db.dispose()
    if settings.redis_url:
        # With the embedded Redis (not running now) cached reads simply age out within cache_ttl_s.
        redis = redis_client.connect(settings.redis_url, max_connections=4, wait_s=5.0)  # or a cluster
        try:
            await catalogue_changed(Cache(redis, settings.cache_ttl_s))
        finally:
            await redis.aclose()
    return f"{report.summary()}\n{growth}"


async def _ensure_movies(
    db: AsyncEngine, settings: Settings, first_day: date, report: SeedReport
) -> list[tuple[int, Film]]:
    posters = settings.data_dir / "media" / "posters"
    found: list[tuple[int, Film]] = []
    async with db.begin() as conn:
        existing = {
            row.title: int(row.id)
            for row in await conn.execute(
                select(movies.c.id, movies.c.title).where(movies.c.title.in_([f.title for f in FILMS]))
            )
        }
        for film in FILMS:
            movie_id = existing.get(film.title)
            if movie_id is None:
                now = utcnow()
                released = first_day - timedelta(days=film.released_days_ago)
                result = await conn.execute(
                    insert(movies).values(
                        title=film.title,
                        original_title=film.original_title,
                        genres=",".join(film.genres),
                        duration_min=film.duration_min,
                        score_x10=round(film.score * 10) if film.score is not None else 0,
                        synopsis=film.synopsis,
                        director=film.director,
                        cast=",".join(film.cast),
                        release_date=datetime.combine(released, time()),
                        status="showing" if film.showing else "coming",
                        hot_rank=film.hot_rank,
                        created_at=now,
                        updated_at=now,
                    )
                )
                movie_id = int(result.lastrowid)
                await conn.execute(
                    update(movies)
                    .where(movies.c.id == movie_id)
                    .values(poster_url=f"/media/posters/{movie_id}.png")
                )
                report.movies_added += 1
            found.append((movie_id, film))
    for movie_id, film in found:
        if write_poster(film, posters / f"{movie_id}.png"):
            report.posters_written += 1
    report.movies = len(found)
    return found


async def _ensure_venues(db: AsyncEngine, report: SeedReport) -> list[tuple[int, int, HallSpec]]:
    """Each demo hall as (cinema id, hall id, spec), creating what is missing."""
    found: list[tuple[int, int, HallSpec]] = []
    async with db.begin() as conn:
        for spec in CINEMAS:
            cinema_id = (await conn.execute(select(cinemas.c.id).where(cinemas.c.name == spec.name))).scalar()
            if cinema_id is None:
                cinema_id = (
                    await conn.execute(
                        insert(cinemas).values(
                            name=spec.name,
                            city=spec.city,
                            address=spec.address,
                            timezone=TIMEZONE,
                            latitude=spec.location[0],
                            longitude=spec.location[1],
                            created_at=utcnow(),
                        )
                    )
                ).lastrowid
            else:
                # A demo seeded before cinemas had a place on the map gets it now.
                await conn.execute(
                    update(cinemas)
                    .where(cinemas.c.id == cinema_id, cinemas.c.latitude.is_(None))
                    .values(latitude=spec.location[0], longitude=spec.location[1])
                )
            report.cinemas += 1
            for hall in spec.halls:
                layout = parse_layout(hall.layout)
                missing = set(layout.zones) - set(hall.prices)
                assert not missing, f"{hall.name}: no price for zones {missing}"
                hall_id = (
                    await conn.execute(
                        select(halls.c.id).where(halls.c.cinema_id == cinema_id, halls.c.name == hall.name)
                    )
                ).scalar()
                if hall_id is None:
                    hall_id = (
                        await conn.execute(
                            insert(halls).values(
                                cinema_id=cinema_id,
                                name=hall.name,
                                layout=orjson.dumps(layout.to_json()).decode(),
                                seat_count=layout.seat_count,
                                created_at=utcnow(),
                            )
                        )
                    ).lastrowid
                report.halls += 1
                report.seats += layout.seat_count
                report.largest_hall = max(report.largest_hall, layout.seat_count)
                found.append((int(cinema_id), int(hall_id), hall))
    return found


async def _ensure_staff(
    db: AsyncEngine, hall_ids: list[tuple[int, int, HallSpec]], report: SeedReport
) -> None:
    first_cinema = hall_ids[0][0]
    for username, password, role in STAFF:
        if await users.find_staff(db, username=username) is not None:
            continue
        scope = (first_cinema,) if role == "staff" else ()
        await users.create_staff(db, username, hash_password(password), role, scope)
        report.staff_added.append(username)


async def _ensure_week(
    db: AsyncEngine,
    settings: Settings,
    cinema_id: int,
    hall_id: int,
    spec: HallSpec,
    hall_index: int,
    films: list[tuple[int, Film]],
    first_day: date,
    report: SeedReport,
) -> None:
    showing = [(movie_id, film) for movie_id, film in films if film.showing]
    gap_min = settings.cleaning_gap_min
    zone = ZoneInfo(TIMEZONE)
    week_start = datetime.combine(first_day, time(), zone)
    week_end = week_start + timedelta(days=DAYS)
    gap = timedelta(minutes=gap_min)
    prices = orjson.dumps(spec.prices).decode()
    async with db.begin() as conn:
        booked = await hall_screenings(conn, hall_id, week_start - gap, week_end + gap)
        for offset in range(DAYS):
            for movie_id, film, starts, ends in plan_day(
                first_day + timedelta(days=offset), hall_index, spec, showing, gap_min
            ):
                planned = Screening(starts_at=starts, ends_at=ends)
                if find_clash(planned, booked, gap_min=gap_min) is not None:
                    continue
                await conn.execute(
                    insert(showtimes).values(
                        hall_id=hall_id,
                        cinema_id=cinema_id,
                        movie_id=movie_id,
                        starts_at=to_db(starts),
                        ends_at=to_db(ends),
                        language=film.language,
                        format=spec.format,
                        prices=prices,
                        created_at=utcnow(),
                    )
                )
                booked.append(planned)
                report.showtimes_added += 1
