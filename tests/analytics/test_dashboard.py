"""The operations dashboard in headless Chromium, on real data: moviegoers' journeys through the API
today (client events, holds, orders, sandbox payments) and two weeks of earlier events in the
store. An admin opens the dashboard; every chart must be drawn, the figures must be today's."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect
from starlette.applications import Starlette

from seatcore.analytics.background import latency_recorder
from seatcore.auth.passwords import hash_password
from seatcore.domain.analytics import actor
from seatcore.domain.latency import bucket_of
from seatcore.settings import Settings
from seatcore.store import users
from tests.analytics.conftest import batch, landed, now_iso, send, store_of
from tests.browser.conftest import ARTIFACTS, browser  # noqa: F401  (the fixture)
from tests.orders.conftest import Shop
from tests.servers import served

pytestmark = pytest.mark.browser

PASSWORD = "dashboard-pass-1"
CHARTS = ("funnel", "refusals", "visits", "dwell", "payments", "orders", "latency", "routes")


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with served(app) as url:
        yield url


@pytest.fixture
async def page(browser: Browser, base_url: str) -> AsyncIterator[Page]:  # noqa: F811
    context = await browser.new_context(viewport={"width": 1400, "height": 1100}, base_url=base_url)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    await context.close()
    assert errors == [], f"the console threw: {errors}"


def earlier(day: dt.date, n: int, cinema_id: int, movie_id: int) -> list[dict[str, Any]]:
    """Journeys of an earlier day, as the writer would have landed them."""
    rows = []
    noon = int(dt.datetime.combine(day, dt.time(4), dt.UTC).timestamp() * 1000)
    steps = [
        "movie_opened",
        "showtimes_opened",
        "seatmap_opened",
        "hold_granted",
        "order_placed",
        "order_paid",
    ]
    for who in range(n):
        device = f"old-{day}-{who}"
        reached = steps[: 1 + (who * 7 + day.day) % len(steps)]
        base = {
            "channel": "miniprogram" if who % 3 else "web",
            "device": device,
            "visit": device,
            "user_id": None,
        }
        base |= {
            "actor": actor(None, device),
            "cinema_id": cinema_id,
            "movie_id": movie_id,
            "ts": noon,
            "day": day.isoformat(),
        }
        for name in reached:
            order = f"o-{device}" if name in ("order_placed", "order_paid") else None
            rows.append(
                base | {"name": name, "source": "client", "order_id": order, "page": None, "dwell_ms": None}
            )
        view = {"name": "page_view", "source": "client", "page": "pages/movie", "dwell_ms": 3000 + who * 100}
        if who % 2:
            view["visit"] = f"{device}-again"  # came back later that day: a second visit
        rows.append(base | view)
        if who % 9 == 0:
            rows.append(base | {"name": "hold_refused", "source": "server", "code": "seat_unavailable"})
        if who % 25 == 0:
            rows.append(
                base
                | {
                    "name": "payment_failed",
                    "source": "server",
                    "order_id": f"f-{device}",
                    "code": "late_payment",
                }
            )
    return rows


def earlier_latency(today: dt.date) -> list[dict[str, Any]]:
    """Two weeks of a few routes' histograms: a fast list, a slower seat map, a slow payment."""
    rows = []
    routes = {
        "GET /api/v1/movies": (4.0, 9.0, 40.0),
        "GET /api/v1/showtimes/{id}/seats": (12.0, 35.0, 160.0),
        "POST /api/v1/orders/{order_id}/pay": (80.0, 300.0, 1400.0),
    }
    for back in range(1, 14):
        day = today - dt.timedelta(days=back)
        for route, (fast, usual, slow) in routes.items():
            for ms, n in ((fast * (1 + back % 3 / 10), 600), (usual, 350), (slow, 50 + back)):
                rows.append(
                    {
                        "day": day.isoformat(),
                        "hour": f"{day.isoformat()}T{10 + back % 8:02d}:00:00",
                        "route": route,
                        "bucket": bucket_of(ms),
                        "requests": n,
                        "total_ms": ms * n,
                    }
                )
    return rows


async def test_the_dashboard_draws_real_figures(
    app: Starlette, shop: Shop, page: Page, settings: Settings
) -> None:
    runtime = app.state.runtime
    show = await shop.show()
    await users.create_staff(runtime.db, "boss", hash_password(PASSWORD), "admin")
    today = dt.datetime.now(ZoneInfo(settings.analytics_timezone)).date()
    store = store_of(app)
    for back in range(1, 14):
        await asyncio.to_thread(
            store.append, earlier(today - dt.timedelta(days=back), 40, show.cinema_id, show.movie_id)
        )
    before = await asyncio.to_thread(store.count_events)

    ids = {"movie_id": show.movie_id, "cinema_id": show.cinema_id}
    for n, seat in enumerate(["A-1", "A-2", "A-3"]):
        who = await shop.login(f"guest{n}")
        events = [
            {"type": "movie_opened", "at": now_iso(), **ids},
            {"type": "showtimes_opened", "at": now_iso(), **ids},
            {"type": "seatmap_opened", "at": now_iso(), "showtime_id": show.showtime_id},
            {"type": "page_view", "at": now_iso(), "page": "pages/seats", "dwell_ms": 20_000 + n},
        ]
        await send(shop.client, batch(events, channel="miniprogram"), who)
        order = await shop.order(who, (await shop.hold(who, show.showtime_id, [seat]))["id"])
        await shop.pay(who, order["id"])
        await shop.wait_status(who, order["id"], "ticketed")
    await landed(app, before + 3 * 4 + 3 * 3)
    # Response times: today's are the requests above, measured by the app; earlier days' as the
    # workers would have flushed them.
    await asyncio.to_thread(store.append_latency, earlier_latency(today))
    await latency_recorder(runtime).flush(store)

    await page.goto("/console/")
    await page.fill("#signin-form input[name=username]", "boss")
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#app")).to_be_visible()
    await page.click('a[data-view="analytics"]')
    kpis = page.locator("#analytics-kpis")
    await expect(kpis).to_contain_text("payment success")
    for chart in CHARTS:
        await expect(page.locator(f"#analytics-{chart} canvas")).to_be_visible()
    await page.wait_for_timeout(800)  # ECharts animates its first drawing
    for chart in CHARTS:
        assert await _canvas_has_pixels(page, f"#analytics-{chart}"), chart
    await page.screenshot(path=str(ARTIFACTS / "console-analytics.png"), full_page=True)

    funnel = await shop.client.get(
        "/api/v1/staff/analytics/funnel",
        params={"start": today.isoformat(), "end": today.isoformat()},
        headers=await _staff_token(shop, "boss"),
    )
    assert [s["journeys"] for s in funnel.json()["steps"]] == [3, 3, 3, 3, 3, 3]

    latency = await shop.client.get(
        "/api/v1/staff/analytics/latency",
        params={"start": today.isoformat(), "end": today.isoformat()},
        headers=await _staff_token(shop, "boss"),
    )
    routes = {r["route"] for r in latency.json()["routes"]}
    assert "POST /api/v1/orders/{order_id}/pay" in routes  # today's payments, measured by the middleware
    await expect(page.locator("select[name=route] option", has_text="GET /api/v1/movies")).to_have_count(1)

    # Filters: today on the web only has nobody (today's journeys came from the mini-program).
    await page.fill('input[name="start"]', today.isoformat())
    await page.select_option('select[name="channel"]', "web")
    await page.get_by_role("button", name="Show", exact=True).click()
    await expect(kpis).to_contain_text("0journeys started")


async def _staff_token(shop: Shop, username: str) -> dict[str, str]:
    response = await shop.client.post(
        "/api/v1/auth/staff-login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _canvas_has_pixels(page: Page, selector: str) -> bool:
    return bool(
        await page.eval_on_selector(
            f"{selector} canvas",
            """canvas => {
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
                let painted = 0
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1
                return painted > 500
            }""",
        )
    )
