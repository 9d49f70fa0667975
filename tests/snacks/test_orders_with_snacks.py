"""Snacks bought with tickets: priced on the server, paid in one payment, stock taken at once and
given back when the order ends unpaid; the public menu; the refusals."""

from __future__ import annotations

from tests.snacks.conftest import Counter


async def test_the_menu_lists_what_is_on_sale_in_order_with_stock(counter: Counter) -> None:
    answer = await counter.shop.client.get(f"/api/v1/cinemas/{counter.show.cinema_id}/snacks")
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [item["id"] for item in items] == [counter.popcorn, counter.cola, counter.combo]
    assert [item["stock_left"] for item in items] == [5, None, 2]
    assert items[2]["kind"] == "combo"
    assert items[2]["contents"] == [{"name": "爆米花", "qty": 1}, {"name": "可乐", "qty": 2}]
    assert items[0]["contents"] == [] and items[0]["picture_url"] is None
    assert (await counter.shop.client.get("/api/v1/cinemas/999999/snacks")).status_code == 404


async def test_snacks_are_priced_on_the_server_and_paid_with_the_tickets(counter: Counter) -> None:
    auth = await counter.shop.login("ann")
    lines = [{"id": counter.popcorn, "qty": 2}, {"id": counter.cola, "qty": 1}]
    hold = await counter.shop.hold(auth, counter.show.showtime_id, ["A-1"])
    quoted = await counter.shop.client.post(
        f"/api/v1/holds/{hold['id']}/quote", json={"snacks": lines}, headers=auth
    )
    assert quoted.status_code == 200, quoted.text
    assert quoted.json()["price"]["snacks_fen"] == 2 * 2800 + 1200
    from tests.orders.conftest import key

    made = await counter.shop.client.post(
        "/api/v1/orders", json={"hold_id": hold["id"], "snacks": lines}, headers=auth | key()
    )
    assert made.status_code == 201, made.text
    order = made.json()
    assert order["price"]["snacks_fen"] == 6800
    assert order["amount_fen"] == 4500 + 6800 == order["price"]["paid_fen"]
    assert order["snacks"] == [
        {"id": counter.popcorn, "name": "爆米花（大）", "qty": 2, "price_fen": 2800},
        {"id": counter.cola, "name": "可乐", "qty": 1, "price_fen": 1200},
    ]
    assert order["pickup"] is None  # not before it is paid
    assert await counter.left(counter.popcorn) == 3  # taken when the order was made
    paid = await counter.shop.pay(auth, order["id"])
    assert paid["amount_fen"] == 11300
    ticketed = await counter.landed(auth, order["id"])
    assert ticketed["pickup"]["code"] and ticketed["pickup"]["qr"].startswith("SC1.")
    assert ticketed["pickup"]["picked_up_at"] is None
    assert ticketed["snacks"] == order["snacks"]  # the same lines, now read from MySQL
    listed = await counter.shop.client.get("/api/v1/me/orders", headers=auth)
    assert listed.json()["items"][0]["snacks"] == order["snacks"]
    assert await counter.left(counter.popcorn) == 3


async def test_a_cancelled_order_gives_its_snacks_back_once(counter: Counter) -> None:
    auth = await counter.shop.login("bea")
    made = await counter.order(auth, ["A-1"], [{"id": counter.combo, "qty": 2}])
    assert made.status_code == 201, made.text
    assert await counter.left(counter.combo) == 0
    for _ in range(2):
        await counter.shop.client.post(f"/api/v1/orders/{made.json()['id']}/cancel", headers=auth)
    assert await counter.left(counter.combo) == 2
    await counter.shop.orders._snacks_back(await counter.shop.orders.find(made.json()["id"]))  # type: ignore[arg-type]
    assert await counter.left(counter.combo) == 2


async def test_refusals_change_nothing(counter: Counter) -> None:
    auth = await counter.shop.login("cai")
    sold_out = await counter.order(auth, ["A-1"], [{"id": counter.popcorn, "qty": 6}])
    assert sold_out.status_code == 409
    assert sold_out.json()["error"]["code"] == "snack_sold_out"
    assert sold_out.json()["error"]["details"] == {"snack_id": counter.popcorn, "left": 5}
    assert await counter.left(counter.popcorn) == 5
    off_sale = await counter.order(
        auth, ["A-1"], [{"id": counter.popcorn, "qty": 1}, {"id": counter.tea, "qty": 1}]
    )
    assert off_sale.status_code == 409 and off_sale.json()["error"]["code"] == "snack_unavailable"
    assert await counter.left(counter.popcorn) == 5
    other = await counter.shop.show()
    from seatcore.store import snacks as store

    elsewhere = await store.create(
        counter.runtime.db, None, other.cinema_id, {"kind": "item", "name": "x", "price_fen": 100}
    )
    wrong = await counter.order(auth, ["A-1"], [{"id": elsewhere.id, "qty": 1}])
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "snack_unavailable"
    unknown = await counter.order(auth, ["A-1"], [{"id": 987654, "qty": 1}])
    assert unknown.status_code == 404
    too_many = await counter.order(auth, ["A-1"], [{"id": counter.cola, "qty": 11}])
    assert too_many.status_code == 422


async def test_member_price_and_coupons_leave_snacks_alone_points_may_pay_them() -> None:
    from seatcore.domain.pricing import CouponTerms, MemberPrices, price_order

    seats = {"A-1": ("std", 4000)}
    price = price_order(
        seats,
        member=MemberPrices(discount_percent=10),
        coupon=CouponTerms("percent", 50),
        snacks_fen=2000,
        points=1500,  # 15 yuan: over half the tickets' 18 yuan, under half of tickets and snacks
    )
    assert price.member_discount_fen == 400  # of the ticket only
    assert price.coupon_fen == 1800  # half the member-priced ticket, not of the snacks
    assert price.snacks_fen == 2000
    assert price.points_fen == 1500
    assert price.paid_fen == 4000 - 400 - 1800 + 2000 - 1500


async def test_a_second_order_from_one_hold_is_order_exists_even_when_its_snacks_ran_out(
    counter: Counter,
) -> None:
    """A retry whose first call made the order is told so (and given its id) before any stock is
    taken again: the last popcorn went to that very order, so taking first would say sold out."""
    import pytest

    from seatcore.errors import Conflict

    auth = await counter.shop.login("dot")
    hold = await counter.shop.hold(auth, counter.show.showtime_id, ["A-1"])
    made = await counter.order_hold(auth, hold["id"], [{"id": counter.popcorn, "qty": 5}])
    assert made.status_code == 201, made.text
    order = await counter.shop.orders.find(made.json()["id"])
    assert order is not None and await counter.left(counter.popcorn) == 0
    with pytest.raises(Conflict) as again:
        await counter.shop.orders.create(order.user_id, hold["id"], snacks={counter.popcorn: 5})
    assert again.value.code == "order_exists" and again.value.details["order_id"] == order.id
    assert await counter.left(counter.popcorn) == 0
