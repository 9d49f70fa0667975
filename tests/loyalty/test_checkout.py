"""Checkout with member price, coupon and points, end to end through the API: the order answers
its breakdown, the points and coupon are reserved at create, spent when paid, given back when the
order ends unpaid or is refunded; a paid order earns points and raises the year's spend."""

from __future__ import annotations

from typing import Any

from tests.loyalty.conftest import (
    Auth,
    Shop,
    balance,
    campaign,
    claim,
    coupon_state,
    give_points,
    join,
    key,
    user_id,
)
from tests.polling import wait_for

TIERS = {
    "items": [
        {"level": 1, "name": "V1", "threshold_fen": 0, "discount_percent": 10},
        {"level": 2, "name": "V2", "threshold_fen": 5000, "discount_percent": 20, "zone_prices": {}},
    ]
}


async def set_tiers(shop: Shop, admin: Auth) -> None:
    response = await shop.client.put("/api/v1/staff/member-tiers", json=TIERS, headers=admin)
    assert response.status_code == 200, response.text


async def order(shop: Shop, auth: Auth, showtime_id: int, seats: list[str], **extra: Any) -> Any:
    """An order from a fresh hold; a refused order's hold is released, so the next can be made."""
    hold = await shop.hold(auth, showtime_id, seats)
    body = {"hold_id": hold["id"]} | extra
    response = await shop.client.post("/api/v1/orders", json=body, headers=auth | key())
    if response.status_code != 201:
        await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=auth)
    return response


async def test_member_coupon_and_points_through_pay(shop: Shop, admin: Auth) -> None:
    await set_tiers(shop, admin)
    alice = await shop.login("alice")
    joined = await join(shop, alice)
    assert joined["member"] is True and joined["tier"]["name"] == "V1" and joined["points"] == 0
    assert joined["next_tier"]["name"] == "V2"
    await give_points(shop, alice, 3000)
    made = await campaign(shop, admin, kind="amount", value=500, min_spend_fen=5000)
    coupon = await claim(shop, alice, campaign_id=made["id"])
    show = await shop.show()

    response = await order(shop, alice, show.showtime_id, ["A-1", "A-2"], coupon_id=coupon["id"], points=1000)
    assert response.status_code == 201, response.text
    created = response.json()
    # 2 x 4500 = 9000; V1 10% off: 8100; coupon 500 off: 7600; 1000 points = 10 yuan: 6600
    assert created["price"] == {
        "list_fen": 9000,
        "member_discount_fen": 900,
        "coupon_fen": 500,
        "points_fen": 1000,
        "points_used": 1000,
        "snacks_fen": 0,
        "paid_fen": 6600,
    }
    assert created["amount_fen"] == 6600
    assert await balance(shop, alice) == 2000  # reserved
    assert await coupon_state(shop, alice, coupon["id"]) == "reserved"

    paid = await shop.pay(alice, created["id"])
    assert paid["amount_fen"] == 6600
    ticketed = await shop.wait_status(alice, created["id"], "ticketed")
    assert ticketed["price"]["paid_fen"] == 6600  # kept in MySQL too

    async def settled() -> bool:
        return await coupon_state(shop, alice, coupon["id"]) == "used"

    await wait_for(settled)
    member = (await shop.client.get("/api/v1/me/membership", headers=alice)).json()
    assert member["points"] == 2000 + 66  # 66 yuan paid earns 66 points
    assert member["progress"]["spend_12m_fen"] == 6600
    assert member["tier"]["name"] == "V2"  # 66 yuan reaches V2's 50
    history = (await shop.client.get("/api/v1/me/points", headers=alice)).json()["items"]
    assert [line["kind"] for line in history] == ["earn", "reserve", "adjust"]


async def test_an_unpaid_order_gives_back_its_points_and_coupon(shop: Shop, admin: Auth) -> None:
    bob = await shop.login("bob")
    await join(shop, bob)
    await give_points(shop, bob, 500)
    coupon = await claim(shop, bob, campaign_id=(await campaign(shop, admin))["id"])
    show = await shop.show()
    created = (await order(shop, bob, show.showtime_id, ["B-1"], coupon_id=coupon["id"], points=500)).json()
    assert await balance(shop, bob) == 0
    cancelled = await shop.client.post(f"/api/v1/orders/{created['id']}/cancel", headers=bob)
    assert cancelled.status_code == 200, cancelled.text
    assert await balance(shop, bob) == 500
    assert await coupon_state(shop, bob, coupon["id"]) == "available"
    history = (await shop.client.get("/api/v1/me/points", headers=bob)).json()["items"]
    assert [(line["kind"], line["points"]) for line in history[:2]] == [("return", 500), ("reserve", -500)]


async def test_a_refund_gives_back_points_and_coupon_and_takes_earned_points(shop: Shop, admin: Auth) -> None:
    carol = await shop.login("carol")
    await join(shop, carol)
    await give_points(shop, carol, 1000)
    coupon = await claim(shop, carol, campaign_id=(await campaign(shop, admin, return_on_refund=True))["id"])
    show = await shop.show()
    response = await order(shop, carol, show.showtime_id, ["C-1"], coupon_id=coupon["id"], points=1000)
    created = response.json()
    assert created["amount_fen"] == 4500 - 500 - 1000
    await shop.pay(carol, created["id"])
    await shop.wait_status(carol, created["id"], "ticketed")

    async def earned() -> bool:
        return await balance(shop, carol) == 30

    await wait_for(earned)
    refunded = await shop.client.post(f"/api/v1/orders/{created['id']}/refund", headers=carol | key())
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["refund"]["amount_fen"] == 3000
    assert await balance(shop, carol) == 1000  # 30 earned reversed, 1000 spent returned
    assert await coupon_state(shop, carol, coupon["id"]) == "available"
    member = (await shop.client.get("/api/v1/me/membership", headers=carol)).json()
    assert member["progress"]["spend_12m_fen"] == 0


async def test_refused_discounts_change_nothing(shop: Shop, admin: Auth) -> None:
    dave = await shop.login("dave")
    show = await shop.show()
    no_member = await order(shop, dave, show.showtime_id, ["D-1"], points=100)
    assert no_member.status_code == 409 and no_member.json()["error"]["code"] == "not_a_member"
    await join(shop, dave)
    await give_points(shop, dave, 5000)
    too_many = await order(shop, dave, show.showtime_id, ["D-3"], points=2300)  # over half of 4500
    assert too_many.status_code == 409
    assert too_many.json()["error"]["code"] == "points_over_cap"
    assert too_many.json()["error"]["details"]["max_points"] == 2250
    other_movie = await campaign(shop, admin, scope={"movie_ids": [show.movie_id + 1000]})
    coupon = await claim(shop, dave, campaign_id=other_movie["id"])
    wrong = await order(shop, dave, show.showtime_id, ["D-5"], coupon_id=coupon["id"], points=100)
    assert wrong.status_code == 409
    assert wrong.json()["error"]["details"]["why"] == "movie"
    assert await balance(shop, dave) == 5000
    assert await coupon_state(shop, dave, coupon["id"]) == "available"
    not_mine = await order(shop, dave, show.showtime_id, ["D-7"], coupon_id=999999)
    assert not_mine.status_code == 404


async def test_a_non_member_orders_at_list_price(shop: Shop) -> None:
    erin = await shop.login("erin")
    show = await shop.show()
    created = (await order(shop, erin, show.showtime_id, ["E-1"])).json()
    assert created["amount_fen"] == 4500
    assert created["price"]["member_discount_fen"] == 0
    membership = (await shop.client.get("/api/v1/me/membership", headers=erin)).json()
    assert membership == {
        "member": False, "tier": None, "points": 0, "next_tier": None, "progress": None, "joined_at": None,
        "free_exchanges_left": 0, "free_refunds_left": 0,
    }


async def test_a_quote_prices_my_hold_without_reserving(shop: Shop, admin: Auth) -> None:
    fay = await shop.login("fay")
    await join(shop, fay)
    await give_points(shop, fay, 5000)
    coupon = await claim(shop, fay, campaign_id=(await campaign(shop, admin, kind="percent", value=10))["id"])
    show = await shop.show()
    hold = await shop.hold(fay, show.showtime_id, ["A-4", "A-5"])
    response = await shop.client.post(
        f"/api/v1/holds/{hold['id']}/quote", json={"coupon_id": coupon["id"], "points": 100}, headers=fay
    )
    assert response.status_code == 200, response.text
    quoted = response.json()
    # 9000, 10% coupon: 8100; half of it in points at most: 4050
    assert quoted["price"]["coupon_fen"] == 900 and quoted["price"]["paid_fen"] == 8000
    assert quoted["max_points"] == 4050
    assert await balance(shop, fay) == 5000 and await coupon_state(shop, fay, coupon["id"]) == "available"
    someone_else = await shop.login("gus")
    refused = await shop.client.post(f"/api/v1/holds/{hold['id']}/quote", json={}, headers=someone_else)
    assert refused.status_code in (403, 404)


async def test_staff_adjust_points_by_hand_audited(shop: Shop, admin: Auth) -> None:
    hal = await shop.login("hal")
    await join(shop, hal)
    uid = await user_id(shop, hal)
    path = f"/api/v1/staff/members/{uid}/points"
    added = await shop.client.post(path, json={"points": 300, "note": "sorry for the noise"}, headers=admin)
    assert added.status_code == 200, added.text
    assert added.json()["membership"]["points"] == 300
    assert added.json()["recent"][0]["note"] == "sorry for the noise"
    too_much = await shop.client.post(path, json={"points": -301, "note": "typo"}, headers=admin)
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "points_insufficient"
    assert await balance(shop, hal) == 300
    trail = await shop.client.get("/api/v1/staff/audit?target_type=member", headers=admin)
    assert [entry["action"] for entry in trail.json()["items"]] == ["member.points"]
    nobody = await shop.client.post(
        "/api/v1/staff/members/999999/points", json={"points": 1, "note": "x"}, headers=admin
    )
    assert nobody.status_code == 404
