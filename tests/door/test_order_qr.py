"""The moviegoer's order answer carries each live ticket's signed QR text, and the door takes it."""

from __future__ import annotations

from datetime import timedelta

from tests.door.conftest import Door
from tests.orders.conftest import Shop, key, shop  # noqa: F401
from tests.orders.conftest import settings as settings


async def test_the_qr_of_a_bought_ticket_checks_in(door: Door, shop: Shop) -> None:  # noqa: F811
    soon = await shop.show(starts_in=timedelta(minutes=30))  # on sale, and its door open
    alice = await shop.login("alice")
    hold = await shop.hold(alice, soon.showtime_id, ["C-3", "C-4"])
    order = await shop.order(alice, hold["id"])
    assert order["tickets"] == []
    await shop.pay(alice, order["id"])
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    qrs = [ticket["qr"] for ticket in ticketed["tickets"]]
    assert all(qr.startswith("SC1.k1.") for qr in qrs)
    listed = (await door.client.get("/api/v1/me/orders", headers=alice)).json()["items"][0]
    assert [t["qr"] for t in listed["tickets"]] == qrs
    admitted = await door.scan({"qr": qrs[1], "door": "east"}, door.admin)
    assert admitted.status_code == 200, admitted.text
    assert admitted.json()["ticket"]["seat"] == "C-4"
    assert admitted.json()["counter"]["admitted"] == 1


async def test_a_refunded_ticket_shows_no_qr(door: Door, shop: Shop) -> None:  # noqa: F811
    # the door opens 60 minutes before the start, refunds close 30 minutes before it
    later = await shop.show(starts_in=timedelta(minutes=50))
    alice = await shop.login("alice")
    hold = await shop.hold(alice, later.showtime_id, ["A-1"])
    order = await shop.order(alice, hold["id"])
    await shop.pay(alice, order["id"])
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    qr = ticketed["tickets"][0]["qr"]
    refunded = await door.client.post(f"/api/v1/orders/{order['id']}/refund", headers={**alice, **key()})
    assert refunded.status_code == 200, refunded.text
    ticket = refunded.json()["tickets"][0]
    assert ticket["live"] is False and ticket["qr"] is None
    scanned = await door.scan({"qr": qr}, door.admin)
    assert scanned.status_code == 409
    assert scanned.json()["error"]["code"] == "ticket_not_live"
