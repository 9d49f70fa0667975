"""A refund with a fee, of an order paid with points and a coupon: the quote says what comes back
and the refund does exactly that: the money less the fee (the partial amount sent to the WeChat Pay
fake at each fee tier), the spent points less the fee's share of them, and the coupon when its
campaign returns it and it is still valid."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.exchange.conftest import LiveShop, set_policy
from tests.loyalty.conftest import admin, balance, campaign, claim, coupon_state, give_points, join
from tests.orders.conftest import Auth, key, runtime_of

__all__ = ["admin"]  # the staff fixture the campaigns need

TIERS = [
    {"until_before_min": 24 * 60, "fee_percent": 0},
    {"until_before_min": 120, "fee_percent": 10},
    {"until_before_min": 30, "fee_percent": 20},
]


async def paid_with_points_and_coupon(
    shop: LiveShop, admin: Auth, starts_in: timedelta, **campaign_values: Any
) -> tuple[Auth, dict[str, Any], int]:
    """alice's ticketed order of two seats at 4500: a 500 coupon, then 1000 points: 7500 paid."""
    alice = await shop.login("alice")
    await join(shop, alice)
    await give_points(shop, alice, 3000)
    made = await campaign(shop, admin, kind="amount", value=500, **campaign_values)
    coupon = await claim(shop, alice, campaign_id=made["id"])
    show = await shop.show(starts_in=starts_in)
    await set_policy(runtime_of(shop.app).db, show.cinema_id, tiers=TIERS)
    hold = await shop.hold(alice, show.showtime_id, ["A-1", "A-2"])
    created = await shop.client.post(
        "/api/v1/orders",
        json={"hold_id": hold["id"], "coupon_id": coupon["id"], "points": 1000},
        headers=alice | key(),
    )
    assert created.status_code == 201, created.text
    assert created.json()["amount_fen"] == 7500
    await shop.pay(alice, created.json()["id"])
    assert (await shop.fake.notify_payment(created.json()["id"])).status_code == 204
    order = await shop.wait_status(alice, created.json()["id"], "ticketed")
    return alice, order, int(coupon["id"])


@pytest.mark.parametrize(
    ("starts_in", "fee_fen", "points_back"),
    [(timedelta(days=3), 0, 1000), (timedelta(hours=5), 750, 900), (timedelta(minutes=60), 1500, 800)],
)
async def test_each_tier_gives_back_money_points_and_coupon_as_quoted(
    live_shop: LiveShop, admin: Auth, starts_in: timedelta, fee_fen: int, points_back: int
) -> None:
    shop = live_shop
    alice, order, coupon_id = await paid_with_points_and_coupon(shop, admin, starts_in)
    before = await balance(shop, alice)  # 2000 left + 75 earned on 75 yuan paid
    assert before == 2075

    quote = (await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=alice)).json()
    assert (quote["fee_fen"], quote["refund_fen"]) == (fee_fen, 7500 - fee_fen)
    assert (quote["points_back"], quote["coupon_back"]) == (points_back, True)

    refunded = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["refund"]["amount_fen"] == 7500 - fee_fen
    sent = shop.fake.refunds[f"{order['id']}-R"]["amount"]
    assert (sent["refund"], sent["total"]) == (7500 - fee_fen, 7500)  # the partial amount, the fee kept
    # The quoted points come back and the 75 earned go again.
    assert await balance(shop, alice) == before + points_back - 75
    assert await coupon_state(shop, alice, coupon_id) == "available"


async def test_a_campaign_that_keeps_its_coupon_on_refund(live_shop: LiveShop, admin: Auth) -> None:
    shop = live_shop
    alice, order, coupon_id = await paid_with_points_and_coupon(
        shop, admin, timedelta(minutes=60), return_on_refund=False
    )
    quote = (await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=alice)).json()
    assert (quote["points_back"], quote["coupon_back"]) == (800, False)
    refunded = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200, refunded.text
    assert await coupon_state(shop, alice, coupon_id) == "used"


async def test_a_staff_refund_gives_every_point_back(live_shop: LiveShop, admin: Auth) -> None:
    shop = live_shop
    alice, order, _coupon_id = await paid_with_points_and_coupon(shop, admin, timedelta(minutes=60))
    await shop.orders.refund_by_staff(str(order["id"]), created_by="staff:ops")
    assert await balance(shop, alice) == 2075 + 1000 - 75
