"""`seatcore check` and invariant 13: clean after real snack sales and pickups, and each planted
violation found."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from seatcore import keys
from seatcore.checker.runner import check_deployment
from seatcore.checker.snack_side import check_snacks
from seatcore.db.schema import orders, snack_pickups, snacks
from seatcore.store._time import utcnow
from tests.snacks.conftest import Counter


async def test_real_sales_pass_and_planted_violations_are_found(counter: Counter) -> None:
    auth = await counter.shop.login("jo")
    made = await counter.order(auth, ["A-1"], [{"id": counter.popcorn, "qty": 2}])
    order = await counter.landed(auth, made.json()["id"])
    picked = await counter.shop.client.post(
        "/api/v1/staff/snack-pickups", json={"code": order["pickup"]["code"]}, headers=counter.staff
    )
    assert picked.status_code == 200
    report = await check_deployment(counter.runtime.redis, counter.runtime.db, max_life_ms=1_800_000)
    (row,) = [result for result in report.results if result.key == "snacks"]
    assert row.ok, row.violations
    assert row.checked >= 1

    db = counter.runtime.db
    await counter.runtime.redis.hset(keys.snack_stock(counter.show.cinema_id), str(counter.cola), -3)
    async with db.begin() as conn:  # stock set below what was sold since; the order made unpaid
        past = utcnow() - timedelta(days=1)
        await conn.execute(
            update(snacks).where(snacks.c.id == counter.popcorn).values(stock=1, stock_set_at=past)
        )
    found = (await check_snacks(counter.runtime.redis, db)).violations
    assert f"snack {counter.cola}: -3 left in Redis ({keys.snack_stock(counter.show.cinema_id)})" in found
    assert f"snack {counter.popcorn}: 2 sold since its stock was set to 1" in found
    async with db.begin() as conn:
        await conn.execute(update(orders).where(orders.c.id == order["id"]).values(status="expired"))
        await conn.execute(
            update(snack_pickups).where(snack_pickups.c.order_id == order["id"]).values(picked_up_at=utcnow())
        )
    found = (await check_snacks(counter.runtime.redis, db)).violations
    assert f"order {order['id']}: snacks picked up, order never paid" in found


async def test_an_order_of_snacks_alone_without_snacks_is_found(counter: Counter) -> None:
    from sqlalchemy import delete

    from seatcore.db.schema import order_snacks
    from tests.orders.conftest import key

    auth = await counter.shop.login("kit")
    body = {"cinema_id": counter.show.cinema_id, "snacks": [{"id": counter.cola, "qty": 1}]}
    made = await counter.shop.client.post("/api/v1/snack-orders", json=body, headers=auth | key())
    assert made.status_code == 201, made.text
    await counter.shop.pay(auth, made.json()["id"])
    await counter.landed(auth, made.json()["id"])
    db = counter.runtime.db
    assert (await check_snacks(counter.runtime.redis, db)).violations == []
    async with db.begin() as conn:
        await conn.execute(delete(order_snacks).where(order_snacks.c.order_id == made.json()["id"]))
    found = (await check_snacks(counter.runtime.redis, db)).violations
    assert found == [
        f"order {made.json()['id']}: no showtime, and not snacks alone with a pickup code and no tickets"
    ]
