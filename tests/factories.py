"""Rows for tests: a cinema, hall, movie and showtime in one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import cinemas, halls, movies, showtimes
from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.store._time import to_db, utcnow


@dataclass
class ShowFixture:
    cinema_id: int
    hall_id: int
    movie_id: int
    showtime_id: int
    layout: dict[str, Any]
    starts_at: datetime


async def make_movie(db: AsyncEngine, title: str = "Test Movie", **values: Any) -> int:
    now = utcnow()
    row = {
        "title": title,
        "genres": "drama",
        "duration_min": 120,
        "synopsis": "A film made for tests.",
        "created_at": now,
        "updated_at": now,
        **values,
    }
    async with db.begin() as conn:
        return int((await conn.execute(insert(movies).values(**row))).lastrowid)


async def make_show(
    db: AsyncEngine,
    *,
    layout: dict[str, Any] | None = None,
    starts_in: timedelta = timedelta(days=1),
    prices: dict[str, int] | None = None,
    city: str = "Shanghai",
    movie_id: int | None = None,
    **showtime_values: Any,
) -> ShowFixture:
    """A showtime in a fresh cinema and hall (default: a 5 x 10 hall, one zone at 4500 fen)."""
    layout = layout or grid_layout(5, 10)
    parsed = parse_layout(layout)
    prices = prices or {zone: 4500 for zone in parsed.zones}
    starts_at = datetime.now(UTC) + starts_in
    now = utcnow()
    if movie_id is None:
        movie_id = await make_movie(db)
    async with db.begin() as conn:
        cinema_id = (
            await conn.execute(insert(cinemas).values(name="Test Cinema", city=city, created_at=now))
        ).lastrowid
        hall_id = (
            await conn.execute(
                insert(halls).values(
                    cinema_id=cinema_id,
                    name="Hall 1",
                    layout=orjson.dumps(layout).decode(),
                    seat_count=parsed.seat_count,
                    created_at=now,
                )
            )
        ).lastrowid
        showtime_id = (
            await conn.execute(
                insert(showtimes).values(
                    hall_id=hall_id,
                    cinema_id=cinema_id,
                    movie_id=movie_id,
                    starts_at=to_db(starts_at),
                    ends_at=to_db(starts_at + timedelta(minutes=120)),
                    prices=orjson.dumps(prices).decode(),
                    created_at=now,
                    **{"language": "Mandarin", "format": "2D", **showtime_values},
                )
            )
        ).lastrowid
    return ShowFixture(int(cinema_id), int(hall_id), movie_id, int(showtime_id), layout, starts_at)
