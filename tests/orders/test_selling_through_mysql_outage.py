"""The MySQL outage drill (issue 13, item 5): with MySQL cut off, moviegoers hold seats, make
orders and pay them from what Redis holds; when MySQL is back every paid order lands ticketed.

The cut is the TCP proxy between the service and MariaDB (tests/orders/proxy.py), never MariaDB
itself. Every cache the pay path leans on is made to run out during the cut (the showtime's rules
are kept 0.2 s here instead of 5 s), so the drill does not pass merely because it is short: what
an outage of a minute or an hour does to these paths, this one does too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.engine import make_url

from seatcore.db.engine import create_db_engine
from seatcore.db.schema import orders, tickets
from seatcore.settings import Settings
from tests.conftest import MYSQL_HOST, MYSQL_PORT
from tests.orders.conftest import Shop
from tests.orders.proxy import TcpProxy, tcp_proxy

FANS = 6


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    async with tcp_proxy(MYSQL_HOST, MYSQL_PORT) as running:
        yield running


@pytest.fixture
def settings(settings: Settings, proxy: TcpProxy) -> Settings:
    """The service reaches MariaDB only through the proxy; showtime rules go stale in 0.2 s."""
    through_proxy = make_url(settings.database_url).set(host="127.0.0.1", port=proxy.port)
    return settings.model_copy(
        update={
            "database_url": through_proxy.render_as_string(hide_password=False),
            "seat_info_cache_s": 0.2,
        }
    )


async def _count(url: str, table: Table) -> int:
    direct = create_db_engine(Settings(database_url=url))
    try:
        async with direct.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
    finally:
        await direct.dispose()


async def test_holds_orders_and_payments_go_on_through_a_mysql_cut(
    shop: Shop, proxy: TcpProxy, mysql_url: str
) -> None:
    show = await shop.show()
    fans = [await shop.login(f"fan{n}") for n in range(FANS)]  # signing in needs MySQL
    await shop.states(show.showtime_id)  # the seat map was open before the cut

    proxy.cut()
    paid: list[tuple[dict[str, str], str]] = []
    for n, fan in enumerate(fans):
        hold = await shop.hold(fan, show.showtime_id, [f"A-{n + 1}", f"B-{n + 1}"])
        order = await shop.order(fan, hold["id"])
        answer = await shop.pay(fan, order["id"])
        assert answer["params"]["package"].startswith("prepay_id=")
        paid.append((fan, order["id"]))
    for fan, order_id in paid:  # the sandbox's confirmations arrive, MySQL still away
        assert (await shop.wait_status(fan, order_id, "paid"))["amount_fen"] == 9000
    states = await shop.states(show.showtime_id)
    assert sum(state == "sold" for state in states.values()) == 2 * FANS
    assert proxy.up is False
    assert await _count(mysql_url, orders) == 0  # nothing reached MySQL during the cut

    proxy.restore()
    for fan, order_id in paid:
        ticketed = await shop.wait_status(fan, order_id, "ticketed")
        assert len(ticketed["tickets"]) == 2 and ticketed["showtime"]["id"] == show.showtime_id
    assert await _count(mysql_url, orders) == FANS
    assert await _count(mysql_url, tickets) == 2 * FANS
    assert await shop.orders.stream.length() == 0
