"""Unpaid orders end with their hold; a payment that arrives after the hold was lost buys nothing
and is refunded at once, and the order says why."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from seatcore.db.schema import orders, refunds, tickets
from seatcore.payments import PaymentNotice
from tests.orders.conftest import LiveShop, Shop, key, runtime_of
from tests.polling import wait_for


async def test_late_payment_after_the_seats_went_to_someone_else_is_refunded(live_shop: LiveShop) -> None:
    shop = live_shop
    show = await shop.show()
    alice, bob = await shop.login("alice"), await shop.login("bob")
    hold = await shop.hold(alice, show.showtime_id, ["A-1", "A-2"])
    order = await shop.order(alice, hold["id"])
    await shop.pay(alice, order["id"])
    released = await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)
    assert released.status_code in (200, 204), released.text
    await shop.hold(bob, show.showtime_id, ["A-1", "A-2"])

    callback = await shop.fake.notify_payment(order["id"])  # alice paid in WeChat just too late
    assert callback.status_code == 204, callback.text
    refunded = await shop.wait_status(alice, order["id"], "refunded")
    assert refunded["reason"] == "late_payment" and "refunded" in refunded["reason_text"]
    assert refunded["refund"]["status"] == "succeeded" and refunded["refund"]["amount_fen"] == 9000
    assert refunded["tickets"] == [] and [s["seat"] for s in refunded["seats"]] == ["A-1", "A-2"]
    assert shop.fake.refunds[f"{order['id']}-R"]["amount"]["refund"] == 9000
    states = await shop.states(show.showtime_id)
    assert states["A-1"] == states["A-2"] == "held"  # still bob's

    db = runtime_of(shop.app).db

    async def landed() -> bool:
        async with db.connect() as conn:
            return (
                await conn.execute(select(orders.c.status).where(orders.c.id == order["id"]))
            ).first() is not None

    await wait_for(landed)
    async with db.connect() as conn:
        live = (await conn.execute(select(tickets.c.live).where(tickets.c.order_id == order["id"]))).all()
        reason = (
            await conn.execute(select(refunds.c.reason).where(refunds.c.order_id == order["id"]))
        ).scalar()
    assert [row.live for row in live] == [None, None] and reason == "late_payment"
    history = (await shop.client.get("/api/v1/me/orders", headers=alice)).json()
    assert history["items"][0]["reason"] == "late_payment"


async def test_unpaid_order_expires_with_its_hold_then_a_late_notice_is_refunded(shop: Shop) -> None:
    show = await shop.show()
    alice = await shop.login("alice")
    hold = await shop.hold(alice, show.showtime_id, ["B-1"])
    order = await shop.order(alice, hold["id"])
    await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)
    expired = await shop.wait_status(alice, order["id"], "expired")  # the order sweeper saw it
    assert expired["reason"] == "hold_expired" and expired["expires_at"] is None
    pay = await shop.client.post(f"/api/v1/orders/{order['id']}/pay", headers=alice | key())
    assert pay.status_code == 409 and pay.json()["error"]["code"] == "illegal_transition"

    late = PaymentNotice(
        order_id=order["id"],
        transaction_id="sandbox-late-1",
        amount_fen=order["amount_fen"],
        status="paid",
        paid_at=datetime.now(UTC),
        raw={},
    )
    await shop.orders.on_notice(late)
    await shop.orders.on_notice(late)  # a replay changes nothing more
    refunded = await shop.wait_status(alice, order["id"], "refunded")
    assert refunded["reason"] == "late_payment" and refunded["refund"]["status"] == "succeeded"


async def test_cancel_releases_the_seats(shop: Shop) -> None:
    show = await shop.show()
    alice = await shop.login("alice")
    order = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["C-1", "C-2"]))["id"])
    cancelled = await shop.client.post(f"/api/v1/orders/{order['id']}/cancel", headers=alice)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await shop.states(show.showtime_id))["C-1"] == "free"
    pay = await shop.client.post(f"/api/v1/orders/{order['id']}/pay", headers=alice | key())
    assert pay.status_code == 409 and pay.json()["error"]["code"] == "illegal_transition"
    refund = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refund.status_code == 409 and refund.json()["error"]["code"] == "illegal_transition"
    history = (await shop.client.get("/api/v1/me/orders", headers=alice)).json()
    assert [(o["id"], o["status"]) for o in history["items"]] == [(order["id"], "cancelled")]
