"""A showtime's own rules for members, through the API: its general on-sale moment, before which
only members whose tier books early may hold (409 ``sales_not_open`` for the others, with when it
opens to them), and its override of the tiers' member prices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.loyalty.conftest import Auth, Shop, join, key

TIERS = {
    "items": [
        {"level": 1, "name": "V1", "threshold_fen": 0, "discount_percent": 10, "early_booking_hours": 12},
        {"level": 2, "name": "V2", "threshold_fen": 500_000, "discount_percent": 20},
    ]
}


async def set_tiers(shop: Shop, admin: Auth) -> None:
    response = await shop.client.put("/api/v1/staff/member-tiers", json=TIERS, headers=admin)
    assert response.status_code == 200, response.text


async def patch(shop: Shop, admin: Auth, showtime_id: int, **body: Any) -> dict[str, Any]:
    response = await shop.client.patch(f"/api/v1/staff/showtimes/{showtime_id}", json=body, headers=admin)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def try_hold(shop: Shop, auth: Auth, showtime_id: int, seats: list[str]) -> Any:
    url = f"/api/v1/showtimes/{showtime_id}/holds"
    return await shop.client.post(url, json={"seats": seats}, headers=auth)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_before_the_on_sale_moment_only_early_tiers_hold(shop: Shop, admin: Auth) -> None:
    await set_tiers(shop, admin)
    show = await shop.show(starts_in=timedelta(days=3))
    on_sale_at = (datetime.now(UTC) + timedelta(hours=6)).replace(microsecond=0)
    staff_view = await patch(shop, admin, show.showtime_id, on_sale_at=on_sale_at.isoformat())
    assert moment(staff_view["on_sale_at"]) == on_sale_at

    fan, member = await shop.login("fan"), await shop.login("member")
    await join(shop, member)
    refused = await try_hold(shop, fan, show.showtime_id, ["A-1"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "sales_not_open"
    assert moment(refused.json()["error"]["details"]["opens_at"]) == on_sale_at
    held = await try_hold(shop, member, show.showtime_id, ["A-1"])  # V1 books 12 h early
    assert held.status_code == 201, held.text

    public = (await shop.client.get(f"/api/v1/showtimes/{show.showtime_id}", headers=fan)).json()
    assert moment(public["on_sale_at"]) == moment(public["bookable_from"]) == on_sale_at
    mine = (await shop.client.get(f"/api/v1/showtimes/{show.showtime_id}", headers=member)).json()
    assert moment(mine["bookable_from"]) == on_sale_at - timedelta(hours=12)
    anyone = (await shop.client.get(f"/api/v1/showtimes/{show.showtime_id}")).json()
    assert moment(anyone["bookable_from"]) == on_sale_at

    later = on_sale_at + timedelta(hours=10)  # beyond the member's 12 hours too
    await patch(shop, admin, show.showtime_id, on_sale_at=later.isoformat())
    too_early = await try_hold(shop, member, show.showtime_id, ["A-4"])
    assert too_early.status_code == 409 and too_early.json()["error"]["code"] == "sales_not_open"
    assert moment(too_early.json()["error"]["details"]["opens_at"]) == later - timedelta(hours=12)

    cleared = await patch(shop, admin, show.showtime_id, on_sale_at=None)  # on sale at once
    assert cleared["on_sale_at"] is None
    assert (await try_hold(shop, fan, show.showtime_id, ["A-4"])).status_code == 201


async def test_a_past_on_sale_moment_refuses_nobody(shop: Shop, admin: Auth) -> None:
    show = await shop.show(starts_in=timedelta(days=3))
    a_minute_ago = datetime.now(UTC) - timedelta(minutes=1)
    await patch(shop, admin, show.showtime_id, on_sale_at=a_minute_ago.isoformat())
    fan = await shop.login("fan")
    assert (await try_hold(shop, fan, show.showtime_id, ["A-1"])).status_code == 201


async def test_a_showtime_overrides_the_member_prices(shop: Shop, admin: Auth) -> None:
    await set_tiers(shop, admin)
    member = await shop.login("member")
    await join(shop, member)
    show = await shop.show(starts_in=timedelta(days=3))

    async def paid_for(seat: str) -> dict[str, int]:
        hold = await shop.hold(member, show.showtime_id, [seat])
        response = await shop.client.post(f"/api/v1/holds/{hold['id']}/quote", json={}, headers=member)
        assert response.status_code == 200, response.text
        await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=member)
        price: dict[str, int] = response.json()["price"]
        return price

    assert (await paid_for("A-1"))["paid_fen"] == 4050  # the tier's 10% off 4500
    premiere = await patch(shop, admin, show.showtime_id, member_prices={"*": {}})
    assert premiere["member_prices"] == {"*": {"discount_percent": 0, "zone_prices": {}}}
    assert (await paid_for("A-1")) | {"points_used": 0} == {
        "list_fen": 4500, "member_discount_fen": 0, "coupon_fen": 0, "points_fen": 0, "points_used": 0,
        "snacks_fen": 0, "paid_fen": 4500,
    }
    await patch(shop, admin, show.showtime_id, member_prices={"1": {"zone_prices": {"standard": 3000}}})
    assert (await paid_for("A-1"))["paid_fen"] == 3000
    hold = await shop.hold(member, show.showtime_id, ["A-1"])
    made = await shop.client.post("/api/v1/orders", json={"hold_id": hold["id"]}, headers=member | key())
    assert made.status_code == 201 and made.json()["amount_fen"] == 3000  # the order is priced the same

    bad = await shop.client.patch(
        f"/api/v1/staff/showtimes/{show.showtime_id}",
        json={"member_prices": {"gold": {}, "1": {"zone_prices": {"vip": 100}}}},
        headers=admin,
    )
    assert bad.status_code == 422
    cleared = await patch(shop, admin, show.showtime_id, member_prices=None)
    assert cleared["member_prices"] is None
