"""The service's own events: a payment that came too late is a failed payment with its reason, in
the channel the order was placed from; a refund is recorded; the payments report counts both."""

from __future__ import annotations

import asyncio
import datetime as dt
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from starlette.applications import Starlette

from seatcore.payments import PaymentNotice
from seatcore.settings import Settings
from tests.analytics.conftest import landed, store_of
from tests.orders.conftest import Shop, key
from tests.staff.conftest import StaffHeaders


async def test_failed_payments_and_refunds_are_recorded(
    app: Starlette, shop: Shop, staff_headers: StaffHeaders, settings: Settings
) -> None:
    show = await shop.show()
    # Alice orders from the mini-program, lets the hold go, and her payment arrives too late.
    alice = await shop.login("alice")
    hold = await shop.hold(alice, show.showtime_id, ["B-1"])
    placed = await shop.client.post(
        "/api/v1/orders", json={"hold_id": hold["id"]}, headers=alice | key() | {"X-Channel": "miniprogram"}
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)
    await shop.wait_status(alice, order["id"], "expired")
    late = PaymentNotice(order["id"], "sandbox-late-1", order["amount_fen"], "paid", datetime.now(UTC), {})
    await shop.orders.on_notice(late)
    await shop.wait_status(alice, order["id"], "refunded")
    # Bob pays in time, then asks for his money back.
    bob = await shop.login("bob")
    paid = await shop.order(bob, (await shop.hold(bob, show.showtime_id, ["C-1"]))["id"])
    await shop.pay(bob, paid["id"])
    await shop.wait_status(bob, paid["id"], "ticketed")
    refund = await shop.client.post(f"/api/v1/orders/{paid['id']}/refund", headers=bob | key())
    assert refund.status_code == 200, refund.text

    # hold x2, release is not an event; placed x2, payment_failed, order_paid, order_refunded
    await landed(app, 7)
    rows = await asyncio.to_thread(
        store_of(app).query,
        "SELECT name, order_id, code, channel, cinema_id FROM events WHERE order_id IS NOT NULL",
        [],
    )
    by_name = {(name, order_id): (code, channel, cinema) for name, order_id, code, channel, cinema in rows}
    assert by_name[("order_placed", order["id"])] == (None, "miniprogram", show.cinema_id)
    assert by_name[("payment_failed", order["id"])] == ("late_payment", "miniprogram", show.cinema_id)
    assert by_name[("order_paid", paid["id"])] == (None, "web", show.cinema_id)
    assert by_name[("order_refunded", paid["id"])] == (None, "web", show.cinema_id)

    admin = await staff_headers("root", role="admin")
    day = dt.datetime.now(ZoneInfo(settings.analytics_timezone)).date().isoformat()
    answer = await shop.client.get(
        "/api/v1/staff/analytics/payments", params={"start": day, "end": day}, headers=admin
    )
    payments = answer.json()
    assert (payments["paid"], payments["failed"], payments["success_rate"]) == (1, 1, 0.5)
    assert payments["reasons"] == {"late_payment": 1} and payments["target_rate"] == 0.98


async def test_snacks_alone_count_as_payments_not_as_ticket_sales(
    app: Starlette, shop: Shop, staff_headers: StaffHeaders, settings: Settings
) -> None:
    from seatcore.store import snacks as snack_store

    show = await shop.show()
    cola = await snack_store.create(
        app.state.runtime.db, None, show.cinema_id, {"kind": "item", "name": "可乐", "price_fen": 1200}
    )
    cai = await shop.login("cai")
    body = {"cinema_id": show.cinema_id, "snacks": [{"id": cola.id, "qty": 2}]}
    placed = await shop.client.post(
        "/api/v1/snack-orders", json=body, headers=cai | key() | {"X-Channel": "miniprogram"}
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    await shop.pay(cai, order_id)
    await shop.wait_status(cai, order_id, "ticketed")

    await landed(app, 2)
    rows = await asyncio.to_thread(
        store_of(app).query,
        "SELECT name, channel, cinema_id, showtime_id FROM events WHERE order_id = ? ORDER BY ts",
        [order_id],
    )
    assert rows == [
        ("snack_order_placed", "miniprogram", show.cinema_id, None),
        ("snack_order_paid", "miniprogram", show.cinema_id, None),
    ]
    admin = await staff_headers("root", role="admin")
    day = dt.datetime.now(ZoneInfo(settings.analytics_timezone)).date().isoformat()
    period = {"start": day, "end": day}
    payments = (
        await shop.client.get("/api/v1/staff/analytics/payments", params=period, headers=admin)
    ).json()
    assert (payments["paid"], payments["failed"]) == (1, 0)
    funnel = (await shop.client.get("/api/v1/staff/analytics/funnel", params=period, headers=admin)).json()
    steps = {step["event"]: step["journeys"] for step in funnel["steps"]}
    assert steps["order_placed"] == steps["order_paid"] == 0  # the ticket funnel has no sale
