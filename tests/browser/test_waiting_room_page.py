"""The web seat page while a premiere's waiting room is open, in headless Chromium: a signed-in fan
is put in line before the map (the place, the wait, the bar), moves up as the shopper ahead
leaves, sees "轮到你了", then picks and holds seats with the admission token. Screenshots go to
test-artifacts/ (waiting-room-page-*.png)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from seatcore.settings import Settings
from seatcore.store import users
from seatcore.waitingroom.line import RoomRules
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_seat_page import LAYOUT, PRICES, phone, seat, sign_in
from tests.factories import make_show
from tests.live.serving import LiveServer, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hold_rate_per_minute": 1000, "waiting_room_tick_ms": 100})


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    async with serving(app) as live:
        yield live


async def test_a_fan_waits_their_turn_then_holds_with_the_token(browser: Browser, server: LiveServer) -> None:
    runtime = server.runtime
    show = await make_show(runtime.db, layout=LAYOUT, prices=PRICES)
    rooms = runtime.waiting_rooms
    await rooms.open(show.showtime_id, RoomRules(rooms.now_ms() - 60_000, per_minute=0, window_s=600, cap=1))
    shopper = await users.get_or_create_user(runtime.db, "openid-shopper", "shopper")
    assert (await rooms.join(show.showtime_id, shopper.id)).admitted  # type: ignore[union-attr]

    errors: list[str] = []
    _, ann = await phone(browser, server, errors)
    await ann.goto(f"/seats.html?showtime={show.showtime_id}")
    await sign_in(ann, "ann")
    await ann.reload()
    waiting = ann.locator("#waiting")
    await expect(waiting).to_be_visible()
    await expect(waiting.locator(".waiting-count")).to_have_text("0")
    await expect(waiting.locator(".waiting-eta")).to_contain_text("预计等待")
    await expect(ann.locator("#seat-map")).to_be_hidden()
    await ann.screenshot(path=str(ARTIFACTS / "waiting-room-page-in-line.png"))

    await rooms.leave(show.showtime_id, shopper.id)  # the shopper's slot frees: Ann's turn
    await expect(waiting.locator(".waiting-turn")).to_have_text("轮到你了！")
    await ann.screenshot(path=str(ARTIFACTS / "waiting-room-page-admitted.png"))
    await expect(waiting).to_be_hidden()
    await expect(ann.locator("#live-status")).to_have_attribute("data-status", "live")
    await seat(ann, "E-6").click()
    await seat(ann, "E-7").click()
    await ann.get_by_role("button", name="锁定座位").click()
    await expect(ann.locator("#my-hold")).to_contain_text("E排6座、E排7座")
    await ann.screenshot(path=str(ARTIFACTS / "waiting-room-page-held.png"))
    assert errors == []
