"""``seed-demo``: a realistic catalogue, idempotent, on MariaDB and on the embedded SQLite."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from seatcore.db.engine import create_db_engine, database_url
from seatcore.db.migrate import upgrade
from seatcore.db.schema import cinemas, halls, metadata, movies, showtimes
from seatcore.demo import history
from seatcore.demo.seed import DAYS, seed_demo
from seatcore.domain.layout import parse_layout
from seatcore.domain.schedule import Screening, find_clash
from seatcore.settings import Settings
from seatcore.store._time import from_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _short_past(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seeded past's 30 days of sales are tests/catalogue_console/test_demo_history.py's to
    check (seeded twice on MariaDB), and tests/test_embedded.py's `seatcore demo` seeds them on
    SQLite; here, where the catalogue and the week are checked, two days of past keep its way
    through every seed at a fifteenth of the cost (most of a seed's time)."""
    monkeypatch.setattr(history, "HISTORY_DAYS", 2)


async def row_counts(db: AsyncEngine) -> dict[str, int]:
    async with db.connect() as conn:
        return {
            table.name: int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
            for table in metadata.sorted_tables
        }


async def local_show_days(db: AsyncEngine, since: date) -> set[date]:
    """The days with screenings from ``since`` on (before it lies the seeded past)."""
    async with db.connect() as conn:
        starts = (await conn.execute(select(showtimes.c.starts_at))).scalars()
        days = {from_db(moment, "Asia/Shanghai").date() for moment in starts}
        return {day for day in days if day >= since}


async def test_seed_twice_on_mariadb(app: Starlette, client: httpx.AsyncClient, settings: Settings) -> None:
    db: AsyncEngine = app.state.runtime.db
    assert (await client.get("/api/v1/movies")).json()["items"] == []  # cached as empty

    today = datetime.now(SHANGHAI).date()
    summary = await seed_demo(settings, today=today)
    assert "14 movies (14 new" in summary
    first = await row_counts(db)
    assert first["movies"] >= 12
    assert first["cinemas"] == 3
    assert first["halls"] == 6
    assert first["staff"] == 2
    assert first["showtimes"] > 6 * DAYS * 3

    await seed_demo(settings, today=today)
    assert await row_counts(db) == first

    # The seed dropped the cached empty list: the API shows the demo at once.
    listed = (await client.get("/api/v1/movies?limit=50")).json()["items"]
    assert len(listed) == first["movies"]
    assert all(m["title"] and m["original_title"] and m["genres"] and m["duration_min"] for m in listed)
    poster = await client.get(listed[0]["poster_url"])
    assert poster.status_code == 200
    assert poster.headers["content-type"] == "image/png"
    assert poster.content.startswith(b"\x89PNG")
    assert (await client.get("/api/v1/movies/hot")).json()["items"]
    cities = (await client.get("/api/v1/cities")).json()["items"]
    assert len(cities) == 2 and sum(c["cinema_count"] for c in cities) == 3

    # A day later the week is topped up by one day, and nothing is made twice.
    assert await local_show_days(db, today) == {today + timedelta(days=n) for n in range(DAYS)}
    await seed_demo(settings, today=today + timedelta(days=1))
    later = await row_counts(db)
    assert later["movies"] == first["movies"] and later["halls"] == first["halls"]
    assert later["showtimes"] > first["showtimes"]
    assert await local_show_days(db, today) == {today + timedelta(days=n) for n in range(DAYS + 1)}
    await seed_demo(settings, today=today + timedelta(days=1))
    assert await row_counts(db) == later

    staff_login = await client.post(
        "/api/v1/auth/staff-login", json={"username": "manager", "password": "manager-demo-pass"}
    )
    assert staff_login.status_code == 200, staff_login.text
    assert len(staff_login.json()["user"]["cinema_ids"]) == 1
    admin = await client.post(
        "/api/v1/auth/staff-login", json={"username": "admin", "password": "admin-demo-pass"}
    )
    assert admin.json()["user"]["role"] == "admin"


async def test_demo_halls_and_schedule(app: Starlette, settings: Settings) -> None:
    db: AsyncEngine = app.state.runtime.db
    await seed_demo(settings)
    async with db.connect() as conn:
        hall_rows = (await conn.execute(select(halls))).all()
        show_rows = (await conn.execute(select(showtimes))).all()
        movie_rows = (await conn.execute(select(movies))).all()
        cinema_rows = (await conn.execute(select(cinemas))).all()

    assert {row.city for row in cinema_rows} == {"上海", "北京"}
    assert all(row.timezone == "Asia/Shanghai" for row in cinema_rows)
    assert all(row.original_title != row.title and row.synopsis for row in movie_rows)

    layouts = {row.id: parse_layout(orjson.loads(row.layout)) for row in hall_rows}
    assert all(row.seat_count == layouts[row.id].seat_count for row in hall_rows)
    largest = max(layouts.values(), key=lambda layout: layout.seat_count)
    assert largest.seat_count >= 200
    assert largest.aisles and 0 < largest.aisles[0] < largest.columns - 1
    assert len({layout.seat_count for layout in layouts.values()}) == 6
    seat_types = {seat.type for layout in layouts.values() for seat in layout.seats.values()}
    assert seat_types == {"standard", "couple", "wheelchair"}
    assert any("premium" in layout.zones for layout in layouts.values())
    assert any(
        len(row.seats) < layout.columns - len(layout.aisles)
        for layout in layouts.values()
        for row in layout.rows
    )

    by_hall: dict[int, list[Screening]] = defaultdict(list)
    for row in show_rows:
        prices = orjson.loads(row.prices)
        assert set(layouts[row.hall_id].zones) <= set(prices)
        assert all(isinstance(fen, int) and fen > 0 for fen in prices.values())
        by_hall[row.hall_id].append(Screening(from_db(row.starts_at), from_db(row.ends_at), row.id))
    assert set(by_hall) == set(layouts)
    for screenings in by_hall.values():
        for screening in screenings:
            assert find_clash(screening, screenings, gap_min=settings.cleaning_gap_min) is None
    showing_ids = {row.id for row in movie_rows if row.status == "showing"}
    assert {row.movie_id for row in show_rows} == showing_ids


async def test_seed_on_the_embedded_sqlite(settings: Settings) -> None:
    embedded = settings.model_copy(update={"database_url": ""})
    upgrade(database_url(embedded))
    summary = await seed_demo(embedded)
    assert "6 halls" in summary
    db = create_db_engine(embedded)
    try:
        first = await row_counts(db)
        await seed_demo(embedded)
        assert await row_counts(db) == first
        assert first["movies"] >= 12 and first["showtimes"] > 0
    finally:
        await db.dispose()
    posters = embedded.data_dir / "media" / "posters"
    assert len(list(posters.glob("*.png"))) == first["movies"]
