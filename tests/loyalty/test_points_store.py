"""The points ledger in MySQL: expiry oldest first, and the sweep that settles reservations an
interrupted order left behind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from seatcore.db.schema import order_discounts
from seatcore.domain.points import EarnRule, earned, to_expire
from seatcore.loyalty.sweep import settle_stale
from seatcore.orders.ids import new_order_id
from seatcore.store import loyalty
from seatcore.store._time import utcnow
from tests.loyalty.conftest import Shop, balance, give_points, join, rt, user_id


def test_earned_points_are_whole_yuan_times_the_rate() -> None:
    assert earned(EarnRule(points_per_yuan=1), 6699) == 66
    assert earned(EarnRule(points_per_yuan=3), 99) == 0


def test_what_expires_is_what_the_due_lots_hold_beyond_what_was_taken() -> None:
    assert to_expire(lots_due=100, taken=30) == 70
    assert to_expire(lots_due=100, taken=130) == 0


async def test_points_expire_oldest_first(shop: Shop) -> None:
    alice = await shop.login("alice")
    await join(shop, alice)
    uid = await user_id(shop, alice)
    now = utcnow()
    async with rt(shop).db.begin() as conn:
        # 300 due yesterday, 500 due next month; 200 spent since: 100 of the old lot expires
        assert await loyalty.change_points(conn, uid, 300, "adjust", expires_at=now - timedelta(days=1))
        assert await loyalty.change_points(conn, uid, 500, "adjust", expires_at=now + timedelta(days=30))
        assert await loyalty.change_points(conn, uid, -200, "adjust")
    assert await balance(shop, alice) == 500
    history = (await shop.client.get("/api/v1/me/points", headers=alice)).json()["items"]
    assert (history[0]["kind"], history[0]["points"]) == ("expire", -100)
    assert await loyalty.expire_due(rt(shop).db, uid, utcnow()) == 0  # once
    assert await loyalty.expire_due(rt(shop).db, uid, now + timedelta(days=31)) == 500


async def test_the_sweep_gives_back_what_an_order_never_made_reserved(shop: Shop) -> None:
    bob = await shop.login("bob")
    await join(shop, bob)
    await give_points(shop, bob, 800)
    uid = await user_id(shop, bob)
    await loyalty.reserve(rt(shop).db, new_order_id(9), uid, 800, None)  # then the process died
    assert await balance(shop, bob) == 0
    assert await settle_stale(shop.orders) == 0  # too young: its order may still be paid
    async with rt(shop).db.begin() as conn:
        await conn.execute(update(order_discounts).values(created_at=utcnow() - timedelta(hours=2)))
    assert await settle_stale(shop.orders) == 1
    assert await balance(shop, bob) == 800
    assert await settle_stale(shop.orders) == 0  # settled once
