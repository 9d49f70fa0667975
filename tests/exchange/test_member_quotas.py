"""Members' monthly free refunds and exchanges: the fee waived while the tier's quota lasts, the
quota shown in the membership, the quote and the exchange, and the race on the last free refund
with its control."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from seatcore.db.schema import member_free_uses, members
from seatcore.settings import Settings
from seatcore.store import quotas
from seatcore.store._time import utcnow
from tests.exchange.conftest import Auth, LiveShop, Shop, another_showtime, set_policy, ticketed
from tests.loyalty.test_races import Gate
from tests.orders.conftest import key, runtime_of

TIERS = [{"until_before_min": 24 * 60, "fee_percent": 0}, {"until_before_min": 30, "fee_percent": 20}]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One moviegoer holds seats on many showtimes at once."""
    return settings.model_copy(update={"max_live_holds_per_user": 20})


async def member_at(shop: Shop, auth: Auth, level: int) -> int:
    """Join and move to ``level`` of the default tiers (V2: 1 free exchange; V3: 1 free refund;
    V5: 3 free exchanges and 2 free refunds a month). After the orders are ticketed: a landed
    order recomputes the tier from the spend."""
    assert (await shop.client.post("/api/v1/me/membership", headers=auth)).status_code == 201
    uid = int(runtime_of(shop.app).tokens.verify(auth["Authorization"].removeprefix("Bearer ")).id)
    async with runtime_of(shop.app).db.begin() as conn:
        await conn.execute(update(members).where(members.c.user_id == uid).values(level=level))
    return uid


async def membership(shop: Shop, auth: Auth) -> dict[str, Any]:
    response = await shop.client.get("/api/v1/me/membership", headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def refund_quote(shop: Shop, auth: Auth, order_id: str) -> dict[str, Any]:
    response = await shop.client.get(f"/api/v1/orders/{order_id}/refund-quote", headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_month_is_the_cinemas() -> None:
    late_on_the_30th = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 1 December, 01:00 in Shanghai
    assert quotas.month_of(late_on_the_30th, "Asia/Shanghai") == "2026-12"
    assert quotas.month_of(late_on_the_30th, "Europe/London") == "2026-11"


async def test_a_free_refund_waives_the_fee_until_the_quota_is_used(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    show = await shop.show(starts_in=timedelta(minutes=60))
    await set_policy(runtime_of(shop.app).db, show.cinema_id, tiers=TIERS)
    first = await ticketed(shop, alice, show.showtime_id, ["A-1"])
    second = await ticketed(shop, alice, show.showtime_id, ["A-2"])
    await member_at(shop, alice, 3)
    assert (await membership(shop, alice))["free_refunds_left"] == 1

    quote = await refund_quote(shop, alice, first["id"])
    assert (quote["fee_fen"], quote["refund_fen"], quote["free_refund"], quote["free_refunds_left"]) == (
        0, 4500, True, 1,
    )
    refunded = await shop.client.post(f"/api/v1/orders/{first['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["refund"]["amount_fen"] == 4500
    sent = shop.fake.refunds[f"{first['id']}-R"]["amount"]
    assert (sent["refund"], sent["total"]) == (4500, 4500)
    assert (await membership(shop, alice))["free_refunds_left"] == 0

    quote = await refund_quote(shop, alice, second["id"])  # the quota is used: the fee applies
    assert (quote["fee_fen"], quote["refund_fen"], quote["free_refund"], quote["free_refunds_left"]) == (
        900, 3600, False, 0,
    )
    refunded = await shop.client.post(f"/api/v1/orders/{second['id']}/refund", headers=alice | key())
    assert refunded.json()["refund"]["amount_fen"] == 3600


async def test_no_free_refund_is_spent_without_a_fee_nor_by_non_members(shop: Shop) -> None:
    alice, bob = await shop.login("alice"), await shop.login("bob")
    show = await shop.show(starts_in=timedelta(days=3))  # the free tier: no fee to waive
    await set_policy(runtime_of(shop.app).db, show.cinema_id, tiers=TIERS)
    order = await ticketed(shop, alice, show.showtime_id, ["A-1"])
    uid = await member_at(shop, alice, 3)
    quote = await refund_quote(shop, alice, order["id"])
    assert (quote["fee_fen"], quote["free_refund"], quote["free_refunds_left"]) == (0, False, 1)
    refunded = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200
    assert await uses_of(shop, uid) == 0

    late = await shop.show(starts_in=timedelta(minutes=60))
    await set_policy(runtime_of(shop.app).db, late.cinema_id, tiers=TIERS)
    theirs = await ticketed(shop, bob, late.showtime_id, ["A-1"])
    quote = await refund_quote(shop, bob, theirs["id"])
    assert (quote["fee_fen"], quote["free_refund"], quote["free_refunds_left"]) == (900, False, 0)
    assert (await membership(shop, bob))["free_refunds_left"] == 0


# ------------------------------------------------------------------------ the race on the last one


async def refund_race(shop: Shop, *, then: Callable[[], None] = lambda: None) -> tuple[Counter[str], int]:
    """A V5 member (2 free refunds a month) refunds 6 orders at once, each quoted free."""
    alice = await shop.login("alice")
    orders = []
    for _ in range(6):
        show = await shop.show(starts_in=timedelta(minutes=60))
        await set_policy(runtime_of(shop.app).db, show.cinema_id, tiers=TIERS)
        orders.append(await ticketed(shop, alice, show.showtime_id, ["A-1"]))
    uid = await member_at(shop, alice, 5)
    for order in orders:
        assert (await refund_quote(shop, alice, order["id"]))["free_refund"] is True

    async def refund(order: dict[str, Any]) -> str:
        response = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
        if response.status_code != 200:
            return str(response.json()["error"]["code"])
        # One that came after the last free one was used quotes again, and pays the fee.
        return "refunded free" if response.json()["refund"]["amount_fen"] == 4500 else "refunded with fee"

    then()
    return Counter(await asyncio.gather(*(refund(order) for order in orders))), uid


async def uses_of(shop: Shop, uid: int) -> int:
    async with runtime_of(shop.app).db.connect() as conn:
        counted = await conn.execute(
            select(func.count()).where(member_free_uses.c.user_id == uid, member_free_uses.c.kind == "refund")
        )
    return int(counted.scalar_one())


async def test_parallel_refunds_spend_only_the_free_refunds_there_are(shop: Shop) -> None:
    outcomes, uid = await refund_race(shop)
    assert outcomes["refunded free"] == 2
    assert outcomes["free_refund_used"] + outcomes["refunded with fee"] == 4
    assert await uses_of(shop, uid) == 2


async def test_control_without_the_slot_key_the_quota_is_overspent(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(6)
    numbers = iter(range(1000, 2000))

    async def naive_take(
        conn: AsyncConnection, user_id: int, kind: quotas.Kind, month: str, order_id: str
    ) -> bool:
        """The read-check-write the slot key replaces: count the month's uses, decide, write."""
        tier = await quotas.member_tier(conn, user_id)
        used = await quotas.used(conn, user_id, kind, month)
        await gate.passed()
        if tier is None or used >= quotas.quota(tier, kind):
            return False
        await conn.execute(
            insert(member_free_uses).values(
                user_id=user_id, kind=kind, month=month, slot=next(numbers), quota=quotas.quota(tier, kind),
                order_id=order_id, created_at=utcnow(),
            )
        )
        return True

    outcomes, uid = await refund_race(shop, then=lambda: monkeypatch.setattr(quotas, "take", naive_take))
    assert outcomes["refunded free"] > 2
    assert await uses_of(shop, uid) > 2


# --------------------------------------------------------------------------------- exchanges


async def test_a_free_exchange_waives_the_exchange_fee(shop: Shop) -> None:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    await set_policy(db, first.cinema_id, tiers=TIERS, exchange_fee_fen=300)
    second = await another_showtime(db, first)
    third = await another_showtime(db, first, starts_in=timedelta(days=3))
    one = await ticketed(shop, alice, first.showtime_id, ["A-1"])
    two = await ticketed(shop, alice, first.showtime_id, ["A-2"])
    await member_at(shop, alice, 2)
    assert (await membership(shop, alice))["free_exchanges_left"] == 1

    hold = await shop.hold(alice, second, ["C-4"])
    moved = await shop.client.post(
        f"/api/v1/orders/{one['id']}/exchange", json={"hold_id": hold["id"]}, headers=alice | key()
    )
    assert moved.status_code == 200, moved.text
    ex = moved.json()["exchange"]
    # She bought at the list price and is a member now: the new seat is at her member price (V2's
    # discount), and the difference comes back; no fee.
    assert (ex["fee_fen"], ex["pay_fen"], ex["refund_fen"]) == (0, 0, 90)
    assert (ex["free_exchange"], ex["free_exchanges_left"]) == (True, 0)
    hold = await shop.hold(alice, third, ["C-4"])
    paying = await shop.client.post(
        f"/api/v1/orders/{two['id']}/exchange", json={"hold_id": hold["id"]}, headers=alice | key()
    )
    assert paying.status_code == 202, paying.text  # the fee is due: a second payment
    ex = paying.json()["exchange"]
    assert (ex["fee_fen"], ex["pay_fen"]) == (300, 300 - 90)  # the fee, less her member discount
    assert (ex["free_exchange"], ex["free_exchanges_left"]) == (False, 0)
