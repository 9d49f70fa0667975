"""Refunds under a cinema's fee tiers: the quote, the partial refund sent to WeChat Pay (the fake
records the amount and the total), premieres, staff refunds in full, and the staff policy API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from seatcore.auth.principal import Principal
from seatcore.db.schema import audit_log
from seatcore.store import users
from tests.exchange.conftest import LiveShop, Shop, set_policy, ticketed
from tests.exchange.test_member_quotas import member_at
from tests.factories import make_movie
from tests.orders.conftest import key, runtime_of

TIERS = [
    {"until_before_min": 24 * 60, "fee_percent": 0},
    {"until_before_min": 120, "fee_percent": 10},
    {"until_before_min": 30, "fee_percent": 20},
]


@pytest.mark.parametrize(
    ("starts_in", "fee_percent", "back_fen"),
    [(timedelta(days=3), 0, 9000), (timedelta(hours=5), 10, 8100), (timedelta(minutes=60), 20, 7200)],
)
async def test_each_tier_refunds_its_share_through_wechatpay(
    live_shop: LiveShop, starts_in: timedelta, fee_percent: int, back_fen: int
) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    show = await shop.show(starts_in=starts_in)
    await set_policy(runtime_of(shop.app).db, show.cinema_id, tiers=TIERS)
    order = await ticketed(shop, alice, show.showtime_id, ["A-1", "A-2"])

    quote = await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=alice)
    assert quote.status_code == 200, quote.text
    assert quote.json() | {"deadline": None} == {
        "order_id": order["id"],
        "refundable": True,
        "refusal": None,
        "paid_fen": 9000,
        "fee_percent": fee_percent,
        "fee_fen": 9000 - back_fen,
        "refund_fen": back_fen,
        "deadline": None,
        "free_refund": False,
        "free_refunds_left": 0,
        "points_back": 0,
        "coupon_back": False,
    }
    refunded = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["status"] == "refunded" and refunded.json()["refund"]["amount_fen"] == back_fen
    sent = shop.fake.refunds[f"{order['id']}-R"]["amount"]
    assert (sent["refund"], sent["total"]) == (back_fen, 9000)  # the fee stays with the cinema
    states = await shop.states(show.showtime_id)
    assert states["A-1"] == states["A-2"] == "free"


async def test_after_the_last_tier_nothing_is_refunded(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    show = await shop.show(starts_in=timedelta(minutes=20))
    await set_policy(runtime_of(shop.app).db, show.cinema_id, tiers=TIERS)
    order = await ticketed(shop, alice, show.showtime_id, ["A-1"])
    quote = (await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=alice)).json()
    assert quote["refundable"] is False and quote["refusal"] == "refund_closed" and quote["refund_fen"] == 0
    refused = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "refund_closed"
    assert not shop.fake.refunds


async def test_staff_refunds_stay_full_whatever_the_tier(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    show = await shop.show(starts_in=timedelta(minutes=60))
    await set_policy(runtime_of(shop.app).db, show.cinema_id, tiers=TIERS)
    order = await ticketed(shop, alice, show.showtime_id, ["A-1", "A-2"])
    refunded = await shop.orders.refund_by_staff(str(order["id"]), created_by="staff:ops")
    assert refunded.refund is not None and refunded.refund.amount_fen == 9000
    sent = shop.fake.refunds[f"{order['id']}-R"]["amount"]
    assert (sent["refund"], sent["total"]) == (9000, 9000)


async def test_premieres_can_refuse_refunds(shop: Shop) -> None:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    starts_in = timedelta(days=1)
    opening = (datetime.now(UTC) + starts_in).astimezone(ZoneInfo("Asia/Shanghai")).date()
    movie_id = await make_movie(db, release_date=datetime(opening.year, opening.month, opening.day))
    show = await shop.show(starts_in=starts_in, movie_id=movie_id)
    await set_policy(db, show.cinema_id, tiers=TIERS, refuse_premieres=True)
    order = await ticketed(shop, alice, show.showtime_id, ["A-1"])
    quote = (await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=alice)).json()
    assert quote["refusal"] == "refund_premiere"
    refused = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "refund_premiere"


async def test_without_a_policy_the_refund_is_whole_until_the_deadline(shop: Shop) -> None:
    alice = await shop.login("alice")
    show = await shop.show(starts_in=timedelta(hours=1))
    order = await ticketed(shop, alice, show.showtime_id, ["A-1"])
    quote = (await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=alice)).json()
    assert (quote["refundable"], quote["fee_fen"], quote["refund_fen"]) == (True, 0, 4500)
    bob = await shop.login("bob")
    stranger = await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=bob)
    assert stranger.status_code == 404


async def test_staff_read_and_set_their_cinemas_policy(shop: Shop) -> None:
    runtime = runtime_of(shop.app)
    mine = await shop.show()
    theirs = await shop.show()

    async def staff(name: str, cinema_id: int) -> dict[str, str]:
        staff_id = await users.create_staff(runtime.db, name, "not-a-password-hash", "staff", (cinema_id,))
        token = runtime.tokens.issue(Principal(kind="staff", id=staff_id, role="staff"))
        return {"Authorization": f"Bearer {token}"}

    anna = await staff("anna", mine.cinema_id)
    url = f"/api/v1/staff/cinemas/{mine.cinema_id}/refund-policy"
    default = await shop.client.get(url, headers=anna)
    assert default.status_code == 200 and default.json()["custom"] is False
    assert default.json()["tiers"] == [{"until_before_min": 30, "fee_percent": 0}]

    document = {"tiers": TIERS, "exchange_fee_fen": 500, "exchange_until_before_min": 60}
    stored = await shop.client.put(url, json=document, headers=anna)
    assert stored.status_code == 200, stored.text
    assert stored.json()["custom"] is True and stored.json()["exchange_fee_fen"] == 500
    assert (await shop.client.get(url, headers=anna)).json() == stored.json()
    async with runtime.db.connect() as conn:
        actions = [row.action for row in await conn.execute(select(audit_log.c.action))]
    assert actions == ["cinema.refund_policy"]

    bad = await shop.client.put(
        url, json={"tiers": [{"until_before_min": 30, "fee_percent": 120}]}, headers=anna
    )
    assert bad.status_code == 422
    other = f"/api/v1/staff/cinemas/{theirs.cinema_id}/refund-policy"
    assert (await shop.client.put(other, json=document, headers=anna)).status_code == 404
    moviegoer = await shop.login("mia")
    assert (await shop.client.get(url, headers=moviegoer)).status_code == 403


async def test_a_members_free_refund_waives_the_fee_not_the_deadline(shop: Shop) -> None:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    show = await shop.show(starts_in=timedelta(minutes=60))
    await set_policy(db, show.cinema_id, tiers=TIERS)
    order = await ticketed(shop, alice, show.showtime_id, ["A-1"])
    late = await shop.show(starts_in=timedelta(minutes=20))
    await set_policy(db, late.cinema_id, tiers=TIERS)
    closed = await ticketed(shop, alice, late.showtime_id, ["A-1"])
    await member_at(shop, alice, 3)  # V3: one free refund a month
    quote = (await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=alice)).json()
    assert (quote["fee_fen"], quote["refund_fen"], quote["free_refund"]) == (0, 4500, True)
    quote = (await shop.client.get(f"/api/v1/orders/{closed['id']}/refund-quote", headers=alice)).json()
    assert quote["refusal"] == "refund_closed" and quote["free_refund"] is False


async def test_the_sandbox_takes_a_partial_refund_too(shop: Shop) -> None:
    alice = await shop.login("alice")
    show = await shop.show(starts_in=timedelta(hours=5))
    await set_policy(runtime_of(shop.app).db, show.cinema_id, tiers=TIERS)
    order = await ticketed(shop, alice, show.showtime_id, ["A-1", "A-2"])
    refunded = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["refund"] | {"reason_text": ""} == {
        "status": "succeeded",
        "amount_fen": 8100,
        "reason": "requested",
        "reason_text": "",
    }
