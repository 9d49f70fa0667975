"""Invariants 9 and 10 under concurrency, each race with its control.

Each race lets many requests fight at once and checks that exactly the affordable number win;
each control swaps one guard for the naive read-check-write it replaces and shows that the same
race then lets too many through, so the race test would catch a broken guard.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from seatcore.db.schema import coupon_campaigns, coupons, members, points_ledger
from seatcore.settings import Settings
from seatcore.store import coupons as coupon_store
from seatcore.store import loyalty as loyalty_store
from seatcore.store._time import utcnow
from tests.loyalty.conftest import Auth, Shop, campaign, claim, give_points, join, key, rt, user_id

GATE_WAIT_S = 2.0


class Gate:
    """Holds each naive contender between its read and its write until all of them have read, as
    a busy server may; at most GATE_WAIT_S, since not every contender need get that far."""

    def __init__(self, parties: int) -> None:
        self.barrier = asyncio.Barrier(parties)

    async def passed(self) -> None:
        with contextlib.suppress(TimeoutError, asyncio.BrokenBarrierError):
            await asyncio.wait_for(self.barrier.wait(), GATE_WAIT_S)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One moviegoer holds seats on many showtimes at once."""
    return settings.model_copy(update={"max_live_holds_per_user": 20})


async def ledger_sum(shop: Shop, uid: int) -> tuple[int, int]:
    async with rt(shop).db.connect() as conn:
        total = (
            await conn.execute(
                select(func.coalesce(func.sum(points_ledger.c.points), 0))
                .where(points_ledger.c.user_id == uid)
            )
        ).scalar_one()
        kept = (await conn.execute(select(members.c.points).where(members.c.user_id == uid))).scalar_one()
    return int(total), int(kept)


# ------------------------------------------------------------------------------- points (inv. 9)


async def spend_race(
    shop: Shop, orders: int, points_each: int, balance_before: int, *, then: Callable[[], None] = lambda: None
) -> tuple[Counter[str], int]:
    """One member's ``orders`` parallel orders, each spending ``points_each``: the answers' codes
    and the member's id. ``then`` runs when everything is ready, just before the race."""
    alice = await shop.login("alice")
    await join(shop, alice)
    await give_points(shop, alice, balance_before)
    holds = []
    for _ in range(orders):
        show = await shop.show()
        holds.append(await shop.hold(alice, show.showtime_id, ["A-1"]))

    async def create(hold: dict[str, Any]) -> str:
        response = await shop.client.post(
            "/api/v1/orders", json={"hold_id": hold["id"], "points": points_each}, headers=alice | key()
        )
        return "created" if response.status_code == 201 else response.json()["error"]["code"]

    then()
    outcomes = Counter(await asyncio.gather(*(create(hold) for hold in holds)))
    return outcomes, await user_id(shop, alice)


async def test_parallel_orders_spend_only_the_points_there_are(shop: Shop) -> None:
    outcomes, uid = await spend_race(shop, orders=8, points_each=1000, balance_before=3000)
    assert outcomes == Counter({"created": 3, "points_insufficient": 5})
    total, kept = await ledger_sum(shop, uid)
    assert total == kept == 0


def unguarded_change_points(gate: Gate) -> Callable[..., Any]:
    async def change_points(conn: AsyncConnection, user_id: int, delta: int, kind: str, **row: Any) -> bool:
        """The naive guard: read the balance, decide, write."""
        read = await conn.execute(select(members.c.points).where(members.c.user_id == user_id))
        points = read.scalar_one()
        await gate.passed()
        if points + delta < 0:
            return False
        await conn.execute(
            update(members).where(members.c.user_id == user_id).values(points=members.c.points + delta)
        )
        await conn.execute(
            insert(points_ledger).values(user_id=user_id, kind=kind, points=delta, created_at=utcnow(), **row)
        )
        return True

    return change_points


async def test_control_without_the_guard_the_balance_goes_below_zero(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    def break_the_guard() -> None:
        monkeypatch.setattr(loyalty_store, "change_points", unguarded_change_points(Gate(8)))

    outcomes, uid = await spend_race(
        shop, orders=8, points_each=1000, balance_before=3000, then=break_the_guard
    )
    assert outcomes["created"] > 3
    _total, kept = await ledger_sum(shop, uid)
    assert kept < 0


# ------------------------------------------------------------------------------ coupons (inv. 10)


async def issued_and_held(shop: Shop, campaign_id: int) -> tuple[int, int]:
    async with rt(shop).db.connect() as conn:
        issued = (
            await conn.execute(select(coupon_campaigns.c.issued).where(coupon_campaigns.c.id == campaign_id))
        ).scalar_one()
        held = (
            await conn.execute(
                select(func.count())
                .where(coupons.c.campaign_id == campaign_id, coupons.c.user_id.is_not(None))
            )
        ).scalar_one()
    return int(issued), int(held)


async def claim_race(shop: Shop, auths: list[Auth], body: dict[str, Any]) -> Counter[str]:
    async def one(auth: Auth) -> str:
        response = await shop.client.post("/api/v1/coupons/claim", json=body, headers=auth)
        return "claimed" if response.status_code == 201 else response.json()["error"]["code"]

    return Counter(await asyncio.gather(*(one(auth) for auth in auths)))


async def stock_race(shop: Shop, admin: Auth) -> tuple[Counter[str], int]:
    made = await campaign(shop, admin, stock=5, per_user_limit=1)
    fans = [await shop.login(f"fan{n}") for n in range(12)]
    return await claim_race(shop, fans, {"campaign_id": made["id"]}), made["id"]


async def test_claims_stop_at_the_stock(shop: Shop, admin: Auth) -> None:
    outcomes, campaign_id = await stock_race(shop, admin)
    assert outcomes == Counter({"claimed": 5, "out_of_stock": 7})
    assert await issued_and_held(shop, campaign_id) == (5, 5)


async def test_control_without_the_stock_guard_claims_pass_the_stock(
    shop: Shop, admin: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(12)

    async def unguarded(
        conn: AsyncConnection, campaign_id: int, count: int, *, active_only: bool = True
    ) -> bool:
        row = (await conn.execute(select(coupon_campaigns).where(coupon_campaigns.c.id == campaign_id))).one()
        await gate.passed()
        if row.issued + count > row.stock:
            return False
        await conn.execute(
            update(coupon_campaigns)
            .where(coupon_campaigns.c.id == campaign_id)
            .values(issued=coupon_campaigns.c.issued + count)
        )
        return True

    monkeypatch.setattr(coupon_store, "_take_stock", unguarded)
    outcomes, campaign_id = await stock_race(shop, admin)
    assert outcomes["claimed"] > 5
    _issued, held = await issued_and_held(shop, campaign_id)
    assert held > 5


async def per_user_race(shop: Shop, admin: Auth) -> Counter[str]:
    made = await campaign(shop, admin, stock=100, per_user_limit=2)
    alice = await shop.login("alice")
    return await claim_race(shop, [alice] * 8, {"campaign_id": made["id"]})


async def test_one_moviegoer_claims_only_up_to_the_limit(shop: Shop, admin: Auth) -> None:
    assert await per_user_race(shop, admin) == Counter({"claimed": 2, "coupon_limit_reached": 6})


async def test_control_without_the_claim_number_key_the_limit_breaks(
    shop: Shop, admin: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(8)

    async def unnumbered(conn: AsyncConnection, values: dict[str, Any]) -> int:
        await gate.passed()
        return int((await conn.execute(insert(coupons).values(**(values | {"claim_no": None})))).lastrowid)

    monkeypatch.setattr(coupon_store, "_insert_coupon", unnumbered)
    assert (await per_user_race(shop, admin))["claimed"] > 2


async def code_race(shop: Shop, admin: Auth) -> Counter[str]:
    made = await campaign(shop, admin, distribution="codes", stock=10, per_user_limit=1)
    path = f"/api/v1/staff/campaigns/{made['id']}/codes"
    response = await shop.client.post(path, json={"count": 1}, headers=admin)
    assert response.status_code == 201, response.text
    code = response.json()["codes"][0]
    fans = [await shop.login(f"fan{n}") for n in range(10)]
    return await claim_race(shop, fans, {"code": code})


async def test_a_single_use_code_is_redeemed_once(shop: Shop, admin: Auth) -> None:
    assert await code_race(shop, admin) == Counter({"claimed": 1, "code_used": 9})


async def test_control_without_the_code_guard_a_code_is_redeemed_twice(
    shop: Shop, admin: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    redeemed = []
    gate = Gate(10)

    async def unguarded(conn: AsyncConnection, code: str, user_id: int, number: int) -> bool:
        row = (await conn.execute(select(coupons.c.user_id).where(coupons.c.code == code))).one()
        await gate.passed()
        if row.user_id is not None:
            return False
        await conn.execute(
            update(coupons).where(coupons.c.code == code).values(user_id=user_id, claim_no=number)
        )
        redeemed.append(user_id)
        return True

    monkeypatch.setattr(coupon_store, "_take_code", unguarded)
    await code_race(shop, admin)
    assert len(redeemed) > 1  # the code was handed to more than one moviegoer


async def coupon_on_many_orders(shop: Shop, admin: Auth) -> Counter[str]:
    alice = await shop.login("alice")
    coupon = await claim(shop, alice, campaign_id=(await campaign(shop, admin))["id"])
    holds = []
    for _ in range(6):
        show = await shop.show()
        holds.append(await shop.hold(alice, show.showtime_id, ["A-1"]))

    async def create(hold: dict[str, Any]) -> str:
        response = await shop.client.post(
            "/api/v1/orders", json={"hold_id": hold["id"], "coupon_id": coupon["id"]}, headers=alice | key()
        )
        return "created" if response.status_code == 201 else response.json()["error"]["code"]

    return Counter(await asyncio.gather(*(create(hold) for hold in holds)))


async def test_a_coupon_pays_for_one_order(shop: Shop, admin: Auth) -> None:
    outcomes = await coupon_on_many_orders(shop, admin)
    assert outcomes["created"] == 1
    assert sum(outcomes.values()) == 6


async def test_control_without_the_coupon_guard_it_pays_twice(
    shop: Shop, admin: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(6)

    async def unguarded(conn: AsyncConnection, coupon_id: int, user_id: int, order_id: str) -> bool:
        row = (await conn.execute(select(coupons.c.state).where(coupons.c.id == coupon_id))).one()
        await gate.passed()
        if row.state != "available":
            return False
        await conn.execute(
            update(coupons).where(coupons.c.id == coupon_id).values(state="reserved", order_id=order_id)
        )
        return True

    monkeypatch.setattr(loyalty_store, "take_coupon", unguarded)
    assert (await coupon_on_many_orders(shop, admin))["created"] > 1
