"""The box office net of discounts through the staff API: real checkouts with a member price, a
coupon and points, then the report's totals and each campaign's cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.loyalty.conftest import Auth, Shop, campaign, claim, give_points, join, key

TIERS = {"items": [{"level": 1, "name": "V1", "threshold_fen": 0, "discount_percent": 10}]}


async def bought(shop: Shop, auth: Auth, showtime_id: int, seats: list[str], **extra: Any) -> dict[str, Any]:
    hold = await shop.hold(auth, showtime_id, seats)
    body = {"hold_id": hold["id"]} | extra
    response = await shop.client.post("/api/v1/orders", json=body, headers=auth | key())
    assert response.status_code == 201, response.text
    await shop.pay(auth, response.json()["id"])
    return await shop.wait_status(auth, response.json()["id"], "ticketed")


async def test_the_report_nets_out_member_prices_coupons_and_points(shop: Shop, admin: Auth) -> None:
    assert (await shop.client.put("/api/v1/staff/member-tiers", json=TIERS, headers=admin)).status_code == 200
    alice, bob = await shop.login("alice"), await shop.login("bob")
    await join(shop, alice)
    await give_points(shop, alice, 2000)
    made = await campaign(shop, admin, name="Premiere 5 off", kind="amount", value=500)
    coupon = await claim(shop, alice, campaign_id=made["id"])
    show = await shop.show()
    # alice: 2 x 4500 = 9000, V1 10% off: 8100, coupon 500: 7600, 1000 points: 6600 paid
    await bought(shop, alice, show.showtime_id, ["A-1", "A-2"], coupon_id=coupon["id"], points=1000)
    await bought(shop, bob, show.showtime_id, ["C-4"])  # a non-member at list price

    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    period = {"start": str(today - timedelta(days=1)), "end": str(today + timedelta(days=30))}
    response = await shop.client.get("/api/v1/staff/boxoffice/discounts", params=period, headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body | {"replica_lag_s": None} == {
        "start": period["start"],
        "end": period["end"],
        "orders": 2,
        "list_fen": 13500,
        "member_discount_fen": 900,
        "coupon_fen": 500,
        "points_fen": 1000,
        "points_used": 1000,
        "net_fen": 11100,
        "campaigns": [
            {
                "campaign_id": made["id"],
                "name": "Premiere 5 off",
                "kind": "amount",
                "redemptions": 1,
                "cost_fen": 500,
            }
        ],
        "replica_lag_s": None,
    }
    # The box office's own revenue counts the list prices of the same tickets.
    summary = await shop.client.get("/api/v1/staff/boxoffice/summary", params=period, headers=admin)
    assert summary.json()["totals"]["revenue_fen"] == body["list_fen"]
    outside = {"start": str(today - timedelta(days=9)), "end": str(today - timedelta(days=2))}
    empty = (await shop.client.get("/api/v1/staff/boxoffice/discounts", params=outside, headers=admin)).json()
    assert (empty["orders"], empty["net_fen"], empty["campaigns"]) == (0, 0, [])
    moviegoer = await shop.client.get("/api/v1/staff/boxoffice/discounts", params=period, headers=alice)
    assert moviegoer.status_code == 403
