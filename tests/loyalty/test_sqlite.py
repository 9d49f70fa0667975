"""The embedded default (SQLite) runs the same guards: a checkout with points and a coupon, one
member's parallel orders spending the same points, and one member's parallel free refunds."""

from __future__ import annotations

import pytest

from seatcore.db.engine import database_url
from seatcore.db.migrate import upgrade
from seatcore.settings import Settings
from tests.exchange.test_member_quotas import refund_race, uses_of
from tests.loyalty.conftest import Auth, Shop, balance, campaign, claim, coupon_state, give_points, join, key
from tests.loyalty.test_races import spend_race


@pytest.fixture
def settings(settings: Settings) -> Settings:
    embedded = settings.model_copy(update={"database_url": "", "max_live_holds_per_user": 20})
    upgrade(database_url(embedded))
    return embedded


async def test_checkout_on_sqlite(shop: Shop, admin: Auth) -> None:
    alice = await shop.login("alice")
    await join(shop, alice)
    await give_points(shop, alice, 1000)
    coupon = await claim(shop, alice, campaign_id=(await campaign(shop, admin))["id"])
    show = await shop.show()
    hold = await shop.hold(alice, show.showtime_id, ["A-1"])
    response = await shop.client.post(
        "/api/v1/orders",
        json={"hold_id": hold["id"], "coupon_id": coupon["id"], "points": 1000},
        headers=alice | key(),
    )
    assert response.status_code == 201, response.text
    assert response.json()["amount_fen"] == 4500 - 500 - 1000
    await shop.pay(alice, response.json()["id"])
    await shop.wait_status(alice, response.json()["id"], "ticketed")
    assert await coupon_state(shop, alice, coupon["id"]) in ("reserved", "used")


async def test_parallel_orders_spend_only_the_points_there_are_on_sqlite(shop: Shop) -> None:
    outcomes, _uid = await spend_race(shop, orders=6, points_each=1000, balance_before=2000)
    assert outcomes["created"] == 2
    alice = await shop.login("alice")
    assert await balance(shop, alice) == 0


async def test_free_refunds_race_on_sqlite(shop: Shop) -> None:
    """The slot guard's savepoints on SQLite: a V5 member's six refunds, two of them free."""
    outcomes, uid = await refund_race(shop)
    assert outcomes["refunded free"] == 2
    assert await uses_of(shop, uid) == 2
