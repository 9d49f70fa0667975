"""``seed-demo``'s past: thirty days of sales with the shapes a cinema knows, landed as the order
writer lands orders (so ``seatcore check`` finds nothing wrong), and a second run adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from seatcore.checker.runner import check_once
from seatcore.db.schema import halls, movies, orders, showtimes, tickets
from seatcore.demo.films import FILMS
from seatcore.demo.history import HISTORY_DAYS
from seatcore.demo.seed import seed_demo
from seatcore.runtime import Runtime
from seatcore.settings import Settings
from tests.test_demo import row_counts

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = {"username": "admin", "password": "admin-demo-pass"}


async def test_thirty_days_of_sales_with_their_shapes(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    today = datetime.now(SHANGHAI).date()
    summary = await seed_demo(settings, today=today)
    assert f"past {HISTORY_DAYS} days:" in summary
    first = await row_counts(runtime.db)
    assert first["orders"] > 1000 and first["tickets"] > first["orders"]
    assert first["payments"] == first["orders"]

    await seed_demo(settings, today=today)
    assert await row_counts(runtime.db) == first  # idempotent

    results, _ = await check_once(runtime.redis, runtime.db, max_life_ms=settings.hold_max_life_s * 1000)
    assert [(r.key, r.violations) for r in results if r.violations] == []
    assert next(r for r in results if r.key == "payments").checked == first["orders"]

    async with runtime.db.connect() as conn:
        no_future_sales = (
            select(func.count())
            .select_from(orders)
            .join(showtimes)
            .where(showtimes.c.starts_at >= datetime.now().replace(tzinfo=None))
        )
        assert (await conn.execute(no_future_sales)).scalar_one() == 0
        titles = {
            int(row.id): str(row.title) for row in await conn.execute(select(movies.c.id, movies.c.title))
        }

    token = (await client.post("/api/v1/auth/staff-login", json=ADMIN)).json()["token"]
    admin = {"Authorization": f"Bearer {token}"}
    period = {"start": str(today - timedelta(days=HISTORY_DAYS)), "end": str(today - timedelta(days=1))}
    by_day = (
        await client.get(
            "/api/v1/staff/boxoffice/summary", headers=admin, params={**period, "group_by": "day"}
        )
    ).json()
    assert len(by_day["groups"]) == HISTORY_DAYS
    assert all(group["tickets"] > 0 for group in by_day["groups"])
    weekend = [g["occupancy"] for g in by_day["groups"] if _weekday(g["key"]) >= 5]
    weekdays = [g["occupancy"] for g in by_day["groups"] if _weekday(g["key"]) < 4]
    assert min(weekend) > max(weekdays) * 0.9 and sum(weekend) / len(weekend) > sum(weekdays) / len(weekdays)

    hours = (await client.get("/api/v1/staff/boxoffice/hours", headers=admin, params=period)).json()["hours"]
    sold_at = {hour["hour"]: hour["tickets"] for hour in hours}
    assert sum(sold_at.get(h, 0) for h in range(3, 7)) < sum(sold_at.get(h, 0) for h in range(17, 21))

    # A film that opened inside the window sold out its opening evenings.
    opening = next(f for f in FILMS if 0 < f.released_days_ago < HISTORY_DAYS - 2)
    opened = today - timedelta(days=opening.released_days_ago)
    movie_id = next(mid for mid, title in titles.items() if title == opening.title)
    evening = (
        datetime.combine(opened, time(18), SHANGHAI).astimezone(UTC).replace(tzinfo=None),
        datetime.combine(opened, time(21, 59), SHANGHAI).astimezone(UTC).replace(tzinfo=None),
    )
    sold = (
        select(halls.c.seat_count, func.count(tickets.c.id))
        .select_from(showtimes.join(halls).join(tickets, tickets.c.showtime_id == showtimes.c.id))
        .where(showtimes.c.movie_id == movie_id, showtimes.c.starts_at.between(*evening))
        .group_by(showtimes.c.id, halls.c.seat_count)
    )
    async with runtime.db.connect() as conn:
        evenings = (await conn.execute(sold)).all()
    assert evenings and all(seats == sold_tickets for seats, sold_tickets in evenings)


def _weekday(iso: str) -> int:
    return datetime.fromisoformat(iso).weekday()
