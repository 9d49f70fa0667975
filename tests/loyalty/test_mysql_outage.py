"""Loyalty through a MySQL cut (the TCP proxy of tests/orders/proxy.py, never MariaDB itself): a
member still orders at the member price and pays, from what Redis keeps; ordering with points
answers 503 without taking anything; when MySQL is back the paid order lands, earns its points
and counts towards the tier."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from seatcore.settings import Settings
from tests.conftest import MYSQL_HOST, MYSQL_PORT
from tests.loyalty.conftest import Auth, Shop, balance, give_points, join, key
from tests.orders.proxy import TcpProxy, tcp_proxy
from tests.polling import wait_for

TIERS = {"items": [{"level": 1, "name": "V1", "threshold_fen": 0, "discount_percent": 20}]}


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    async with tcp_proxy(MYSQL_HOST, MYSQL_PORT) as running:
        yield running


@pytest.fixture
def settings(settings: Settings, proxy: TcpProxy) -> Settings:
    through_proxy = make_url(settings.database_url).set(host="127.0.0.1", port=proxy.port)
    return settings.model_copy(
        update={"database_url": through_proxy.render_as_string(hide_password=False), "seat_info_cache_s": 0.2}
    )


async def test_a_member_orders_and_pays_at_the_member_price_through_a_mysql_cut(
    shop: Shop, admin: Auth, proxy: TcpProxy
) -> None:
    response = await shop.client.put("/api/v1/staff/member-tiers", json=TIERS, headers=admin)
    assert response.status_code == 200, response.text
    alice = await shop.login("alice")
    await join(shop, alice)
    await give_points(shop, alice, 500)
    show = await shop.show()
    await shop.states(show.showtime_id)

    proxy.cut()
    with_points = await shop.hold(alice, show.showtime_id, ["A-1"])
    refused = await shop.client.post(
        "/api/v1/orders", json={"hold_id": with_points["id"], "points": 100}, headers=alice | key()
    )
    assert refused.status_code == 503, refused.text
    created = await shop.order(alice, with_points["id"])  # the same hold, without points
    assert created["price"]["member_discount_fen"] == 900 and created["amount_fen"] == 3600
    await shop.pay(alice, created["id"])
    await shop.wait_status(alice, created["id"], "paid")

    proxy.restore()
    await shop.wait_status(alice, created["id"], "ticketed")

    async def earned() -> bool:
        return await balance(shop, alice) == 500 + 36

    await wait_for(earned)  # nothing was taken by the refused order, 36 yuan earned 36 points
