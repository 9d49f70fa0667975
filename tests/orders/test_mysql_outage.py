"""MySQL away for a while: payments still go through, paid orders wait in the stream, and land
when it is back. The outage is a TCP proxy cut between the service and MariaDB (never MariaDB
itself, which other test runs share)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from seatcore.db.engine import create_db_engine
from seatcore.db.schema import orders, tickets
from seatcore.payments import PaymentNotice
from seatcore.settings import Settings
from tests.conftest import MYSQL_HOST, MYSQL_PORT
from tests.orders.conftest import Shop
from tests.orders.proxy import TcpProxy, tcp_proxy
from tests.polling import wait_for


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    async with tcp_proxy(MYSQL_HOST, MYSQL_PORT) as running:
        yield running


@pytest.fixture
def settings(settings: Settings, proxy: TcpProxy) -> Settings:
    """The service reaches MariaDB only through the proxy; the sandbox never pays by itself."""
    through_proxy = make_url(settings.database_url).set(host="127.0.0.1", port=proxy.port)
    return settings.model_copy(
        update={
            "database_url": through_proxy.render_as_string(hide_password=False),
            "sandbox_pay_delay_ms": 3_600_000,
        }
    )


async def test_paid_orders_wait_in_the_stream_until_mysql_returns(
    shop: Shop, proxy: TcpProxy, mysql_url: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="seatcore.orders.writer")
    direct = create_db_engine(settings.model_copy(update={"database_url": mysql_url}))
    show = await shop.show()
    alice = await shop.login("alice")
    order = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["A-1", "A-2"]))["id"])
    await shop.pay(alice, order["id"])

    proxy.cut()
    notice = PaymentNotice(
        order_id=order["id"],
        transaction_id="sandbox-outage-1",
        amount_fen=order["amount_fen"],
        status="paid",
        paid_at=datetime.now(UTC),
        raw={},
    )
    await shop.orders.on_notice(notice)  # the moviegoer is told "paid" with MySQL down
    paid = await shop.get(alice, order["id"])
    assert paid["status"] == "paid" and paid["showtime"] is None
    assert (await shop.states(show.showtime_id))["A-1"] == "sold"

    def writer_lines(text: str) -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "seatcore.orders.writer" and text in r.getMessage()]

    async def writer_failing() -> bool:
        return bool(writer_lines("is failing"))

    await wait_for(writer_failing)  # the writer keeps trying; the order stays in the stream
    assert await shop.orders.stream.length() == 1
    assert (await shop.get(alice, order["id"]))["status"] == "paid"
    async with direct.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(orders))).scalar_one() == 0

    proxy.restore()
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    assert len(ticketed["tickets"]) == 2 and ticketed["showtime"]["id"] == show.showtime_id
    async with direct.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(tickets))).scalar_one() == 2
    assert await shop.orders.stream.length() == 0
    await direct.dispose()

    async def writer_recovered() -> bool:
        return bool(writer_lines("recovered after"))

    await wait_for(writer_recovered)
    assert len(writer_lines("is failing")) == 1  # one line per outage, not one per retry
