"""Exchanges off the straight path: a second payment the sandbox confirms by itself, one whose
notice was lost (the recovery asks WeChat Pay), a refund while an exchange is under way, and an
exchange abandoned before its swap (the order refunded by staff, the sale lost with Redis)."""

from __future__ import annotations

from typing import Any

import pytest

from seatcore.orders import seatstate
from seatcore.store import exchanges as exchange_store
from tests.exchange.conftest import LiveShop, Shop, another_showtime, live_tickets, ticketed
from tests.orders.conftest import key, runtime_of
from tests.polling import wait_for


class Crash(Exception):
    """The process dies here."""


async def _exchange(shop: Shop, auth: dict[str, str], order_id: str, hold_id: str) -> Any:
    return await shop.client.post(
        f"/api/v1/orders/{order_id}/exchange", json={"hold_id": hold_id}, headers=auth | key()
    )


async def _state(shop: Shop, order_id: str) -> str:
    found = await exchange_store.get(runtime_of(shop.app).db, order_id)
    assert found is not None
    return found.state


async def test_the_sandbox_confirms_the_second_payment_by_itself(shop: Shop) -> None:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show()
    second = await another_showtime(db, first, price_fen=6000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1"])
    hold = await shop.hold(alice, second, ["C-4"])
    due = await _exchange(shop, alice, order["id"], hold["id"])
    assert due.status_code == 202 and due.json()["exchange"]["pay_fen"] == 1500

    async def done() -> bool:
        return await _state(shop, order["id"]) == "done"

    await wait_for(done)
    assert await live_tickets(db, order["id"]) == [(second, "C-4")]
    assert (await shop.get(alice, order["id"]))["amount_fen"] == 6000


async def test_a_lost_second_payment_notice_is_settled_by_the_recovery(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show()
    second = await another_showtime(db, first, price_fen=6000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1"])
    hold = await shop.hold(alice, second, ["C-4"])
    assert (await _exchange(shop, alice, order["id"], hold["id"])).status_code == 202
    shop.fake.pay(f"{order['id']}-X")  # paid at WeChat Pay; its notice never comes
    assert await shop.orders.exchanges.finish_pending() == 1
    assert await _state(shop, order["id"]) == "done"
    assert await live_tickets(db, order["id"]) == [(second, "C-4")]


async def test_the_moviegoers_refund_waits_for_an_exchange_under_way(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    first = await shop.show()
    second = await another_showtime(runtime_of(shop.app).db, first, price_fen=6000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1"])
    hold = await shop.hold(alice, second, ["C-4"])
    assert (await _exchange(shop, alice, order["id"], hold["id"])).status_code == 202
    refused = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "exchange_in_progress"


async def _crashed_before_the_swap(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, str], dict[str, Any], int, int]:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show()
    second = await another_showtime(db, first)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-4", "C-5"])
    found = await shop.orders.find(order["id"])
    assert found is not None

    async def dies(*args: object) -> str:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(exchange_store, "swap", dies)
        with pytest.raises(Crash):
            await shop.orders.exchanges.exchange(found.user_id, order["id"], hold["id"])
    assert await _state(shop, order["id"]) == "bought"
    return alice, order, first.showtime_id, second


async def test_an_order_refunded_by_staff_before_the_swap_abandons_the_exchange(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, order, first, second = await _crashed_before_the_swap(shop, monkeypatch)
    await shop.orders.refund_by_staff(order["id"], created_by="staff:ops")
    await shop.orders.exchanges.finish_pending()
    assert await _state(shop, order["id"]) == "abandoned"
    db = runtime_of(shop.app).db
    assert await live_tickets(db, order["id"]) == []  # refunded: no live set, and no new one
    assert await seatstate.sold_seats(runtime_of(shop.app).redis, second) == {}
    assert await seatstate.sold_seats(runtime_of(shop.app).redis, first) == {}
    assert (await shop.get(alice, order["id"]))["showtime"]["id"] == first


async def test_a_sale_lost_with_redis_before_the_swap_abandons_the_exchange(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, order, first, second = await _crashed_before_the_swap(shop, monkeypatch)
    await shop.orders.seats.unsell(second, order["id"], ["C-4", "C-5"])  # as if Redis forgot the sale
    await shop.orders.exchanges.finish_pending()
    assert await _state(shop, order["id"]) == "abandoned"
    assert await live_tickets(runtime_of(shop.app).db, order["id"]) == [(first, "A-1"), (first, "A-2")]
    again = await _exchange(shop, alice, order["id"], "0-0")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_exchanged"


async def test_a_refused_difference_refund_leaves_the_new_tickets_and_is_tried_again(
    live_shop: LiveShop,
) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show()
    second = await another_showtime(db, first, price_fen=3000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1"])
    hold = await shop.hold(alice, second, ["C-4"])
    shop.fake.refund_status = "ABNORMAL"
    moved = await _exchange(shop, alice, order["id"], hold["id"])
    assert moved.status_code == 200, moved.text
    assert moved.json()["exchange"]["state"] == "swapped" and moved.json()["showtime"]["id"] == second
    assert await live_tickets(db, order["id"]) == [(second, "C-4")]
    assert await shop.orders.exchanges.finish_pending() == 1  # still owed: looked at again
    assert await _state(shop, order["id"]) == "swapped"
