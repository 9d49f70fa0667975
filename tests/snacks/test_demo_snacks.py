"""``seed-demo`` gives each demo cinema a snack menu with pictures, and its thirty days of past sales
snacks (about half the orders) and check-ins (most tickets, before the start); a second run adds
nothing, and the box office's snack figures show the past at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from seatcore.db.schema import order_snacks, orders, showtimes, snack_pickups, snacks, tickets
from seatcore.demo.seed import seed_demo
from seatcore.demo.snacks import MENU
from seatcore.runtime import Runtime
from seatcore.settings import Settings
from tests.test_demo import row_counts

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = {"username": "admin", "password": "admin-demo-pass"}


async def test_menus_snack_sales_and_check_ins_in_the_past(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    today = datetime.now(SHANGHAI).date()
    await seed_demo(settings, today=today)
    first = await row_counts(runtime.db)
    assert first["snacks"] == 3 * len(MENU)
    await seed_demo(settings, today=today)
    assert await row_counts(runtime.db) == first

    async with runtime.db.connect() as conn:
        pictures = [row.picture_url for row in await conn.execute(select(snacks.c.picture_url))]
        a_cinema = (await conn.execute(select(func.min(snacks.c.cinema_id)))).scalar_one()
        with_snacks = (
            await conn.execute(select(func.count(func.distinct(order_snacks.c.order_id))))
        ).scalar_one()
        picked = (
            await conn.execute(select(func.count()).where(snack_pickups.c.picked_up_at.is_not(None)))
        ).scalar_one()
        checked_in = (
            await conn.execute(select(func.count()).where(tickets.c.checked_in_at.is_not(None)))
        ).scalar_one()
        late = (
            await conn.execute(
                select(func.count())
                .select_from(tickets.join(showtimes, showtimes.c.id == tickets.c.showtime_id))
                .where(tickets.c.checked_in_at >= showtimes.c.starts_at)
            )
        ).scalar_one()
        alone = (await conn.execute(select(func.count()).where(orders.c.showtime_id.is_(None)))).scalar_one()
        alone_with_code = (
            await conn.execute(
                select(func.count())
                .select_from(orders.join(snack_pickups, snack_pickups.c.order_id == orders.c.id))
                .where(orders.c.showtime_id.is_(None), orders.c.seat_count == 0)
            )
        ).scalar_one()
        amounts_agree = (
            await conn.execute(
                select(func.count())
                .select_from(orders)
                .where(orders.c.price.is_not(None), orders.c.id.in_(select(order_snacks.c.order_id)))
            )
        ).scalar_one()
    assert all(url.startswith("/media/snacks/") for url in pictures)
    assert all((Path(settings.data_dir) / url.removeprefix("/")).is_file() for url in pictures)
    assert 0 < alone == alone_with_code < 0.2 * first["orders"]  # a few orders of snacks alone
    assert 0.35 < with_snacks / first["orders"] < 0.65
    assert amounts_agree == with_snacks  # each carries its price breakdown with snacks_fen
    assert 0.75 < picked / with_snacks < 0.98
    assert 0.8 < checked_in / first["tickets"] < 0.97
    assert late == 0  # people come in before the film starts

    token = (await client.post("/api/v1/auth/staff-login", json=ADMIN)).json()["token"]
    period = {"from": str(today - timedelta(days=30)), "to": str(today - timedelta(days=1))}
    sales = (
        await client.get(
            "/api/v1/staff/boxoffice/snacks", params=period, headers={"Authorization": f"Bearer {token}"}
        )
    ).json()
    assert sales["revenue_fen"] > 0 and len(sales["best_sellers"]) >= 4
    menu = await client.get(f"/api/v1/cinemas/{a_cinema}/snacks")
    assert len(menu.json()["items"]) == len(MENU)
