"""Payments the service did not hear about are still settled (issue 13, items 1 and 2).

- A crash between pay and its confirmation: the sandbox's confirmation task dies with its process;
  the payment is recorded at the provider (Redis for the sandbox), so a repeated pay call, or the
  recovery of a restarted process, asks the provider and settles the order.
- A notice that never arrives (WeChat Pay, through the local fake): the sweeper asks the provider
  (query by out-trade-no) and settles: ticketed while the seats are held, refunded when too late.
"""

from __future__ import annotations

import pytest

from seatcore.orders import recovery
from seatcore.orders.service import OrderService
from seatcore.payments import SandboxProvider
from seatcore.settings import Settings
from tests.orders.conftest import LiveShop, Shop, key
from tests.polling import wait_for


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The sandbox confirms after 200 ms: time enough to kill its task first."""
    return settings.model_copy(update={"sandbox_pay_delay_ms": 200})


async def _crash_confirmations(service: OrderService) -> None:
    """What a kill -9 right after pay does to the sandbox: its scheduled confirmations vanish."""
    sandbox = service.provider
    assert isinstance(sandbox, SandboxProvider)
    await sandbox.close()


async def _paid_at_provider(service: OrderService, order_id: str) -> None:
    async def known() -> bool:
        return await service.provider.query(order_id) is not None

    await wait_for(known)


async def test_a_repeated_pay_after_a_crash_settles_the_payment(shop: Shop) -> None:
    show = await shop.show()
    alice = await shop.login("alice")
    order = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["A-1", "A-2"]))["id"])
    await shop.pay(alice, order["id"])
    await _crash_confirmations(shop.orders)
    await _paid_at_provider(shop.orders, order["id"])  # the moviegoer paid; no notice will come

    again = await shop.client.post(f"/api/v1/orders/{order['id']}/pay", headers=alice | key())
    # Settled by this call; or a moment before by the sweeper of this process, which then says so.
    assert again.status_code == 200 or again.json()["error"]["details"]["status"] == "paid", again.text
    assert (await shop.get(alice, order["id"]))["status"] in ("paid", "ticketed")
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    assert [t["seat"] for t in ticketed["tickets"]] == ["A-1", "A-2"]


async def test_the_recovery_of_a_restarted_process_settles_the_payment(shop: Shop) -> None:
    show = await shop.show()
    alice = await shop.login("alice")
    order = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["B-1"]))["id"])
    await shop.pay(alice, order["id"])
    await _crash_confirmations(shop.orders)
    await _paid_at_provider(shop.orders, order["id"])

    await recovery.recover(shop.orders)  # what the restarted process runs before its first sweep
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    assert ticketed["paid_at"] is not None


async def test_a_notice_that_never_arrives_is_settled_by_a_query(live_shop: LiveShop) -> None:
    shop = live_shop
    show = await shop.show()
    alice = await shop.login("alice")
    order = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["C-1", "C-2"]))["id"])
    await shop.pay(alice, order["id"])
    shop.fake.pay(order["id"])  # paid in WeChat; the notice is lost on its way
    assert (await shop.get(alice, order["id"]))["status"] == "pending_payment"

    await recovery.look_at(shop.orders, order["id"])  # the sweeper's look, due every 30 s
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    assert [t["seat"] for t in ticketed["tickets"]] == ["C-1", "C-2"]
    assert ticketed["paid_at"] is not None


async def test_a_payment_found_after_the_hold_ended_is_refunded(live_shop: LiveShop) -> None:
    shop = live_shop
    show = await shop.show()
    alice, bob = await shop.login("alice"), await shop.login("bob")
    hold = await shop.hold(alice, show.showtime_id, ["D-1"])
    order = await shop.order(alice, hold["id"])
    await shop.pay(alice, order["id"])
    await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)
    await shop.hold(bob, show.showtime_id, ["D-1"])
    expired = await shop.get(alice, order["id"])  # the order ends with its hold...
    assert expired["status"] == "expired"
    shop.fake.pay(order["id"])  # ...while alice's payment went through, and its notice is lost

    await recovery.look_at(shop.orders, order["id"])  # still due: its payment was started
    refunded = await shop.wait_status(alice, order["id"], "refunded")
    assert refunded["reason"] == "late_payment" and refunded["tickets"] == []
    assert shop.fake.refunds[f"{order['id']}-R"]["amount"]["refund"] == 4500
    assert (await shop.states(show.showtime_id))["D-1"] == "held"  # still bob's


async def test_an_unpaid_started_order_is_asked_about_until_the_grace_ends(live_shop: LiveShop) -> None:
    """Not paid at the provider: nothing is settled, and the order stays due only for a while."""
    shop = live_shop
    show = await shop.show()
    alice = await shop.login("alice")
    hold = await shop.hold(alice, show.showtime_id, ["E-1"])
    order = await shop.order(alice, hold["id"])
    await shop.pay(alice, order["id"])
    await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)
    assert (await shop.get(alice, order["id"]))["status"] == "expired"
    await recovery.look_at(shop.orders, order["id"])
    assert order["id"] in await shop.orders.inflight.ids(limit=100)
    assert (await shop.get(alice, order["id"]))["status"] == "expired"
