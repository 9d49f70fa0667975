"""The moviegoer's seat page in headless Chromium (Debian's package, driven by Playwright).

Two phones open one showtime: a hold made on one turns the seats held on the other without a
reload; a pick that would strand a seat is named as it is tapped, and holding it is refused on the
phone without a request, saying which seat and why. The seat map's state module is also exercised
on its own in the browser. On 375x812 and 360x780 phones the page is measured as users see it: the
whole hall fits the width on open, centred on the screen's centre line, the hold panel stays on
screen and no text overflows. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from seatcore import keys
from seatcore.domain.layout import grid_layout
from seatcore.live.protocol import CloseCode
from seatcore.settings import Settings
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_show
from tests.live.serving import LiveServer, serving

pytestmark = pytest.mark.browser

PHONE: dict[str, Any] = {
    "viewport": {"width": 412, "height": 915},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# Two price zones, two aisles, a couple row at the back and a wheelchair space.
LAYOUT = grid_layout(
    9, 16, aisles=(3, 12), couple_rows=(8,), wheelchair=((0, 0), (0, 15)), zones={3: "premium", 4: "premium"}
)
PRICES = {"standard": 4500, "premium": 6800, "couple": 9900}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hold_rate_per_minute": 1000})


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    async with serving(app) as live:
        yield live


async def phone(
    browser: Browser, server: LiveServer, errors: list[str], locale: str = "zh-CN"
) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(base_url=server.base_url, locale=locale, **PHONE)
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page


async def sign_in(page: Page, name: str) -> None:
    await page.click("#sign-in")
    await page.fill("#sign-in-form input", name)
    await page.click("#sign-in-form button")
    await expect(page.locator("#account")).to_contain_text(name)


def seat(page: Page, seat_id: str) -> Any:
    return page.locator(f'button[data-seat="{seat_id}"]')


async def test_a_hold_on_one_phone_shows_on_the_other(browser: Browser, server: LiveServer) -> None:
    show = await make_show(server.runtime.db, layout=LAYOUT, prices=PRICES)
    errors: list[str] = []
    # Ann's phone speaks Chinese, Bob's English.
    (_, ann), (_, bob) = await phone(browser, server, errors), await phone(browser, server, errors, "en-US")
    for page in (ann, bob):
        await page.goto(f"/seats.html?showtime={show.showtime_id}")
        await expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    await expect(ann.locator(".screen")).to_have_text("银幕")
    await expect(ann.locator(".legend-zones")).to_contain_text("优选座 ¥68")

    await sign_in(ann, "ann")
    await seat(ann, "E-6").click()
    await seat(ann, "E-7").click()
    await expect(seat(ann, "E-6")).to_have_class("seat picked type-standard")
    await expect(ann.locator("#panel .total")).to_contain_text("¥136")
    await ann.get_by_role("button", name="锁定座位").click()
    await expect(ann.locator("#my-hold")).to_contain_text("E排6座、E排7座")
    await expect(ann.locator("#hold-countdown")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    await expect(seat(ann, "E-6")).to_have_class("seat mine type-standard")
    # Bob's map changes without a reload.
    for seat_id in ("E-6", "E-7"):
        await expect(seat(bob, seat_id)).to_have_class("seat held type-standard")
        await expect(seat(bob, seat_id)).to_be_disabled()

    # Bob picks, leaving A-4 alone between them and the aisle: the rule is explained
    # as he taps, and holding is refused on the phone, without asking the service.
    await sign_in(bob, "bob")
    holds: list[str] = []
    bob.on("request", lambda request: holds.append(request.url) if request.method == "POST" else None)
    await seat(bob, "A-5").click()
    notice = bob.locator("#notice")
    await expect(notice).to_contain_text("leave a single empty seat: Row A Seat 4")
    await seat(bob, "A-6").click()
    await expect(bob.locator("#panel .chip")).to_have_text(["Row A Seat 5 ¥45 ✕", "Row A Seat 6 ¥45 ✕"])
    await bob.get_by_role("button", name="Hold seats").click()
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("leave a single empty seat: Row A Seat 4")
    await expect(notice).to_contain_text("an aisle")
    await expect(seat(bob, "A-4")).to_have_class("seat free type-standard stranded flagged")
    assert holds == []
    await bob.locator("#seat-map").screenshot(path=str(ARTIFACTS / "seat-map-refused.png"))
    await bob.screenshot(path=str(ARTIFACTS / "seat-page-refused.png"), full_page=True)

    # Best seats for two: held at once, the other phone sees them go.
    await seat(bob, "A-5").click()
    await seat(bob, "A-6").click()
    await bob.select_option("#best-count", "2")
    await bob.click("#best-button")
    await expect(bob.locator("#my-hold")).to_be_visible()
    best = await bob.locator("button.seat.mine").evaluate_all("buttons => buttons.map(b => b.dataset.seat)")
    assert len(best) == 2
    for seat_id in best:
        await expect(seat(ann, seat_id)).to_have_class("seat held type-standard")

    # Ann lets hers go: free again on Bob's map.
    await ann.get_by_role("button", name="释放座位").click()
    await expect(seat(bob, "E-6")).to_have_class("seat free type-standard")
    await bob.locator("#seat-map").screenshot(path=str(ARTIFACTS / "seat-map.png"))
    await bob.screenshot(path=str(ARTIFACTS / "seat-page.png"), full_page=True)
    assert errors == []


async def test_the_page_catches_up_after_losing_its_connection(browser: Browser, server: LiveServer) -> None:
    show = await make_show(server.runtime.db, layout=LAYOUT, prices=PRICES)
    errors: list[str] = []
    context, page = await phone(browser, server, errors)
    await page.goto(f"/seats.html?showtime={show.showtime_id}")
    await expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    await sign_in(page, "cleo")
    await seat(page, "G-4").click()
    await seat(page, "G-5").click()
    await page.get_by_role("button", name="锁定座位").click()
    await expect(seat(page, "G-4")).to_have_class("seat mine type-standard")
    live = server.runtime.extras["live"]
    log_key = keys.show_log(show.showtime_id)

    # The phone loses its network and the server drops its socket meanwhile: it resumes.
    await context.set_offline(True)
    live.close_all(CloseCode.RESYNC, "test: drop everyone")
    await expect(page.locator("#live-status")).to_have_attribute("data-status", "reconnecting")
    await server.engine.hold(show.showtime_id, 9001, seats=["C-4", "C-5"])
    held = await server.engine.hold(show.showtime_id, 9002, seats=["D-4", "D-5"])
    await server.engine.release(held.id, 9002)
    await context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    await expect(seat(page, "C-5")).to_have_class("seat held type-standard")
    await expect(seat(page, "D-5")).to_have_class("seat free type-standard")

    # Again, but the change log no longer reaches back: a fresh snapshot, and my seats stay mine.
    await context.set_offline(True)
    live.close_all(CloseCode.RESYNC, "test: drop everyone")
    await server.engine.hold(show.showtime_id, 9003, seats=["B-4", "B-5"])
    await server.runtime.redis.xtrim(log_key, maxlen=0, approximate=False)
    await context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(seat(page, "B-5")).to_have_class("seat held type-standard")
    await expect(seat(page, "G-4")).to_have_class("seat mine type-standard")
    await expect(page.locator("#my-hold")).to_contain_text("G排4座、G排5座")
    assert errors == []


async def test_the_start_page_leads_to_a_showtime_seat_map(browser: Browser, server: LiveServer) -> None:
    show = await make_show(server.runtime.db, layout=LAYOUT, prices=PRICES)
    context = await browser.new_context(base_url=server.base_url, timezone_id="Asia/Shanghai", **PHONE)
    page = await context.new_page()
    await page.goto("/")
    await page.get_by_role("button", name=re.compile("Test Movie")).click()
    await page.locator(".date-tabs .tab").nth(1).click()  # the showtime is tomorrow
    link = page.locator(f'a[href="seats.html?showtime={show.showtime_id}"]')
    await expect(link).to_contain_text("¥45")
    await page.screenshot(path=str(ARTIFACTS / "start-page.png"))
    await link.click()
    await expect(page.locator("#movie-title")).to_have_text("Test Movie")
    await expect(seat(page, "A-1")).to_have_class("seat free type-wheelchair")
    await context.close()


async def test_the_state_module_applies_frames_by_seq(browser: Browser, server: LiveServer) -> None:
    context, page = await phone(browser, server, [])
    await page.goto("/seats.html")
    result = await page.evaluate(
        """async () => {
          const { SeatMapState } = await import('/js/seat-state.js')
          const layout = { columns: 3, aisles: [], rows: [{ label: 'A', seats: [
            { id: 'A-1', col: 0, number: 1, type: 'couple', zone: 'c', pair: 'A-2' },
            { id: 'A-2', col: 1, number: 2, type: 'couple', zone: 'c', pair: 'A-1' },
            { id: 'A-3', col: 2, number: 3, type: 'standard', zone: 's' }]}]}
          const s = new SeatMapState(layout, { c: 9900, s: 4500 })
          const out = {}
          out.unsynced = s.applyDelta({ from_seq: 1, seq: 1, changes: [] }).result
          const free = { 'A-1': 'free', 'A-2': 'free', 'A-3': 'free' }
          s.applySnapshot({ seq: 4, epoch: 'e1', states: free, mine: [] })
          out.pick = s.toggle('A-1').seats
          out.total = s.totalFen(s.picked())
          out.stale = s.applyDelta({ from_seq: 3, seq: 4, changes: [{ seat: 'A-3', state: 'sold' }] }).result
          out.gap = s.applyDelta({ from_seq: 6, seq: 6, changes: [] }).result
          const other = { seat: 'A-2', state: 'held', hold_id: 'x' }
          const taken = s.applyDelta({ from_seq: 5, seq: 5, changes: [other] })
          out.taken = [taken.result, taken.lost, s.picked()]
          const sold = { seat: 'A-3', state: 'sold' }
          out.overlap = s.applyDelta({ from_seq: 5, seq: 7, changes: [sold] }).result
          out.seq = s.seq
          out.resume = s.resumePoint()
          s.setHold({ id: 'h1', seats: ['A-3'], expires_at: '2030-01-01T00:00:00+08:00' })
          s.applyDelta({ from_seq: 8, seq: 8, changes: [{ seat: 'A-3', state: 'held', hold_id: 'h1' }] })
          out.mine = s.view('A-3')
          s.applyDelta({ from_seq: 9, seq: 9, changes: [{ seat: 'A-3', state: 'free' }] })
          out.after = [s.view('A-3'), s.myHold]
          return out
        }"""
    )
    assert result == {
        "unsynced": "unsynced",
        "pick": ["A-1", "A-2"],
        "total": 19800,
        "stale": "stale",
        "gap": "gap",
        "taken": ["applied", ["A-2"], []],
        "overlap": "applied",
        "seq": 7,
        "resume": {"since": 7, "epoch": "e1"},
        "mine": "mine",
        "after": ["free", None],
    }
    await context.close()
