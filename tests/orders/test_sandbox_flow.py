"""The demo's path: the sandbox provider pays a moment after /pay, the writer lands the order."""

from __future__ import annotations

from tests.orders.conftest import Shop


async def test_sandbox_payment_gets_tickets(shop: Shop) -> None:
    show = await shop.show()
    alice = await shop.login("alice")
    hold = await shop.hold(alice, show.showtime_id, ["A-1", "A-2"])
    order = await shop.order(alice, hold["id"])
    assert order["status"] == "pending_payment" and order["amount_fen"] == 9000
    assert [line["seat"] for line in order["seats"]] == ["A-1", "A-2"]
    paying = await shop.pay(alice, order["id"])
    assert paying["provider"] == "sandbox" and paying["params"]["package"].startswith("prepay_id=")
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    assert [t["seat"] for t in ticketed["tickets"]] == ["A-1", "A-2"]
    assert all(t["live"] for t in ticketed["tickets"])
    states = await shop.states(show.showtime_id)
    assert states["A-1"] == states["A-2"] == "sold"
