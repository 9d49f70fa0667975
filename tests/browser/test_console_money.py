"""The console's money screens in headless Chromium, against the real service: a platform admin
edits the member tiers, creates a coupon campaign with single-use codes, downloads and prints them,
pauses it, sets a cinema's refund and exchange policy, and looks a member up to adjust their points.
Each refusal shows the service's words on the page. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import update
from starlette.applications import Starlette

from seatcore.auth.passwords import hash_password
from seatcore.db.schema import users as users_table
from seatcore.runtime import Runtime
from seatcore.store import loyalty, users
from tests.browser.conftest import ARTIFACTS, console_sign_in
from tests.browser.test_console import base_url, page
from tests.factories import ShowFixture, make_show

__all__ = ["base_url", "page"]  # the served app and the console page, as test_console makes them

pytestmark = pytest.mark.browser

PASSWORD = "money-pass-1"


async def _shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"console-money-{name}.png"), full_page=True)


class Moviegoer:
    """A moviegoer of the served app, by the dev sign-in."""

    def __init__(self, base_url: str, name: str) -> None:
        self.base_url, self.name = base_url, name
        self.headers: dict[str, str] = {}
        self.id = 0

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            if not self.headers:
                code = {"code": f"dev-{self.name}"}
                signed = (await client.post("/api/v1/auth/wx-login", json=code)).json()
                self.headers, self.id = {"Authorization": f"Bearer {signed['token']}"}, signed["user"]["id"]
            answer = await client.request(method, path, headers=self.headers, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json()


@pytest.fixture
async def show(app: Starlette) -> ShowFixture:
    """A cinema with a screening tomorrow, a platform admin and a staff member of that cinema."""
    runtime: Runtime = app.state.runtime
    fixture = await make_show(runtime.db, starts_in=timedelta(days=1, hours=2))
    await users.create_staff(runtime.db, "boss", hash_password(PASSWORD), "admin", ())
    await users.create_staff(runtime.db, "clerk", hash_password(PASSWORD), "staff", (fixture.cinema_id,))
    return fixture


async def test_an_admin_runs_tiers_campaigns_policies_and_members(
    page: Page, show: ShowFixture, app: Starlette, base_url: str, tmp_path: Path
) -> None:
    runtime: Runtime = app.state.runtime
    ming = Moviegoer(base_url, "xiaoming")
    await ming.call("POST", "/api/v1/me/membership")
    async with runtime.db.begin() as conn:  # the nickname WeChat would give, and points to adjust
        await conn.execute(update(users_table).where(users_table.c.id == ming.id).values(nickname="小明"))
        expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=365)
        assert await loyalty.change_points(conn, ming.id, 500, "earn", expires_at=expires, note="开业礼")
    await console_sign_in(page, "boss", PASSWORD)

    # Tiers: V2 gets a Chinese name, 5% off, a fixed VIP price and two free exchanges.
    await page.click('a[data-view="tiers"]')
    second = page.locator("#tier-table tbody tr").nth(1)
    await expect(page.locator("#tier-table tbody tr")).to_have_count(5)
    await second.locator("input[name=name]").fill("银卡会员")
    await second.locator("input[name=threshold]").fill("350.5")
    await second.locator("input[name=discount_percent]").fill("5")
    await second.locator("input[name=zone_prices]").fill("vip 45, couple：80")
    await second.locator("input[name=free_exchanges_per_month]").fill("2")
    await page.click("text=Save tiers")
    await expect(page.locator("#flash")).to_contain_text("Saved 5 tiers")
    tiers = (await ming.call("GET", "/api/v1/member-tiers"))["items"]
    assert tiers[1] | {"level": 2} == {
        "level": 2,
        "name": "银卡会员",
        "threshold_fen": 35050,
        "discount_percent": 5,
        "zone_prices": {"vip": 4500, "couple": 8000},
        "free_exchanges_per_month": 2,
        "free_refunds_per_month": 0,
        "early_booking_hours": 0,
    }
    # A third tier below the second is refused in the service's words, and nothing changes.
    await page.locator("#tier-table tbody tr").nth(2).locator("input[name=threshold]").fill("100")
    await page.click("text=Save tiers")
    await expect(page.locator("#tiers-error")).to_contain_text("tier 3's threshold must be above tier 2's")
    assert (await ming.call("GET", "/api/v1/member-tiers"))["items"][2]["threshold_fen"] == 80_000
    await _shot(page, "1-tiers")

    # Campaigns: a bad one is refused with the reason; a weekend codes campaign is made.
    await page.click('a[data-view="campaigns"]')
    form = page.locator("#campaign-form")
    await form.locator("input[name=name]").fill("周末五元券")
    await form.locator("input[name=value]").fill("five")
    await form.locator("button", has_text="Create campaign").click()
    await expect(page.locator("#campaign-form-error")).to_contain_text("value")
    await form.locator("input[name=value]").fill("5")
    await form.locator("input[name=min_spend]").fill("30")
    for day in ("6", "7"):
        await form.locator(f'input[name=weekday][value="{day}"]').check()
    await form.locator(f'input[name=cinema][value="{show.cinema_id}"]').check()
    await form.locator("select[name=distribution]").select_option("codes")
    await form.locator("input[name=stock]").fill("50")
    await form.locator("button", has_text="Create campaign").click()
    await expect(page.locator("#flash")).to_contain_text("Created “周末五元券”")
    detail = page.locator("#campaign-detail")
    await expect(detail).to_contain_text("Sat Sun")
    await expect(detail).to_contain_text("¥5 off")
    await expect(detail.locator("dd").nth(3)).to_have_text("all")  # no movie picked: every movie
    await page.fill("#code-form input[name=count]", "12")
    await page.click("#code-form button:has-text('Generate')")
    await expect(page.locator("#flash")).to_contain_text("12 new codes")
    async with page.expect_download() as waiting:
        await page.click("#code-form button:has-text('Download CSV')")
    saved = tmp_path / "codes.csv"
    await (await waiting.value).save_as(saved)
    lines = list(csv.reader(io.StringIO(saved.read_text())))
    assert lines[0] == ["code", "redeemed"] and len(lines) == 13
    # 小明 redeems one code: the list counts it claimed, the printed sheet strikes it through.
    await ming.call("POST", "/api/v1/coupons/claim", json={"code": lines[1][0]})
    await page.click("#code-form button:has-text('Printable list')")
    await expect(page.locator("#code-sheet .c-code")).to_have_count(12)
    await expect(page.locator("#code-sheet .c-code.used")).to_have_count(1)
    await page.click("#campaign-detail button:has-text('Pause')")
    await expect(page.locator("#campaign-list tbody tr").first).to_contain_text("paused")
    cells = page.locator("#campaign-list tbody tr").first.locator("td")
    for column, figure in ((3, "50"), (4, "12"), (5, "1"), (6, "0")):  # stock, issued, claimed, used
        await expect(cells.nth(column)).to_have_text(figure)
    await _shot(page, "2-campaigns")
    await page.click("#code-form button:has-text('Printable list')")
    await expect(page.locator("#code-sheet")).to_be_visible()
    await page.emulate_media(media="print")
    await expect(page.locator(".c-top")).to_be_hidden()
    await _shot(page, "3-code-sheet-print")
    await page.emulate_media(media="screen")

    # The refund and exchange policy: free until 24 h, 10% until 2 h, 20% until 30 minutes.
    await page.click('a[data-view="policies"]')
    tiers_rows = page.locator("#fee-tiers tbody tr")
    await expect(tiers_rows).to_have_count(1)
    await tiers_rows.nth(0).locator("input[name=amount]").fill("24")
    await tiers_rows.nth(0).locator("select[name=unit]").select_option("60")
    await tiers_rows.nth(0).locator("input[name=fee_percent]").fill("0")
    for amount, unit, percent in (("2", "60", "10"), ("30", "1", "20")):
        await page.click("text=Add tier")
        row = tiers_rows.last
        await row.locator("input[name=amount]").fill(amount)
        await row.locator("select[name=unit]").select_option(unit)
        await row.locator("input[name=fee_percent]").fill(percent)
    await expect(page.locator("#policy-words")).to_have_text(
        "free until 24 h before, 10% fee until 2 h before, 20% fee until 30 min before, no refund after that."
    )
    await page.check("input[name=refuse_premieres]")
    await page.fill("input[name=exchange_until_before_min]", "60")
    await page.fill("input[name=exchange_fee]", "5")
    await page.check("input[name=exchange_other_cinemas]")
    await tiers_rows.nth(1).locator("input[name=fee_percent]").fill("150")
    await page.click("text=Save policy")
    await expect(page.locator("#policy-error")).to_contain_text("fee_percent")
    await tiers_rows.nth(1).locator("input[name=fee_percent]").fill("10")
    await page.click("text=Save policy")
    await expect(page.locator("#flash")).to_contain_text("refund and exchange policy")
    await _shot(page, "4-policy")
    async with httpx.AsyncClient(base_url=base_url) as client:
        boss = {"username": "boss", "password": PASSWORD}
        token = (await client.post("/api/v1/auth/staff-login", json=boss)).json()
        policy = (
            await client.get(
                f"/api/v1/staff/cinemas/{show.cinema_id}/refund-policy",
                headers={"Authorization": f"Bearer {token['token']}"},
            )
        ).json()
    assert policy["tiers"] == [
        {"until_before_min": 1440, "fee_percent": 0},
        {"until_before_min": 120, "fee_percent": 10},
        {"until_before_min": 30, "fee_percent": 20},
    ]
    assert (policy["refuse_premieres"], policy["exchange_until_before_min"], policy["exchange_fee_fen"]) == (
        True,
        60,
        500,
    )
    assert policy["exchange_other_cinemas"] is True and policy["custom"] is True

    # Member look-up: 小明 by nickname, 100 points taken back with a reason, too many refused.
    await page.click('a[data-view="members"]')
    await page.fill("#member-search input[name=q]", "小明")
    await page.click("#member-search button")
    member = page.locator("#member-detail")
    await expect(member).to_contain_text(f"Member #{ming.id} · 小明")
    await expect(page.locator("#member-results")).to_contain_text("小明")
    await expect(member.locator("dl")).to_contain_text("500")
    await expect(member).to_contain_text("周末五元券")
    await page.fill("#points-form input[name=points]", "-100")
    await page.fill("#points-form input[name=note]", "补偿错扣")
    await page.click("#points-form button")
    await expect(page.locator("#flash")).to_contain_text("now 400")
    await expect(member.locator(".c-ledger")).to_contain_text("补偿错扣")
    await page.fill("#points-form input[name=points]", "-1000")
    await page.fill("#points-form input[name=note]", "试试")
    await page.click("#points-form button")
    await expect(page.locator("#points-error")).to_contain_text("below zero")
    assert (await ming.call("GET", "/api/v1/me/membership"))["points"] == 400
    await _shot(page, "5-member")

    # On a phone the screens stack and scroll their tables, the page itself never sideways.
    await page.set_viewport_size({"width": 390, "height": 844})
    screens = (("campaigns", "#campaign-list tbody tr"), ("policies", "#fee-tiers"), ("tiers", "#tier-table"))
    for view, ready in screens:
        await page.goto(f"/console/#{view}")
        await expect(page.locator(ready).first).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390, view
    await _shot(page, "7-tiers-phone")


async def test_cinema_staff_read_tiers_and_set_their_own_policy(page: Page, show: ShowFixture) -> None:
    await console_sign_in(page, "clerk", PASSWORD)
    await page.click('a[data-view="tiers"]')
    await expect(page.locator("#tier-table tbody tr")).to_have_count(5)
    await expect(page.locator("#tier-table input[name=name]").first).to_be_disabled()
    await expect(page.locator("text=Save tiers")).to_have_count(0)
    await page.click('a[data-view="campaigns"]')
    await expect(page.locator("#campaign-form")).to_have_count(0)
    await expect(page.locator("#campaign-list")).to_contain_text("No campaigns yet")
    await page.click('a[data-view="members"]')
    await page.fill("#member-search input[name=q]", "1")
    await page.click("#member-search button")
    await expect(page.locator("#member-error")).to_contain_text("admin")
    await page.click('a[data-view="policies"]')
    await page.locator("#fee-tiers tbody tr").first.locator("button").click()
    await expect(page.locator("#policy-words")).to_have_text("No refunds at all.")
    await page.click("text=Save policy")
    await expect(page.locator("#flash")).to_contain_text("Saved")
    await _shot(page, "6-clerk-policy")
