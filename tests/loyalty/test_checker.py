"""``seatcore check`` on invariants 9 and 10: clean after real checkouts, and each kind of
corruption reported."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, update

from seatcore.checker.report import Report
from seatcore.checker.runner import check_deployment
from seatcore.db.schema import coupon_campaigns, coupons, member_free_uses, members, order_discounts
from seatcore.store._time import utcnow
from tests.loyalty.conftest import Auth, Shop, campaign, claim, give_points, join, key, rt, user_id


async def check(shop: Shop, settle_s: float = 0.0) -> Report:
    runtime = rt(shop)
    return await check_deployment(
        runtime.redis, runtime.db, max_life_ms=runtime.settings.hold_max_life_s * 1000, settle_s=settle_s
    )


async def checkout(shop: Shop, admin: Auth) -> tuple[Auth, dict[str, int]]:
    alice = await shop.login("alice")
    await join(shop, alice)
    await give_points(shop, alice, 2000)
    made = await campaign(shop, admin, stock=3, per_user_limit=1)
    coupon = await claim(shop, alice, campaign_id=made["id"])
    show = await shop.show()
    hold = await shop.hold(alice, show.showtime_id, ["A-1"])
    response = await shop.client.post(
        "/api/v1/orders",
        json={"hold_id": hold["id"], "coupon_id": coupon["id"], "points": 1000},
        headers=alice | key(),
    )
    assert response.status_code == 201, response.text
    await shop.pay(alice, response.json()["id"])
    await shop.wait_status(alice, response.json()["id"], "ticketed")
    return alice, {"campaign": made["id"], "coupon": coupon["id"]}


async def test_real_checkouts_pass(shop: Shop, admin: Auth) -> None:
    await checkout(shop, admin)
    report = await check(shop, settle_s=5)  # the writer may still be landing the order
    assert report.ok, report.table()
    counts = {result.key: result.checked for result in report.results}
    assert counts["points"] == 1 and counts["coupons"] == 1


async def test_a_balance_off_its_ledger_is_reported(shop: Shop, admin: Auth) -> None:
    alice, _ids = await checkout(shop, admin)
    uid = await user_id(shop, alice)
    async with rt(shop).db.begin() as conn:
        await conn.execute(update(members).where(members.c.user_id == uid).values(points=-5))
    violations = (await check(shop)).violations("points")
    assert any("ledger sums to" in line for line in violations)
    assert any("negative balance -5" in line for line in violations)


async def test_coupons_past_stock_limit_or_on_two_orders_are_reported(shop: Shop, admin: Auth) -> None:
    alice, ids = await checkout(shop, admin)
    uid = await user_id(shop, alice)
    now = utcnow()
    async with rt(shop).db.begin() as conn:
        await conn.execute(
            update(coupon_campaigns).where(coupon_campaigns.c.id == ids["campaign"]).values(issued=4)
        )
        await conn.execute(
            insert(coupons).values(
                campaign_id=ids["campaign"], user_id=uid, claim_no=2, state="available", created_at=now
            )
        )
        await conn.execute(
            insert(order_discounts).values(
                order_id="1-fake", user_id=uid, points=0, coupon_id=ids["coupon"], state="committed",
                created_at=now, updated_at=now,
            )
        )
    violations = (await check(shop)).violations("coupons")
    assert f"campaign {ids['campaign']}: stock 3, handed out 4, held 2" in violations
    assert f"campaign {ids['campaign']}: user {uid} holds 2, limit 1" in violations
    assert f"coupon {ids['coupon']} is on 2 orders" in violations


async def test_discounts_left_reserved_or_kept_after_a_refund_are_reported(shop: Shop, admin: Auth) -> None:
    alice, ids = await checkout(shop, admin)
    report = await check(shop, settle_s=5)
    assert report.ok, report.table()
    long_ago = utcnow() - timedelta(days=1)
    async with rt(shop).db.begin() as conn:
        await conn.execute(
            insert(order_discounts).values(
                order_id="1-stale", user_id=await user_id(shop, alice), points=10, coupon_id=None,
                state="reserved", created_at=long_ago, updated_at=long_ago,
            )
        )
        await conn.execute(update(order_discounts).where(order_discounts.c.order_id != "1-stale").values(
            state="reserved"
        ))
    violations = (await check(shop)).violations("discounts")
    assert any("1-stale: points or coupon still reserved" in line for line in violations)
    assert any(f"coupon {ids['coupon']}: used, but order" in line for line in violations)


async def test_free_uses_beyond_the_quota_are_reported(shop: Shop) -> None:
    now = utcnow()
    async with rt(shop).db.begin() as conn:
        for slot in (1, 2):
            await conn.execute(
                insert(member_free_uses).values(
                    user_id=7, kind="refund", month="2026-12", slot=slot, quota=1,
                    order_id=f"1-free{slot}", created_at=now,
                )
            )
    violations = (await check(shop)).violations("free_uses")
    assert "member 7: 2 free refunds in 2026-12, quota 1" in violations
    assert "order 1-free1: a free refund without its refund" in violations
