"""A service started without a payment provider sells nothing for free: pay answers 503
``payments_unavailable`` and the order is left as it was, while holds and orders still work."""

from __future__ import annotations

import pytest

from seatcore.settings import Settings
from tests.orders.conftest import Shop, key, orders_of


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"payment_provider": "none", "allow_sandbox_payments": False})


async def test_pay_is_refused_and_changes_nothing(shop: Shop) -> None:
    assert orders_of(shop.app).provider.name == "none"
    show = await shop.show()
    alice = await shop.login("alice")
    hold = await shop.hold(alice, show.showtime_id, ["A-1", "A-2"])
    order = await shop.order(alice, hold["id"])

    for _ in range(2):  # a retry with the same key runs again (a 503 is not kept) and fails alike
        pay_key = key()
        refused = await shop.client.post(f"/api/v1/orders/{order['id']}/pay", headers=alice | pay_key)
        assert refused.status_code == 503, refused.text
        error = refused.json()["error"]
        assert error["code"] == "payments_unavailable" and "payment_provider" in error["message"]
        again = await shop.client.post(f"/api/v1/orders/{order['id']}/pay", headers=alice | pay_key)
        assert again.status_code == 503

    still = await shop.get(alice, order["id"])
    assert still["status"] == "pending_payment"
    stored = await orders_of(shop.app).inflight.get(order["id"])
    assert stored is not None and stored.prepay is None and stored.payment is None
    assert set((await shop.states(show.showtime_id)).values()) >= {"held"}
