"""The moviegoer pages work under the service's Content-Security-Policy (no inline script): Chromium
reports nothing the policy blocked while they load, sign in and show a live seat map."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.factories import make_show
from tests.live.serving import LiveServer, serving

pytestmark = pytest.mark.browser


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    async with serving(app) as live:
        yield live


async def test_the_moviegoer_pages_break_no_rule_of_the_policy(browser: Browser, server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    context = await browser.new_context(base_url=server.base_url)
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: blocked.append(str(exc)))
    await page.goto("/")
    await expect(page.locator("body")).not_to_be_empty()
    await page.goto(f"/seats.html?showtime={show.showtime_id}")
    await expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    await page.click("#sign-in")
    await page.fill("#sign-in-form input", "cara")
    await page.click("#sign-in-form button")
    await expect(page.locator("#account")).to_contain_text("cara")
    # A script written into the page is refused, which shows that the check above can see it.
    await page.evaluate(
        """() => {
          const script = document.createElement('script')
          script.textContent = 'window.ranInline = true'
          document.body.append(script)
        }"""
    )
    assert await page.evaluate("() => window.ranInline === undefined")
    await context.close()
    assert len(blocked) == 1 and "script-src 'self'" in blocked[0], blocked
