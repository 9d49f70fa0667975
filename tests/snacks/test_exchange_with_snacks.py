"""An exchange (改签) of an order with snacks moves the tickets only: the snacks' money stays."""

from __future__ import annotations

from seatcore.domain.pricing import Breakdown, exchange_difference
from tests.exchange.conftest import another_showtime
from tests.orders.conftest import key
from tests.snacks.conftest import Counter


def test_the_difference_compares_the_seats_at_member_price_only() -> None:
    # 2 seats at 4,500 with 10% off for members, a 1,000 coupon, 500 of points, 2,800 of snacks.
    before = Breakdown(9000, 900, 1000, 500, 50_000, 2800)
    assert exchange_difference(before, 8100) == 0  # the same seats' price: nothing to pay
    assert exchange_difference(before, 9000) == 900
    assert exchange_difference(before, 6000) == -2100


async def test_an_order_with_snacks_moves_at_the_same_price_for_nothing(counter: Counter) -> None:
    shop = counter.shop
    alice = await shop.login("alice")
    made = await counter.order(alice, ["A-1", "A-2"], [{"id": counter.popcorn, "qty": 2}])
    assert made.status_code == 201, made.text
    order = await counter.landed(alice, made.json()["id"])
    assert order["price"]["snacks_fen"] > 0
    seat_price = order["seats"][0]["price_fen"]
    other = await another_showtime(counter.runtime.db, counter.show, price_fen=seat_price)
    hold = await shop.hold(alice, other, ["C-4", "C-5"])

    quote = await shop.client.get(
        f"/api/v1/orders/{order['id']}/exchange-quote", params={"hold_id": hold["id"]}, headers=alice
    )
    assert quote.status_code == 200, quote.text
    assert (quote.json()["pay_fen"], quote.json()["refund_fen"]) == (0, 0)
    moved = await shop.client.post(
        f"/api/v1/orders/{order['id']}/exchange", json={"hold_id": hold["id"]}, headers=alice | key()
    )
    assert moved.status_code == 200, moved.text
    exchanged = moved.json()
    assert (exchanged["exchange"]["pay_fen"], exchanged["exchange"]["refund_fen"]) == (0, 0)
    assert exchanged["amount_fen"] == order["amount_fen"]
    assert exchanged["price"]["snacks_fen"] == order["price"]["snacks_fen"]
    assert exchanged["snacks"] == order["snacks"]
