"""Snacks bought alone through a MySQL cut (invariant 6 for orders without a showtime): an order
made before the cut is paid during it and lands once MySQL is back; a new one waits for the menu
(503) and changes nothing. The cut is the test's TCP proxy, never MariaDB itself."""

from __future__ import annotations

from seatcore.domain.orders import OrderStatus
from seatcore.store import snacks as store
from tests.orders.conftest import key
from tests.orders.proxy import TcpProxy
from tests.orders.test_selling_through_mysql_outage import proxy, settings  # noqa: F401
from tests.snacks.conftest import Counter


async def test_an_order_of_snacks_alone_is_paid_through_a_mysql_cut(
    counter: Counter,
    proxy: TcpProxy,  # noqa: F811
) -> None:
    auth = await counter.shop.login("zoe")
    body = {"cinema_id": counter.show.cinema_id, "snacks": [{"id": counter.popcorn, "qty": 2}]}
    made = await counter.shop.client.post("/api/v1/snack-orders", json=body, headers=auth | key())
    assert made.status_code == 201, made.text
    order_id = made.json()["id"]

    proxy.cut()
    paid = await counter.shop.pay(auth, order_id)
    assert paid["params"]["package"].startswith("prepay_id=")
    during = await counter.shop.wait_status(auth, order_id, "paid")
    assert during["kind"] == "snacks" and during["amount_fen"] == 5600
    refused = await counter.shop.client.post("/api/v1/snack-orders", json=body, headers=auth | key())
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "upstream_unavailable"
    assert proxy.up is False

    proxy.restore()
    landed = await counter.shop.wait_status(auth, order_id, "ticketed")  # from MySQL once landed
    assert await store.order_status(counter.runtime.db, order_id) is OrderStatus.TICKETED
    assert landed["pickup"]["code"]
    assert landed["cinema"]["id"] == counter.show.cinema_id
    assert await counter.left(counter.popcorn) == 3  # taken once, by the one order made
