"""The premiere the rush fights over: a cinema with one large hall and one showtime, added beside the
demo catalogue. The hall has two aisles, a premium block in its best rows, wheelchair spaces and a
couple row at the back; the showtime starts a few hours ahead, so sales and refunds are open.
Beside it: the coupon centre's premiere campaign, REGULARS members with points (moviegoers
``dev-ltregularN``) for the fans who pay with points, and the cinema's snack menu (a limited
premiere cup) for the snack buyers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from seatcore import redis_client
from seatcore.cache import Cache
from seatcore.db.engine import create_db_engine
from seatcore.db.schema import cinemas, coupon_campaigns, halls, members, movies, showtimes, users
from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.settings import Settings
from seatcore.store import loyalty
from seatcore.store import snacks as snack_store
from seatcore.store._time import to_db, utcnow
from seatcore.store.catalogue import catalogue_changed

PRICES_FEN = {"standard": 6800, "premium": 9800, "couple": 16800}
REGULARS = 300  # members with points, signed in as dev-ltregular0 .. dev-ltregular299
REGULAR_POINTS = 3000
DURATION_MIN = 150


@dataclass(frozen=True)
class Premiere:
    showtime_id: int
    seat_count: int


def premiere_layout(rows: int, columns: int) -> dict[str, object]:
    """``rows`` x ``columns`` places less two aisle columns (a quarter in from each side)."""
    aisles = (columns // 4, columns - 1 - columns // 4)
    back = rows - 1
    premium = range(rows // 2, max(rows // 2 + 1, (5 * rows) // 6))
    return grid_layout(
        rows,
        columns,
        aisles=aisles,
        couple_rows=(back,) if rows > 2 else (),
        wheelchair=((back - 1, 0), (back - 1, columns - 1)) if rows > 3 else (),
        zones={row: "premium" for row in premium if row != back},
    )


async def seed_premiere(
    settings: Settings, *, rows: int, columns: int, starts_in: timedelta = timedelta(hours=3)
) -> Premiere:
    layout = premiere_layout(rows, columns)
    parsed = parse_layout(layout)
    prices = {zone: PRICES_FEN[zone] for zone in parsed.zones}
    starts_at = (datetime.now(UTC) + starts_in).replace(second=0, microsecond=0)
    now = utcnow()
    db = create_db_engine(settings)
    try:
        async with db.begin() as conn:
            movie_id = (
                await conn.execute(
                    insert(movies).values(
                        title="首映之夜",
                        original_title="Premiere Night",
                        genres="drama",
                        duration_min=DURATION_MIN,
                        score_x10=0,
                        synopsis="The load test's premiere: every seat is wanted.",
                        status="showing",
                        created_at=now,
                        updated_at=now,
                    )
                )
            ).lastrowid
            cinema_id = (
                await conn.execute(
                    insert(cinemas).values(
                        name="首映影城",
                        city="上海",
                        address="Load test",
                        timezone="Asia/Shanghai",
                        created_at=now,
                    )
                )
            ).lastrowid
            hall_id = (
                await conn.execute(
                    insert(halls).values(
                        cinema_id=cinema_id,
                        name="Premiere Hall",
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
                        ends_at=to_db(starts_at + timedelta(minutes=DURATION_MIN)),
                        language="Mandarin",
                        format="IMAX",
                        prices=orjson.dumps(prices).decode(),
                        created_at=now,
                    )
                )
            ).lastrowid
            # The coupon centre's premiere campaign: 1,000 fen off, for a quarter of the seats.
            await conn.execute(
                insert(coupon_campaigns).values(
                    name="首映立减",
                    kind="amount",
                    value=1000,
                    scope=orjson.dumps({"movie_ids": [int(movie_id)]}).decode(),
                    valid_from=now - timedelta(hours=1),
                    valid_until=to_db(starts_at),
                    per_user_limit=1,
                    stock=max(1, parsed.seat_count // 4),
                    distribution="claim",
                    created_at=now,
                )
            )
            await _seed_regulars(conn, now)
        for fields in _menu(parsed.seat_count):
            await snack_store.create(db, None, int(cinema_id), fields)
    finally:
        await db.dispose()
    redis = redis_client.connect(settings.redis_url, max_connections=4, wait_s=5.0)  # or a cluster
    try:
        await catalogue_changed(Cache(redis, settings.cache_ttl_s))
    finally:
        await redis.aclose()
    return Premiere(int(showtime_id), parsed.seat_count)


def _menu(seats: int) -> list[dict[str, object]]:
    """The premiere cinema's snacks: a limited premiere cup that many want, and two without limit."""
    return [
        {"kind": "item", "name": "首映纪念杯", "price_fen": 3900, "stock": max(4, seats // 8)},
        {"kind": "item", "name": "爆米花（大）", "price_fen": 2800},
        {"kind": "item", "name": "可乐（中杯）", "price_fen": 1200},
    ]


async def _seed_regulars(conn: AsyncConnection, now: datetime) -> None:
    """Members with REGULAR_POINTS points each (a staff adjustment, as the ledger records it)."""
    expires = now + timedelta(days=365)
    for number in range(REGULARS):
        user_id = (
            await conn.execute(
                insert(users).values(openid=f"dev:{regular_name(number)}", nickname="regular", created_at=now)
            )
        ).lastrowid
        await conn.execute(
            insert(members).values(
                user_id=user_id, level=1, points=0, version=0, spend_12m_fen=0, joined_at=now, updated_at=now
            )
        )
        await loyalty.change_points(
            conn, int(user_id), REGULAR_POINTS, "adjust", expires_at=expires, note="load test"
        )


def regular_name(number: int) -> str:
    return f"ltregular{number % REGULARS}"
