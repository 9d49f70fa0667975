"""The staff console in headless Chromium (Debian's package, driven by Playwright).

A manager signs in, adds a screening, sees a clash refused in words, edits a seat layout, opens the
box-office dashboard (its charts must be drawn) and looks an order up. Screenshots of each step go
to test-artifacts/ at the repository root.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from starlette.applications import Starlette

from seatcore.auth.passwords import hash_password
from seatcore.db.schema import halls
from seatcore.runtime import Runtime
from seatcore.store import users
from tests.browser.conftest import ARTIFACTS
from tests.factories import ShowFixture, make_show
from tests.servers import served
from tests.staff.sales import sell

pytestmark = pytest.mark.browser

PASSWORD = "console-pass-1"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    """The test app served over real HTTP (its lifespan already runs in the app fixture)."""
    async with served(app) as url:
        yield url


@pytest.fixture
async def page(browser: Browser, base_url: str) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=base_url)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The service's Content-Security-Policy allows no inline script: anything it blocks shows here.
    page.on(
        "console",
        lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    await context.close()
    assert errors == [], f"the console threw: {errors}"


@pytest.fixture
async def show(app: Starlette) -> ShowFixture:
    """A cinema with a 5 x 10 hall, a 120-minute film tomorrow, three tickets sold, and its manager."""
    runtime: Runtime = app.state.runtime
    fixture = await make_show(runtime.db, starts_in=timedelta(days=1, hours=2))
    await sell(
        runtime.db, fixture.showtime_id, ["C-4", "C-5", "C-6"], paid_at=datetime.now(UTC), phone="13800000000"
    )
    await users.create_staff(runtime.db, "manager", hash_password(PASSWORD), "staff", (fixture.cinema_id,))
    return fixture


async def _shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


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


async def test_a_manager_runs_the_week_from_the_console(
    page: Page, show: ShowFixture, app: Starlette, base_url: str
) -> None:
    runtime: Runtime = app.state.runtime
    await page.goto("/console/")
    await page.fill("#signin-form input[name=username]", "manager")
    await page.fill("#signin-form input[name=password]", "wrong-password")
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#signin-error")).to_contain_text("wrong username or password")
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#app")).to_be_visible()
    await expect(page.locator("#who")).to_contain_text("manager")

    # Add a screening two days later at 10:00 (cinema time).
    local_start = show.starts_at.astimezone(SHANGHAI)
    form = page.locator("#add-showtime")
    await expect(form).to_be_visible()
    await expect(page.locator(f'.c-show[data-showtime="{show.showtime_id}"]')).to_be_visible()
    await form.locator("input[name=date]").fill((local_start + timedelta(days=2)).date().isoformat())
    await form.locator("input[name=time]").fill("10:00")
    await form.locator("input[name=price-standard]").fill("52.5")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#schedule-message")).to_contain_text("Added Test Movie")
    added = page.locator(".c-show", has_text="10:00 Test Movie")
    await expect(added).to_have_count(1)

    # The same hall half an hour after tomorrow's screening starts: refused, and the clash named.
    clash_at = local_start + timedelta(minutes=30)
    await form.locator("input[name=date]").fill(clash_at.date().isoformat())
    await form.locator("input[name=time]").fill(
        f"{clash_at:%H}:{clash_at.minute // 5 * 5:02d}"
    )  # 5-minute steps
    await form.locator("button[type=submit]").click()
    message = page.locator("#schedule-message")
    await expect(message).to_contain_text("Schedule clash")
    await expect(message).to_contain_text(f"showtime {show.showtime_id}")
    await expect(page.locator(f'.c-show.clash[data-showtime="{show.showtime_id}"]')).to_be_visible()
    await _shot(page, "1-schedule-clash")

    # Edit the layout: the first seat becomes a wheelchair space.
    await page.click('a[data-view="layouts"]')
    await expect(page.locator("#layout-editor")).to_be_visible()
    await page.click('button[data-tool="wheelchair"]')
    await page.click('#layout-editor button[data-row="0"][data-col="0"]')
    await page.click("text=Save layout")
    await expect(page.locator("#layout-result")).to_contain_text("Saved Hall 1: 50 seats")
    hall = await _hall_layout(runtime, show.hall_id)
    assert hall["rows"][0]["seats"][0]["type"] == "wheelchair"
    # A lone couple seat is refused by the service, with the problem listed.
    await page.click('button[data-tool="couple"]')
    await page.click('#layout-editor button[data-row="4"][data-col="9"]')
    await page.click("text=Check")
    await expect(page.locator("#layout-result .c-problems")).to_contain_text("E-10")
    await _shot(page, "2-layout-editor")

    # The dashboard draws its charts, with the three tickets sold.
    await page.click('a[data-view="boxoffice"]')
    await expect(page.locator("#kpis")).to_contain_text("tickets sold")
    await expect(page.locator("#kpis .c-kpi").nth(1)).to_contain_text("3")
    for chart in ("days", "hours", "movies", "halls"):
        await expect(page.locator(f"#chart-{chart} canvas")).to_have_count(1)
        assert await _canvas_has_pixels(page, f"#chart-{chart}"), chart
    await expect(page.locator("#movie-table")).to_contain_text("Test Movie")
    await _shot(page, "3-boxoffice")

    # The live seat map of tomorrow's screening, with its three sold seats.
    await page.goto(f"/console/#live/{show.showtime_id}")
    await expect(page.locator("#live-map button.seat")).to_have_count(50)
    await expect(page.locator(".c-live .c-counts")).to_contain_text("3 sold")
    await expect(page.locator("#live-map button.seat.sold")).to_have_count(3)
    async with httpx.AsyncClient(base_url=base_url) as moviegoer:  # a moviegoer holds two seats meanwhile
        token = (await moviegoer.post("/api/v1/auth/wx-login", json={"code": "dev-mia"})).json()["token"]
        held = await moviegoer.post(
            f"/api/v1/showtimes/{show.showtime_id}/holds",
            json={"seats": ["E-1", "E-2"]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert held.status_code == 201, held.text
    await expect(page.locator(".c-live .c-counts")).to_contain_text("2 held")
    await expect(page.locator("#live-map button.seat.held")).to_have_count(2)
    await _shot(page, "4-live-map")

    # Order look-up by phone, and the order's payment history.
    await page.click('a[data-view="orders"]')
    await page.fill("#order-search input[name=phone]", "13800000000")
    await page.click("#order-search button")
    await page.click("#order-results tbody tr")
    await expect(page.locator("#order-detail")).to_contain_text("C-4")
    await expect(page.locator("#order-detail")).to_contain_text("succeeded")
    await _shot(page, "5-orders")


async def test_the_console_and_the_moviegoer_pages_share_one_api_client(
    page: Page, show: ShowFixture
) -> None:
    """One ApiError and one error shape for both; the staff token apart from the moviegoer's; a 401
    renews the staff token from the session cookie, and signs staff out (and only staff) once the
    session has ended; answers outside the error shape get stable codes."""
    await page.goto("/console/")
    await page.fill("#signin-form input[name=username]", "manager")
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#app")).to_be_visible()

    async def unshaped(route: Any) -> None:
        status = int(route.request.url.rsplit("/", 1)[1])
        await route.fulfill(status=status, content_type="text/plain", body="not json")

    await page.route("**/api/v1/test/status/*", unshaped)
    await page.route("**/api/v1/test/offline", lambda route: route.abort())
    result = await page.evaluate(
        """async () => {
          const shared = await import('/js/api.js')
          const staff = await import('/console/js/api.js')
          const code = (call) => call.then(() => 'ok', (err) => [err.code, err.status, err.message])
          const out = { sameError: shared.ApiError === staff.ApiError }
          out.staffSignedIn = staff.staffSession.token !== ''
          shared.session.save('moviegoer-token', { name: 'mia' })
          out.shaped = await code(staff.api('/api/v1/staff/nothing-here'))
          out.unshaped = await code(staff.api('/api/v1/test/status/502'))
          out.limited = await code(staff.api('/api/v1/test/status/429'))
          out.notJson = await code(staff.api('/api/v1/test/status/200'))
          out.offline = await code(staff.api('/api/v1/test/offline'))
          staff.staffSession.save('expired-token', staff.staffSession.user)
          out.anonymous = (await staff.anonymousApi(`/api/v1/showtimes/${SHOWTIME}/seats`)).mine
          out.renewed = await code(staff.api('/api/v1/staff/cinemas'))
          out.renewedToken = !['', 'expired-token'].includes(staff.staffSession.token)
          await fetch('/api/v1/auth/staff-session', { method: 'DELETE' })
          staff.staffSession.save('expired-token', staff.staffSession.user)
          out.expired = await code(staff.api('/api/v1/staff/cinemas'))
          out.tokens = [staff.staffSession.token, shared.session.token]
          out.stored = Object.keys(localStorage).filter((key) => key.startsWith('seatcore.console.token'))
          return out
        }""".replace("SHOWTIME", str(show.showtime_id))
    )
    assert result["sameError"] is True
    assert result["staffSignedIn"] is True
    assert result["shaped"][:2] == ["not_found", 404]
    assert result["unshaped"] == ["unknown", 502, "HTTP 502"]
    assert result["limited"] == ["rate_limited", 429, "HTTP 429"]
    assert result["notJson"][:2] == ["bad_response", 200]
    assert result["offline"] == ["network_error", 0, "the service did not answer: check the connection"]
    assert result["anonymous"] == []  # sent no token, so the expired one was not refused
    assert result["renewed"] == "ok" and result["renewedToken"] is True
    assert result["expired"][:2] == ["token_invalid", 401]
    assert result["tokens"] == ["", "moviegoer-token"]  # staff signed out, the moviegoer not
    assert result["stored"] == []  # the staff token lives in this tab's session storage only
    await expect(page.locator("#signin")).to_be_visible()


async def test_a_new_tab_continues_the_session_and_signing_out_ends_it(page: Page, show: ShowFixture) -> None:
    await page.goto("/console/")
    await page.fill("#signin-form input[name=username]", "manager")
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#app")).to_be_visible()
    script_cookies = await page.evaluate("() => document.cookie")
    assert "seatcore_staff_session" not in script_cookies  # HttpOnly: no script reads it

    second = await page.context.new_page()  # same cookies, its own session storage
    await second.goto("/console/")
    await expect(second.locator("#app")).to_be_visible()
    await expect(second.locator("#who")).to_contain_text("manager")
    await second.click("#signout")
    await expect(second.locator("#signin")).to_be_visible()

    third = await page.context.new_page()
    await third.goto("/console/")
    await expect(third.locator("#signin")).to_be_visible()


async def _hall_layout(runtime: Runtime, hall_id: int) -> dict[str, Any]:
    async with runtime.db.connect() as conn:
        raw = (await conn.execute(select(halls.c.layout).where(halls.c.id == hall_id))).scalar_one()
    layout: dict[str, Any] = orjson.loads(raw)
    return layout
