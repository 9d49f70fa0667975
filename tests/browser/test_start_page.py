"""The web start page in headless Chromium: the service's display names, and with the browser's
position, each cinema's distance with the nearest first."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import update

from seatcore.db.schema import cinemas
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_movie, make_show
from tests.live.serving import LiveServer, serving

pytestmark = pytest.mark.browser

PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
HERE = {"latitude": 31.2390, "longitude": 121.4990}


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    async with serving(app) as live:
        yield live


async def _two_cinemas(server: LiveServer) -> None:
    """One movie tomorrow at a far cinema (People's Square) and a near one (Lujiazui)."""
    db = server.runtime.db
    movie_id = await make_movie(db, "星际归途", genres="sci-fi,adventure")
    far = await make_show(db, movie_id=movie_id, language="Cantonese", format="Laser")
    near = await make_show(db, movie_id=movie_id)
    async with db.begin() as conn:
        for show, name, lat, lng in (
            (far, "人民广场影城", 31.2336, 121.4760),
            (near, "陆家嘴影城", 31.2380, 121.5020),
        ):
            await conn.execute(
                update(cinemas)
                .where(cinemas.c.id == show.cinema_id)
                .values(name=name, latitude=lat, longitude=lng)
            )


async def test_display_names_and_nearest_cinemas_first(browser: Browser, server: LiveServer) -> None:
    await _two_cinemas(server)
    context = await browser.new_context(
        base_url=server.base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation=HERE,
        permissions=["geolocation"],
        **PHONE,
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto("/")
    button = page.get_by_role("button", name=re.compile("星际归途"))
    await expect(button).to_contain_text("科幻 / 冒险")
    await button.click()
    await page.locator(".date-tabs .tab").nth(1).click()  # the showtimes are tomorrow
    shows = page.locator("a.showtime")
    await expect(shows).to_have_count(2)
    await expect(shows.nth(0)).to_contain_text(re.compile(r"陆家嘴影城 · \d+米"))
    await expect(shows.nth(1)).to_contain_text(re.compile(r"人民广场影城 · 2\.\d公里 · Hall 1 · 粤语 · 激光"))
    await page.screenshot(path=str(ARTIFACTS / "start-page-nearby.png"))
    assert errors == []
    await context.close()


async def test_without_a_position_no_distances(browser: Browser, server: LiveServer) -> None:
    await _two_cinemas(server)
    context = await browser.new_context(
        base_url=server.base_url, locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE
    )
    page = await context.new_page()
    await page.goto("/")
    await page.get_by_role("button", name=re.compile("星际归途")).click()
    await page.locator(".date-tabs .tab").nth(1).click()
    shows = page.locator("a.showtime")
    await expect(shows).to_have_count(2)
    assert not re.search("米|公里", " ".join(await shows.all_inner_texts()))
    await context.close()
