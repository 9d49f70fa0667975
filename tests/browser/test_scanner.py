"""The door scanner page in headless Chromium, with a fake camera that shows a real ticket's QR.

The real decode path runs: Chromium's fake capture device plays a Y4M clip of the QR code, the page
reads frames through getUserMedia, jsQR decodes them and the page checks the ticket in. A second
pass of the same ticket shows it already admitted. Offline, the page verifies the signature itself
(WebCrypto Ed25519), keeps the scan in IndexedDB and reports the conflict when it syncs. Screenshots
go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from starlette.applications import Starlette

from seatcore.auth.passwords import hash_password
from seatcore.runtime import Runtime
from seatcore.store import users
from seatcore.store.door import Scan, admit, find_ticket
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.browser.fake_camera import qr_video
from tests.door.conftest import codes_of, qr_of
from tests.factories import ShowFixture, make_show
from tests.servers import served
from tests.staff.sales import sell

pytestmark = pytest.mark.browser

PASSWORD = "door-pass-1"


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with served(app) as url:
        yield url


@pytest.fixture
async def show(app: Starlette) -> ShowFixture:
    """A showtime starting in 20 minutes (its door is open) and the staff member at its door."""
    runtime: Runtime = app.state.runtime
    fixture = await make_show(runtime.db, starts_in=timedelta(minutes=20))
    await users.create_staff(runtime.db, "usher", hash_password(PASSWORD), "staff", (fixture.cinema_id,))
    return fixture


async def _ticket(app: Starlette, show: ShowFixture, seat: str) -> tuple[str, str]:
    runtime: Runtime = app.state.runtime
    order_id = await sell(runtime.db, show.showtime_id, [seat], paid_at=show.starts_at - timedelta(days=1))
    (code,) = await codes_of(runtime, order_id)
    return code, await qr_of(runtime, code)


async def _browser_seeing(video: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        yield browser
        await browser.close()


async def _scanner_page(browser: Browser, base_url: str) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 420, "height": 900}, base_url=base_url)
    await context.grant_permissions(["camera"], origin=base_url)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto("/console/scanner.html")
    await page.fill("#signin-form input[name=username]", "usher")
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#app")).to_be_visible()
    yield page
    await context.close()
    assert errors == [], f"the scanner threw: {errors}"


async def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"scanner-{name}.png"), full_page=True)


async def test_the_camera_reads_a_ticket_and_admits_it_once(
    app: Starlette, show: ShowFixture, base_url: str, tmp_path: Path
) -> None:
    code, qr = await _ticket(app, show, "C-5")
    other_code, _ = await _ticket(app, show, "C-6")  # sold, not yet in
    async for browser in _browser_seeing(qr_video(qr, tmp_path / "ticket.y4m")):
        async for page in _scanner_page(browser, base_url):
            await expect(page.locator("#counters li")).to_contain_text("0 / 2")
            await page.fill("#door", "north")
            await page.dispatch_event("#door", "change")
            await page.click("#camera-start")
            answer = page.locator("#answer")
            await expect(answer).to_have_attribute("data-result", "ok", timeout=15000)
            await expect(page.locator("#answer-title")).to_have_text("Admitted")
            await expect(page.locator("#answer-seat")).to_have_text("C-5")
            await expect(page.locator("#counters li")).to_contain_text("1 / 2")
            await _shot(page, "admitted")
            await answer.click()  # the same ticket shown again: a second pass
            await expect(answer).to_have_attribute("data-result", "bad", timeout=15000)
            await expect(page.locator("#answer-title")).to_have_text("Already in")
            await expect(page.locator("#answer-reason")).to_contain_text("north")
            await _shot(page, "already-in")
            await page.click("#camera-stop")
            # The fallback: the code printed under a QR the camera cannot read, typed in.
            await page.fill("#manual input[name=code]", other_code.lower())
            await page.click("#manual button[type=submit]")
            await expect(page.locator("#answer-seat")).to_have_text("C-6")
            await expect(answer).to_have_attribute("data-result", "ok")
            await expect(page.locator("#counters li")).to_contain_text("2 / 2")
    runtime: Runtime = app.state.runtime
    admitted = await find_ticket(runtime.db, code)
    assert admitted is not None and admitted.checked_in_door == "north"


async def test_offline_the_page_verifies_keeps_the_scan_and_reports_the_conflict(
    app: Starlette, show: ShowFixture, base_url: str, tmp_path: Path
) -> None:
    code, qr = await _ticket(app, show, "D-4")
    async for browser in _browser_seeing(qr_video(qr, tmp_path / "ticket.y4m")):
        async for page in _scanner_page(browser, base_url):
            await page.fill("#door", "west")
            await page.dispatch_event("#door", "change")
            await page.check("#offline")  # downloads the day kit
            await expect(page.locator("#offline-status")).to_contain_text("1 tickets")
            await page.context.set_offline(True)
            await page.click("#camera-start")
            await expect(page.locator("#answer")).to_have_attribute("data-result", "ok", timeout=15000)
            await expect(page.locator("#answer-reason")).to_contain_text("offline")
            await expect(page.locator("#counters li")).to_contain_text("1 / 1")
            await expect(page.locator("#offline-status")).to_contain_text("1 scan(s) to sync")
            await page.click("#camera-stop")
            # Meanwhile the same ticket came in at the north door, which was online.
            runtime: Runtime = app.state.runtime
            earlier = datetime.now(UTC) - timedelta(minutes=1)
            await admit(
                runtime.db, Scan(code, show.showtime_id, show.cinema_id, "north", earlier, None, False)
            )
            await page.context.set_offline(False)
            await page.click("#sync")
            conflict = page.locator("#conflicts li")
            await expect(conflict).to_have_count(1)  # the network's return and the tap sync once
            await expect(conflict).to_contain_text("admitted_elsewhere")
            await expect(conflict).to_contain_text("north")
            await expect(page.locator("#offline-status")).to_contain_text("0 scan(s) to sync")
            await _shot(page, "offline-conflict")
