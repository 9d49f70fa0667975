"""The web seat page as moviegoers see it on two phone sizes (375x812 and 360x780), measured in
headless Chromium: on open the whole hall's width fits the viewport and the screen's centre line
(and the seats' centre) is within 5% of the viewport's centre; the hold panel is inside the
viewport, at its bottom; no text overflows its box; zone names and seats read in Chinese. Pictures go to
test-artifacts/ (the current ones are kept in docs/miniprogram/ for the README).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from seatcore.domain.layout import grid_layout
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_show
from tests.live.serving import LiveServer, serving

pytestmark = pytest.mark.browser

# The 240-seat hall of the mini-program's tests: 12 rows of 20 in 22 columns (aisles at 4 and 17),
# a couple row at the back, wheelchair spaces in front, two premium rows.
LAYOUT = grid_layout(
    12,
    22,
    aisles=(4, 17),
    couple_rows=(11,),
    wheelchair=((0, 0), (0, 21)),
    zones={5: "premium", 6: "premium"},
)
PRICES = {"standard": 4500, "premium": 6000, "couple": 9500}
PHONES = [(375, 812), (360, 780)]

# Everything measured in the page, in CSS px.
MEASURE = """() => {
  const vw = window.innerWidth
  const vh = window.innerHeight
  const seats = [...document.querySelectorAll('button.seat')].map((b) => b.getBoundingClientRect())
  const left = Math.min(...seats.map((r) => r.left))
  const right = Math.max(...seats.map((r) => r.right))
  const screen = document.querySelector('.screen').getBoundingClientRect()
  const panel = document.querySelector('#panel').getBoundingClientRect()
  const hasText = (el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
  const overflowing = [...document.querySelectorAll('body *')]
    .filter((el) => hasText(el) && el.getClientRects().length)
    .filter((el) => {
      const r = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      const clipped = style.display !== 'inline' && el.scrollWidth > el.clientWidth + 1
      return clipped || r.right > vw + 0.5 || r.left < -0.5
    })
    .map((el) => `${el.tagName}.${el.className}: ${el.textContent.trim().slice(0, 30)}`)
  return {
    vw, vh, left, right,
    screenCentre: (screen.left + screen.right) / 2,
    seatsCentre: (left + right) / 2,
    panelTop: panel.top, panelBottom: panel.bottom,
    pageScrolls: document.documentElement.scrollWidth > vw,
    overflowing,
  }
}"""


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    async with serving(app) as live:
        yield live


async def open_phone(browser: Browser, server: LiveServer, width: int, height: int) -> Page:
    context = await browser.new_context(
        base_url=server.base_url,
        locale="zh-CN",
        viewport={"width": width, "height": height},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    return await context.new_page()


def check_layout(found: dict[str, Any]) -> None:
    vw, vh = found["vw"], found["vh"]
    assert found["left"] >= 0 and found["right"] <= vw, found
    assert abs(found["screenCentre"] - vw / 2) <= 0.05 * vw, found
    assert abs(found["seatsCentre"] - vw / 2) <= 0.05 * vw, found
    assert found["panelTop"] >= 0 and vh - 1 <= found["panelBottom"] <= vh, found
    assert not found["pageScrolls"], found
    assert found["overflowing"] == [], found


@pytest.mark.parametrize(("width", "height"), PHONES, ids=[f"{w}x{h}" for w, h in PHONES])
async def test_the_seat_page_fits_the_phone(
    browser: Browser, server: LiveServer, width: int, height: int
) -> None:
    show = await make_show(server.runtime.db, layout=LAYOUT, prices=PRICES)
    page = await open_phone(browser, server, width, height)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(f"/seats.html?showtime={show.showtime_id}")
    await expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    await expect(page.locator(".legend-zones li")).to_have_text(["普通座 ¥45", "优选座 ¥60", "情侣座 ¥95"])
    check_layout(await page.evaluate(MEASURE))
    await page.screenshot(path=str(ARTIFACTS / f"web-seats-{width}x{height}-open.png"))

    # Two seats in the middle, then one that would leave a lone seat: named at once, in Chinese.
    await page.locator('button[data-seat="H-10"]').click()
    await page.locator('button[data-seat="H-11"]').click()
    await expect(page.locator("#panel .chip")).to_have_text(["H排10座 ¥45 ✕", "H排11座 ¥45 ✕"])
    await page.locator('button[data-seat="F-6"]').click()
    await expect(page.locator("#notice")).to_contain_text("F排5座")
    await expect(page.locator('button[data-seat="F-5"]')).to_have_class(
        "seat free type-standard stranded flagged"
    )
    check_layout(await page.evaluate(MEASURE))
    await page.screenshot(path=str(ARTIFACTS / f"web-seats-{width}x{height}-picked.png"))
    assert errors == []
    await page.context.close()


async def test_a_hall_too_wide_to_fit_opens_at_its_centre_with_row_labels_in_view(
    browser: Browser, server: LiveServer
) -> None:
    # 60 seats a row: at 12 px a seat (the smallest a finger can hit) wider than the phone.
    show = await make_show(server.runtime.db, layout=grid_layout(6, 60), prices={"standard": 4500})
    page = await open_phone(browser, server, 375, 812)
    await page.goto(f"/seats.html?showtime={show.showtime_id}")
    await expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    found = await page.evaluate(
        """() => {
          const map = document.querySelector('#seat-map')
          const centre = (el) => { const r = el.getBoundingClientRect(); return (r.left + r.right) / 2 }
          const screen = centre(document.querySelector('.screen'))
          const opened = { scrolls: map.scrollWidth > map.clientWidth, screen }
          map.scrollLeft = map.scrollWidth
          const label = document.querySelector('.row-label').getBoundingClientRect()
          return { ...opened, labelLeft: label.left, vw: window.innerWidth }
        }"""
    )
    assert found["scrolls"], found
    assert abs(found["screen"] - found["vw"] / 2) <= 0.05 * found["vw"], found
    assert 0 <= found["labelLeft"] <= 24, found  # at the left edge, not scrolled away
    await page.screenshot(path=str(ARTIFACTS / "web-seats-wide-hall.png"))
    await page.context.close()
