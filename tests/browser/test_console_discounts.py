"""The box office's panel of revenue net of discounts, in headless Chromium: the figures of orders
sold with a member price, a coupon and points, the bar drawn, each campaign's cost listed.
The screenshot goes to test-artifacts/console-boxoffice-discounts.png."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import insert, update
from starlette.applications import Starlette

from seatcore.auth.passwords import hash_password
from seatcore.db.schema import coupon_campaigns, coupons, order_discounts, orders
from seatcore.runtime import Runtime
from seatcore.store import users
from seatcore.store._time import utcnow
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console import PASSWORD, _canvas_has_pixels, base_url, page
from tests.factories import make_show
from tests.staff.sales import sell

pytestmark = pytest.mark.browser
__all__ = ["base_url", "page"]  # the console test's fixtures


async def sold_with_discounts(runtime: Runtime) -> int:
    """A showtime tomorrow: one order at list price, one with a member price, a coupon and points;
    answers the cinema."""
    show = await make_show(runtime.db, starts_in=timedelta(days=1, hours=2))
    now = datetime.now(UTC)
    await sell(runtime.db, show.showtime_id, ["C-4"], paid_at=now)
    discounted = await sell(runtime.db, show.showtime_id, ["D-4", "D-5"], paid_at=now, openid="member")
    price = {
        "list_fen": 9000,
        "member_discount_fen": 900,
        "coupon_fen": 1500,
        "points_fen": 800,
        "points_used": 800,
        "paid_fen": 5800,
    }
    stamp = utcnow()
    async with runtime.db.begin() as conn:
        breakdown = orjson.dumps(price).decode()
        await conn.execute(
            update(orders).where(orders.c.id == discounted).values(amount_fen=5800, price=breakdown)
        )
        campaign = await conn.execute(
            insert(coupon_campaigns).values(
                name="Weekend 15 off",
                kind="amount",
                value=1500,
                scope="{}",
                valid_from=stamp,
                valid_until=stamp + timedelta(days=30),
                per_user_limit=1,
                stock=100,
                issued=1,
                distribution="claim",
                created_at=stamp,
            )
        )
        coupon = await conn.execute(
            insert(coupons).values(
                campaign_id=campaign.lastrowid,
                user_id=1,
                claim_no=1,
                state="used",
                order_id=discounted,
                created_at=stamp,
            )
        )
        await conn.execute(
            insert(order_discounts).values(
                order_id=discounted,
                user_id=1,
                points=800,
                coupon_id=coupon.lastrowid,
                state="committed",
                created_at=stamp,
                updated_at=stamp,
            )
        )
    await users.create_staff(runtime.db, "manager", hash_password(PASSWORD), "staff", (show.cinema_id,))
    return show.cinema_id


async def test_the_box_office_shows_revenue_net_of_discounts(page: Page, app: Starlette) -> None:
    await sold_with_discounts(app.state.runtime)
    await page.goto("/console/")
    await page.fill("#signin-form input[name=username]", "manager")
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#app")).to_be_visible()
    await page.click('a[data-view="boxoffice"]')

    kpis = page.locator("#discount-kpis .c-kpi")
    await expect(kpis).to_have_count(5)
    await expect(kpis.nth(0)).to_contain_text("¥135")  # 3 seats at 45 yuan
    await expect(kpis.nth(0)).to_contain_text("2 orders")
    await expect(kpis.nth(1)).to_contain_text("−¥9")
    await expect(kpis.nth(2)).to_contain_text("−¥15")
    await expect(kpis.nth(3)).to_contain_text("−¥8")
    await expect(kpis.nth(4)).to_contain_text("¥103")  # 45 + 58 paid
    await expect(page.locator("#campaign-costs")).to_contain_text("Weekend 15 off")
    await expect(page.locator("#campaign-costs tbody tr")).to_have_count(1)
    assert await _canvas_has_pixels(page, "#chart-discounts")
    await page.locator("#boxoffice-discounts").scroll_into_view_if_needed()
    await page.screenshot(path=str(ARTIFACTS / "console-boxoffice-discounts.png"), full_page=True)
    await page.locator("#boxoffice-discounts").screenshot(path=str(ARTIFACTS / "console-discounts-panel.png"))
