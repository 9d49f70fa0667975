"""The one real experiment, end to end on the web seat page: best_seats_position puts the
best-seats row below the map (control) or above it. A phone whose device id hashes to "above"
sees it above, one hashing to "below" sees it in the panel, and both exposures reach the store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from seatcore.analytics.background import event_store
from seatcore.domain.experiments import assign, unit_of
from seatcore.store import experiments
from tests.browser.conftest import ARTIFACTS, browser  # noqa: F401  (the fixture)
from tests.factories import make_show
from tests.live.serving import LiveServer, serving
from tests.polling import wait_for

pytestmark = pytest.mark.browser

KEY = "best_seats_position"
VARIANTS = [("below", 1.0), ("above", 1.0)]


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    async with serving(app) as live:
        yield live


def device_for(variant: str) -> str:
    """A device id that the experiment assigns to ``variant``."""
    for i in range(1000):
        device = f"device-{i:06d}"
        if VARIANTS[assign(KEY, unit_of(None, device) or "", [1, 1])][0] == variant:
            return device
    raise AssertionError("no device found")


async def test_the_variant_places_the_best_seats_row(browser: Browser, server: LiveServer) -> None:  # noqa: F811
    runtime = server.runtime
    show = await make_show(runtime.db)
    values = {
        "key": KEY,
        "name": "Best seats above or below",
        "variants": VARIANTS,
        "metric_from": "seatmap_opened",
        "metric_to": "order_paid",
        "guardrail": "payment_success",
        "channels": [],
        "signed_in": False,
    }
    await experiments.create(runtime.db, None, values, status=experiments.RUNNING)
    errors: list[str] = []
    for variant in ("above", "below"):
        context = await browser.new_context(base_url=server.base_url, viewport={"width": 412, "height": 915})
        await context.add_init_script(
            f"localStorage.setItem('sc.analytics.device', {json.dumps(json.dumps(device_for(variant)))})"
        )
        page = await context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"/seats.html?showtime={show.showtime_id}")
        if variant == "above":
            await expect(page.locator("#best-above #best-button")).to_be_visible()
            await expect(page.locator("#panel #best-button")).to_have_count(0)
            await page.screenshot(path=str(ARTIFACTS / "seat-page-best-above.png"))
        else:
            await expect(page.locator("#panel #best-button")).to_be_visible()
            await expect(page.locator("#best-above #best-button")).to_have_count(0)
        await context.close()
    assert errors == []
    store = event_store(runtime)
    query = "SELECT device, code FROM events WHERE name = 'experiment_exposed'"

    async def both_exposed() -> bool:
        return len(await asyncio.to_thread(store.query, query, [])) >= 2

    await wait_for(both_exposed)
    found = await asyncio.to_thread(store.query, query, [])
    assert sorted(found) == sorted([(device_for("above"), "above"), (device_for("below"), "below")])
