"""The console's snack pages in headless Chromium: the menu (add an item, give it a picture), the
counter (a pickup code answered big and green, then red the second time) and the box office's
snack panel (its chart drawn). Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from playwright.async_api import Page, expect
from starlette.applications import Starlette

from seatcore.runtime import Runtime
from seatcore.store import snacks as store
from seatcore.store._time import utcnow
from tests.browser.conftest import ARTIFACTS, console_sign_in
from tests.browser.test_console import PASSWORD, base_url, page, show  # noqa: F401
from tests.factories import ShowFixture
from tests.staff.sales import sell

pytestmark = pytest.mark.browser


async def _shot(page: Page, name: str) -> None:  # noqa: F811
    await page.screenshot(path=str(ARTIFACTS / f"console-snacks-{name}.png"), full_page=True)


async def _sell_with_snacks(runtime: Runtime, show: ShowFixture, snack_id: int, code: str) -> None:  # noqa: F811
    from seatcore.db.schema import order_snacks, snack_pickups

    order_id = await sell(runtime.db, show.showtime_id, ["D-5", "D-6"], paid_at=datetime.now(UTC))
    async with runtime.db.begin() as conn:
        await conn.execute(
            order_snacks.insert().values(
                order_id=order_id, snack_id=snack_id, name="爆米花（大）", qty=2, price_fen=2800
            )
        )
        await conn.execute(
            snack_pickups.insert().values(order_id=order_id, cinema_id=show.cinema_id, code=code)
        )


async def test_a_manager_runs_the_snack_menu_and_the_counter(
    page: Page,  # noqa: F811
    show: ShowFixture,  # noqa: F811
    app: Starlette,
) -> None:
    runtime: Runtime = app.state.runtime
    popcorn = await store.create(
        runtime.db, None, show.cinema_id, {"name": "爆米花（大）", "price_fen": 2800, "stock": 40}
    )
    await store.create(
        runtime.db,
        None,
        show.cinema_id,
        {
            "kind": "combo",
            "name": "双人套餐",
            "price_fen": 5800,
            "contents": [{"name": "爆米花", "qty": 1}, {"name": "可乐", "qty": 2}],
            "position": 2,
        },
    )
    await _sell_with_snacks(runtime, show, popcorn.id, "K7Q2M9HX")
    assert utcnow()

    await console_sign_in(page, "manager", PASSWORD)

    # The menu: add a cola, then give the popcorn a picture.
    await page.click('a[data-view="snacks"]')
    await expect(page.locator("#snack-table tbody tr")).to_have_count(2)
    await page.click("text=New item")
    form = page.locator("#snack-form")
    await form.locator("input[name=name]").fill("可乐（中杯）")
    await form.locator("input[name=price]").fill("12")
    await form.locator("input[name=stock]").fill("100")
    await form.locator("text=Add to the menu").click()
    await expect(page.locator("#snack-table tbody tr")).to_have_count(3)
    await expect(page.locator("#snack-table")).to_contain_text("¥12")
    await page.click(f'#snack-table tr[data-snack="{popcorn.id}"]')
    picture = io.BytesIO()
    Image.new("RGB", (600, 400), (230, 160, 40)).save(picture, format="PNG")
    await page.locator("#snack-form input[name=picture]").set_input_files(
        {"name": "popcorn.png", "mimeType": "image/png", "buffer": picture.getvalue()}
    )
    await page.click("text=Upload picture")
    await expect(page.locator(f'#snack-table tr[data-snack="{popcorn.id}"] img')).to_be_visible()
    await _shot(page, "1-menu")

    # The counter: the code answers green with the snacks, then red.
    await page.click('a[data-view="counter"]')
    await page.fill("#pickup-code", "k7q2 m9hx")
    await page.press("#pickup-code", "Enter")
    answer = page.locator("#pickup-answer")
    await expect(answer).to_have_attribute("data-outcome", "handed-over")
    await expect(answer).to_contain_text("爆米花（大） × 2")
    await _shot(page, "2-counter-handed-over")
    await page.fill("#pickup-code", "K7Q2M9HX")
    await page.press("#pickup-code", "Enter")
    await expect(answer).to_have_attribute("data-outcome", "already_picked_up")
    await expect(answer).to_contain_text("Already picked up")
    await _shot(page, "3-counter-already")

    # The box office's snack panel shows the sale.
    await page.click('a[data-view="boxoffice"]')
    await expect(page.locator("#snack-panel")).to_contain_text("¥56 from 2 snacks")
    await expect(page.locator("#chart-snacks canvas")).to_have_count(1)
    await _shot(page, "4-boxoffice-snacks")


async def test_the_order_look_up_shows_snacks_bought_alone(
    page: Page,  # noqa: F811
    show: ShowFixture,  # noqa: F811
    app: Starlette,
) -> None:
    from sqlalchemy import insert

    from seatcore.db.schema import order_snacks, orders, payments, snack_pickups
    from seatcore.orders.ids import new_snack_order_id
    from seatcore.store import users

    runtime: Runtime = app.state.runtime
    buyer = await users.get_or_create_user(runtime.db, "snacker", "Snacker")
    order_id = new_snack_order_id(show.cinema_id)
    now = utcnow()
    async with runtime.db.begin() as conn:  # what the writer lands for a paid order of snacks alone
        await conn.execute(
            insert(orders).values(
                id=order_id,
                user_id=buyer.id,
                showtime_id=None,
                hold_id="",
                status="ticketed",
                amount_fen=6800,
                seat_count=0,
                created_at=now,
                paid_at=now,
                updated_at=now,
            )
        )
        await conn.execute(
            insert(payments).values(
                order_id=order_id,
                provider="sandbox",
                provider_txn_id=f"tx-{order_id}",
                amount_fen=6800,
                status="succeeded",
                created_at=now,
                updated_at=now,
            )
        )
        await conn.execute(
            insert(order_snacks),
            [
                {"order_id": order_id, "snack_id": 1, "name": "爆米花（大）", "qty": 2, "price_fen": 2800},
                {"order_id": order_id, "snack_id": 2, "name": "可乐", "qty": 1, "price_fen": 1200},
            ],
        )
        await conn.execute(
            insert(snack_pickups).values(order_id=order_id, cinema_id=show.cinema_id, code="SNACK234")
        )

    await console_sign_in(page, "manager", PASSWORD)
    await page.click('a[data-view="orders"]')
    await page.fill("#order-search input[name=order_id]", order_id)
    await page.click("#order-search button")
    await expect(page.locator("#order-results tbody tr")).to_contain_text("Snacks alone")
    await expect(page.locator("#order-results tbody tr")).to_contain_text("paid")
    await expect(page.locator("#order-results tbody tr")).not_to_contain_text("ticketed")
    await page.click("#order-results tbody tr")
    detail = page.locator("#order-detail")
    await expect(detail).to_contain_text("pickup code SNACK234")
    await expect(page.locator("#order-snacks")).to_contain_text("爆米花（大） × 2 ¥56")
    await expect(detail).not_to_contain_text("Tickets")
    await expect(detail).not_to_contain_text("undefined")
    await _shot(page, "5-order-snacks-alone")
