"""猜你喜欢 on the web home in headless Chromium: a signed-in moviegoer who wants one movie of a
taste cluster sees the others of that cluster first, with the reason; choosing one opens its
showtimes (and sends movie_opened)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import insert

from seatcore.db.schema import favourites, users
from seatcore.recommend.service import build
from seatcore.store._time import utcnow
from tests.browser.conftest import ARTIFACTS, browser  # noqa: F401  (the fixture)
from tests.factories import make_movie, make_show
from tests.live.serving import LiveServer, serving

pytestmark = pytest.mark.browser


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    async with serving(app) as live:
        yield live


async def test_the_picks_row_is_personal_and_explained(browser: Browser, server: LiveServer) -> None:  # noqa: F811
    runtime = server.runtime
    db = runtime.db
    space = [await make_movie(db, title, genres="sci-fi") for title in ("星际归途", "深海回声", "银河外卖")]
    other = await make_movie(db, "海边的夏天", genres="romance")
    for movie_id in (*space, other):
        await make_show(db, movie_id=movie_id)
    now = utcnow()
    async with db.begin() as conn:
        for i in range(20):
            user_id = (await conn.execute(insert(users).values(openid=f"fan-{i}", created_at=now))).lastrowid
            for movie_id in space if i < 10 else (other,):
                await conn.execute(
                    insert(favourites).values(user_id=user_id, movie_id=movie_id, created_at=now)
                )
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        signed = (await client.post("/api/v1/auth/wx-login", json={"code": "dev-ann"})).json()
        wanted = await client.put(
            f"/api/v1/movies/{space[0]}/want", headers={"Authorization": f"Bearer {signed['token']}"}
        )
        assert wanted.status_code == 200, wanted.text
    await build(runtime)

    context = await browser.new_context(
        base_url=server.base_url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    await context.add_init_script(
        f"localStorage.setItem('seatcore.token', {json.dumps(signed['token'])});"
        f"localStorage.setItem('seatcore.user', {json.dumps(json.dumps(signed['user']))})"
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto("/")
    picks = page.locator("#picks .pick")
    await expect(page.locator("#picks h2")).to_have_text("猜你喜欢")
    await expect(picks.first).to_contain_text("因为你想看《星际归途》")
    first_two = {await picks.nth(i).get_attribute("data-pick") for i in range(2)}
    assert first_two == {str(space[1]), str(space[2])}
    await page.screenshot(path=str(ARTIFACTS / "web-home-picks.png"))
    await picks.first.click()
    await expect(page.locator("#showtimes")).to_be_visible()
    await context.close()
    assert errors == []
