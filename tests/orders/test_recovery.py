"""Crashes between the steps of a payment or a refund, and Redis losing everything after sales:
recovery finishes what was paid, and rebuilt seat maps keep what was sold."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any
from unittest.mock import ANY

from seatcore import keys
from seatcore.domain.orders import OrderStatus, Reason
from seatcore.orders import store
from seatcore.orders.records import Order, Payment
from seatcore.orders.recovery import recover
from seatcore.orders.transitions import mark_paid
from tests.orders.conftest import Auth, Shop, key, runtime_of
from tests.polling import wait_for


def _with_payment(order: Order, payment: Payment) -> Order:
    return order.but(payment=payment)


async def _bought(shop: Shop, auth: Auth, seats: list[str]) -> tuple[int, dict[str, Any]]:
    show = await shop.show()
    order = await shop.order(auth, (await shop.hold(auth, show.showtime_id, seats))["id"])
    await shop.pay(auth, order["id"])
    return show.showtime_id, await shop.wait_status(auth, order["id"], "ticketed")


async def test_redis_flushed_after_sales_keeps_them_sold(shop: Shop) -> None:
    alice, bob = await shop.login("alice"), await shop.login("bob")
    showtime_id, order = await _bought(shop, alice, ["A-1", "A-2"])
    before = (await shop.client.get(f"/api/v1/showtimes/{showtime_id}/seats")).json()

    await runtime_of(shop.app).redis.flushdb()  # Redis lost everything

    after = (await shop.client.get(f"/api/v1/showtimes/{showtime_id}/seats")).json()
    assert after["epoch"] != before["epoch"]
    assert after["states"]["A-1"] == after["states"]["A-2"] == "sold"
    taken = await shop.client.post(
        f"/api/v1/showtimes/{showtime_id}/holds", json={"seats": ["A-2"]}, headers=bob
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "seat_unavailable"
    assert (await shop.get(alice, order["id"]))["status"] == "ticketed"

    # Sales go on (the writers' group is made again) and refunds free the rebuilt seats.
    bob_order = await shop.order(bob, (await shop.hold(bob, showtime_id, ["A-3", "A-4"]))["id"])
    await shop.pay(bob, bob_order["id"])
    await shop.wait_status(bob, bob_order["id"], "ticketed")
    refund = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refund.status_code == 200 and refund.json()["status"] == "refunded"
    states = await shop.states(showtime_id)
    assert (states["A-1"], states["A-3"]) == ("free", "sold")


async def test_recovery_finishes_payments_that_stopped_between_steps(shop: Shop) -> None:
    """Three crash points: after the payment was recorded (before the buy); after the buy, its
    hold record since tidied away (before the order was marked paid); after it was marked paid
    (before it was queued). And one that landed but was not tidied from Redis."""
    service = shop.orders
    engine = runtime_of(shop.app).extras["seats"]
    show = await shop.show()
    stopped: list[tuple[Auth, str]] = []
    for step, (name, seats) in enumerate((("ann", ["A-1"]), ("ben", ["B-1"]), ("cai", ["C-1"]))):
        auth = await shop.login(name)
        user_id = (await shop.client.get("/api/v1/me", headers=auth)).json()["id"]
        hold = await shop.hold(auth, show.showtime_id, seats)
        order = await shop.order(auth, hold["id"])
        payment = Payment("sandbox", f"txn-crash-{step}", order["amount_fen"], datetime.now(UTC))
        await service.inflight.change(order["id"], partial(_with_payment, payment=payment))
        if step >= 1:
            await engine.buy(hold["id"], user_id, order["id"])
        if step == 1:
            await runtime_of(shop.app).redis.hdel(keys.show_key(show.showtime_id, "holds"), hold["id"])
        if step == 2:
            await service.inflight.change(order["id"], mark_paid)
        stopped.append((auth, order["id"]))
    for auth, order_id in stopped:
        assert (await shop.get(auth, order_id))["status"] in ("pending_payment", "paid")

    found = await recover(service)  # what a restarted service does first
    assert found.in_flight == 3
    for auth, order_id in stopped:
        await shop.wait_status(auth, order_id, "ticketed")
    states = await shop.states(show.showtime_id)
    assert states["A-1"] == states["B-1"] == states["C-1"] == "sold"

    # Landed, but the writer died before dropping it from Redis: recovery tidies it.
    ann, first = stopped[0]
    landed = await store.get(runtime_of(shop.app).db, first)
    assert landed is not None
    redis = runtime_of(shop.app).redis
    redo = landed.but(status=OrderStatus.PAID)
    await redis.hset(keys.order(show.showtime_id, redo.id), mapping={"doc": redo.to_json(), "rev": 1})
    await redis.zadd(keys.ORDERS_IN_FLIGHT, {redo.id: 0})
    await recover(service)

    async def tidied() -> bool:
        return await service.inflight.get(first) is None

    await wait_for(tidied)
    assert (await shop.get(ann, first))["tickets"] == [
        {
            "code": t.code,
            "seat": t.seat_id,
            "price_fen": t.price_fen,
            "live": True,
            "qr_url": f"/api/v1/tickets/{t.code}/qr.png",
            "qr": ANY,  # the signed pass (tests/door)
        }
        for t in landed.tickets
    ]


async def test_recovery_finishes_a_refund_interrupted_before_the_provider(shop: Shop) -> None:
    alice = await shop.login("alice")
    showtime_id, order = await _bought(shop, alice, ["D-1"])
    db = runtime_of(shop.app).db
    landed = await store.get(db, order["id"])
    assert landed is not None
    assert await store.begin_refund(db, landed, Reason.REQUESTED, "user:test")  # then the crash
    assert (await shop.get(alice, order["id"]))["status"] == "refund_requested"

    found = await recover(shop.orders)
    assert found.refunds == 1
    assert (await shop.get(alice, order["id"]))["status"] == "refunded"
    assert (await shop.states(showtime_id))["D-1"] == "free"
