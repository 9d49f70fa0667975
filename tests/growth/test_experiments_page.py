"""The console's experiments page in headless Chromium on real data: an admin defines an experiment
in the form and starts it, callers get assignments (exposures), the store gets their seat maps and
payments, and the results table shows the variants; a broken split shows the mismatch warning."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from playwright.async_api import Page, expect
from starlette.applications import Starlette

from seatcore.analytics.background import event_log, event_store
from seatcore.auth.passwords import hash_password
from seatcore.store import users
from tests.analytics.conftest import landed
from tests.analytics.test_dashboard import base_url, page  # noqa: F401  (fixtures)
from tests.browser.conftest import ARTIFACTS, browser  # noqa: F401  (the fixture)
from tests.factories import make_show

pytestmark = pytest.mark.browser

PASSWORD = "experiments-pass-1"


async def test_define_start_and_read_results(app: Starlette, page: Page, base_url: str) -> None:  # noqa: F811
    runtime = app.state.runtime
    await make_show(runtime.db)
    await users.create_staff(runtime.db, "boss", hash_password(PASSWORD), "admin")
    await page.goto("/console/")
    await page.fill("#signin-form input[name=username]", "boss")
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await page.click('a[data-view="experiments"]')
    form = page.locator("#experiment-form")
    await form.locator('input[name="key"]').fill("best_seats_position")
    await form.locator('input[name="name"]').fill("Best seats above or below the map")
    await form.locator('input[name="variants"]').fill("below:1, above:1")
    await form.locator("button.c-primary").click()
    row = page.locator("#experiment-list tr", has_text="best_seats_position")
    await expect(row).to_contain_text("draft")
    await row.locator("text=Start").click()
    await expect(row).to_contain_text("running")

    # 60 devices are assigned through the API; the store then gets their behaviour, and 30 more
    # exposures of "above" alone (a logging bug) that break the split.
    async with httpx.AsyncClient(base_url=base_url) as client:
        for i in range(60):
            answer = await client.get(
                "/api/v1/experiments/assignments", params={"device_id": f"device-{i:04d}"}
            )
            assert answer.status_code == 200
    await landed(app, 60)
    log = event_log(runtime)
    now_ms = int(time.time() * 1000)
    rows = []
    for i in range(60):
        fields = {"source": "client", "channel": "web", "device": f"device-{i:04d}"}
        rows.append(log.row("seatmap_opened", now_ms, showtime_id=1, **fields))
        if i % 3 == 0:
            rows.append(log.row("order_paid", now_ms + 1, order_id=f"o{i}", **fields))
    for i in range(300):
        rows.append(
            log.row(
                "experiment_exposed",
                now_ms,
                source="server",
                channel="web",
                device=f"bot-{i:04d}",
                page="best_seats_position",
                code="above",
            )
        )
    await asyncio.to_thread(event_store(runtime).append, rows)

    await row.locator("text=Results").click()
    results = page.locator("#experiment-results")
    await expect(results.locator("tbody tr")).to_have_count(2)
    await expect(results.locator("tbody tr").first).to_contain_text("below (control)")
    await expect(page.locator("#srm-warning")).to_contain_text("Sample-ratio mismatch")
    await page.screenshot(path=str(ARTIFACTS / "console-experiments.png"), full_page=True)
