"""Snacks bought alone (POST /api/v1/snack-orders): an order without a showtime, priced on the
server, its stock taken at once, paid, picked up and refunded like any order; made once per
request; ended unpaid after its time to pay; refused with clear codes, changing nothing."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from seatcore.checker.runner import check_deployment
from seatcore.errors import Conflict
from seatcore.orders.inflight import InFlightOrders
from seatcore.payments import PaymentNotice
from tests.orders.conftest import Auth, key
from tests.snacks.conftest import Counter
from tests.staff.conftest import StaffHeaders


async def _made(counter: Counter, auth: Auth, lines: list[dict[str, int]]) -> dict[str, Any]:
    body = {"cinema_id": counter.show.cinema_id, "snacks": lines}
    answer = await counter.shop.client.post("/api/v1/snack-orders", json=body, headers=auth | key())
    assert answer.status_code == 201, answer.text
    order: dict[str, Any] = answer.json()
    return order


async def test_snacks_alone_are_priced_paid_landed_and_picked_up(counter: Counter) -> None:
    auth = await counter.shop.login("sam")
    before = datetime.now(UTC)
    order = await _made(counter, auth, [{"id": counter.popcorn, "qty": 2}, {"id": counter.cola, "qty": 1}])
    assert re.fullmatch(rf"S{counter.show.cinema_id}-[0-9a-f]{{14}}", order["id"])
    assert order["kind"] == "snacks" and order["status"] == "pending_payment"
    assert order["showtime"] is None and order["seats"] == [] and order["tickets"] == []
    assert order["cinema"]["id"] == counter.show.cinema_id and order["cinema"]["name"]
    assert order["price"]["list_fen"] == 0 and order["price"]["snacks_fen"] == 2 * 2800 + 1200
    assert order["amount_fen"] == 6800 and order["pickup"] is None
    pay_by = datetime.fromisoformat(order["expires_at"])
    assert before + timedelta(minutes=14) < pay_by <= datetime.now(UTC) + timedelta(minutes=15)
    assert await counter.left(counter.popcorn) == 3

    paid = await counter.shop.pay(auth, order["id"])
    assert paid["amount_fen"] == 6800
    landed = await counter.landed(auth, order["id"])
    assert landed["kind"] == "snacks" and landed["showtime"] is None
    assert landed["cinema"] == order["cinema"] and landed["snacks"] == order["snacks"]
    assert landed["pickup"]["code"] and landed["pickup"]["qr"].startswith("SC1.")
    assert landed["refundable_until"] is None
    listed = (await counter.shop.client.get("/api/v1/me/orders", headers=auth)).json()["items"]
    assert [(o["id"], o["kind"]) for o in listed] == [(order["id"], "snacks")]

    picked = await counter.shop.client.post(
        "/api/v1/staff/snack-pickups", json={"qr": landed["pickup"]["qr"]}, headers=counter.staff
    )
    assert picked.status_code == 200, picked.text
    assert picked.json()["order_id"] == order["id"]
    assert await counter.left(counter.popcorn) == 3
    sales = await counter.shop.client.get(
        f"/api/v1/staff/boxoffice/snacks?cinema_id={counter.show.cinema_id}", headers=counter.staff
    )
    assert sales.status_code == 200, sales.text
    assert (sales.json()["revenue_fen"], sales.json()["qty"]) == (6800, 3)
    report = await check_deployment(counter.runtime.redis, counter.runtime.db, max_life_ms=1_800_000)
    assert [(r.key, r.violations) for r in report.results if r.violations] == []


async def test_an_order_is_made_once_per_request(counter: Counter) -> None:
    auth = await counter.shop.login("tao")
    body = {"cinema_id": counter.show.cinema_id, "snacks": [{"id": counter.combo, "qty": 1}]}
    same = key()
    first = await counter.shop.client.post("/api/v1/snack-orders", json=body, headers=auth | same)
    again = await counter.shop.client.post("/api/v1/snack-orders", json=body, headers=auth | same)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert await counter.left(counter.combo) == 1
    # A first call that died before answering (its first order cancelled meanwhile): the
    # service's own guard (the request names the order it made) answers order_exists, and no
    # second order takes stock.
    service = counter.shop.orders
    lines = {counter.combo: 1}
    user_id = (await service.find(first.json()["id"])).user_id  # type: ignore[union-attr]
    await counter.shop.client.post(f"/api/v1/orders/{first.json()['id']}/cancel", headers=auth)
    made = await service.create_snacks(user_id, counter.show.cinema_id, lines, request="r1")
    with pytest.raises(Conflict) as again_made:
        await service.create_snacks(user_id, counter.show.cinema_id, lines, request="r1")
    assert again_made.value.code == "order_exists" and again_made.value.details["order_id"] == made.id
    assert await counter.left(counter.combo) == 1  # 2 once the first was cancelled, 1 taken by r1


async def test_refusals_change_nothing(counter: Counter) -> None:
    auth = await counter.shop.login("uma")
    off_sale = [{"id": counter.cola, "qty": 1}, {"id": counter.tea, "qty": 1}]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"snacks": [{"id": counter.popcorn, "qty": 6}]}, 409, "snack_sold_out"),
        ({"snacks": off_sale}, 409, "snack_unavailable"),
        ({"snacks": [{"id": 999_999, "qty": 1}]}, 404, "not_found"),
        ({"snacks": []}, 422, "validation_failed"),
        ({"snacks": [{"id": counter.popcorn, "qty": 0}]}, 422, "validation_failed"),
        ({"snacks": [{"id": counter.popcorn, "qty": 1}], "coupon_id": 1}, 422, "validation_failed"),
        ({"snacks": [{"id": counter.popcorn, "qty": 1}], "points": 10}, 409, "not_a_member"),
        ({"snacks": [{"id": counter.popcorn, "qty": 1}], "cinema_id": 999_999}, 404, "not_found"),
    ]
    for extra, status, code in cases:
        body = {"cinema_id": counter.show.cinema_id, **extra}
        answer = await counter.shop.client.post("/api/v1/snack-orders", json=body, headers=auth | key())
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), (body, answer.text)
    other = await counter.shop.show()  # another cinema's popcorn is not sold here
    answer = await counter.shop.client.post(
        "/api/v1/snack-orders",
        json={"cinema_id": other.cinema_id, "snacks": [{"id": counter.popcorn, "qty": 1}]},
        headers=auth | key(),
    )
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "snack_unavailable"
    no_auth = await counter.shop.client.post(
        "/api/v1/snack-orders", json={"cinema_id": counter.show.cinema_id, "snacks": []}, headers=key()
    )
    assert no_auth.status_code == 401
    assert await counter.left(counter.popcorn) == 5
    assert (await counter.shop.client.get("/api/v1/me/orders", headers=auth)).json()["items"] == []


async def test_cancel_and_expiry_give_the_stock_back_once(counter: Counter) -> None:
    auth = await counter.shop.login("vic")
    cancelled = await _made(counter, auth, [{"id": counter.combo, "qty": 2}])
    assert await counter.left(counter.combo) == 0
    for _ in range(2):
        answer = await counter.shop.client.post(f"/api/v1/orders/{cancelled['id']}/cancel", headers=auth)
        assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert await counter.left(counter.combo) == 2
    pay = await counter.shop.client.post(f"/api/v1/orders/{cancelled['id']}/pay", headers=auth | key())
    assert pay.status_code == 409 and pay.json()["error"]["code"] == "illegal_transition"

    lapsing = await _made(counter, auth, [{"id": counter.combo, "qty": 1}])
    assert await counter.left(counter.combo) == 1
    service = counter.shop.orders
    past = datetime.now(UTC) - timedelta(seconds=1)
    await service.inflight.change(lapsing["id"], lambda o: o.but(expires_at=past))
    expired = await counter.shop.get(auth, lapsing["id"])  # expiry is data: seen at once
    assert expired["status"] == "expired" and expired["reason"] == "hold_expired"
    assert await counter.left(counter.combo) == 2
    pay = await counter.shop.client.post(f"/api/v1/orders/{lapsing['id']}/pay", headers=auth | key())
    assert pay.status_code == 409

    late = PaymentNotice(
        order_id=lapsing["id"],
        transaction_id="sandbox-late-snacks",
        amount_fen=lapsing["amount_fen"],
        status="paid",
        paid_at=datetime.now(UTC),
        raw={},
    )
    await service.on_notice(late)
    refunded = await counter.shop.wait_status(auth, lapsing["id"], "refunded")
    assert refunded["reason"] == "late_payment" and refunded["refund"]["amount_fen"] == lapsing["amount_fen"]
    assert refunded["pickup"] is None
    assert await counter.left(counter.combo) == 2


async def test_the_sweeper_ends_an_unpaid_order_after_its_time_to_pay(counter: Counter) -> None:
    auth = await counter.shop.login("wen")
    order = await _made(counter, auth, [{"id": counter.popcorn, "qty": 1}])
    service = counter.shop.orders
    past = datetime.now(UTC) - timedelta(seconds=1)
    await service.inflight.change(order["id"], lambda o: o.but(expires_at=past))
    current = await service.inflight.get(order["id"])
    assert current is not None
    await service.check_hold(current)  # what the sweeper does with an order due for a look
    ended = await service.inflight.get(order["id"])
    assert ended is not None and ended.status.value == "expired"
    assert await counter.left(counter.popcorn) == 5


async def test_a_refund_gives_everything_back_until_pickup_then_is_refused(counter: Counter) -> None:
    auth = await counter.shop.login("xia")
    order = await _made(counter, auth, [{"id": counter.popcorn, "qty": 2}])
    await counter.shop.pay(auth, order["id"])
    await counter.landed(auth, order["id"])
    quote = await counter.shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=auth)
    assert quote.status_code == 200, quote.text
    assert quote.json() | {"free_refunds_left": 0} == quote.json() | {
        "refundable": True,
        "refusal": None,
        "paid_fen": 5600,
        "fee_fen": 0,
        "refund_fen": 5600,
        "deadline": None,
        "free_refund": False,
        "free_refunds_left": 0,
    }
    exchange = await counter.shop.client.post(
        f"/api/v1/orders/{order['id']}/exchange", json={"hold_id": "h"}, headers=auth | key()
    )
    assert exchange.status_code == 409 and exchange.json()["error"]["code"] == "not_exchangeable"
    refunded = await counter.shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=auth | key())
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["status"] == "refunded" and refunded.json()["refund"]["amount_fen"] == 5600
    assert await counter.left(counter.popcorn) == 5

    kept = await _made(counter, auth, [{"id": counter.popcorn, "qty": 1}])
    await counter.shop.pay(auth, kept["id"])
    landed = await counter.landed(auth, kept["id"])
    picked = await counter.shop.client.post(
        "/api/v1/staff/snack-pickups", json={"code": landed["pickup"]["code"]}, headers=counter.staff
    )
    assert picked.status_code == 200
    quote = await counter.shop.client.get(f"/api/v1/orders/{kept['id']}/refund-quote", headers=auth)
    assert quote.json()["refundable"] is False and quote.json()["refusal"] == "snacks_picked_up"
    refused = await counter.shop.client.post(f"/api/v1/orders/{kept['id']}/refund", headers=auth | key())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "snacks_picked_up"
    assert (await counter.shop.get(auth, kept["id"]))["status"] == "ticketed"
    assert await counter.left(counter.popcorn) == 4


async def test_staff_find_and_refund_snack_orders_of_their_cinemas_only(
    counter: Counter, staff_headers: StaffHeaders
) -> None:
    auth = await counter.shop.login("yan")
    order = await _made(counter, auth, [{"id": counter.cola, "qty": 3}])
    await counter.shop.pay(auth, order["id"])
    await counter.landed(auth, order["id"])
    client, staff = counter.shop.client, counter.staff
    found = await client.get(f"/api/v1/staff/orders?cinema_id={counter.show.cinema_id}", headers=staff)
    assert found.status_code == 200, found.text
    item = next(i for i in found.json()["items"] if i["id"] == order["id"])
    assert item["kind"] == "snacks" and item["showtime_id"] is None and item["movie_title"] is None
    assert item["cinema_id"] == counter.show.cinema_id and item["amount_fen"] == 3600
    detail = await client.get(f"/api/v1/staff/orders/{order['id']}", headers=staff)
    assert detail.status_code == 200 and detail.json()["starts_at"] is None

    other = await counter.shop.show()
    stranger = await staff_headers("elsewhere", cinemas=(other.cinema_id,))
    assert (await client.get(f"/api/v1/staff/orders/{order['id']}", headers=stranger)).status_code == 404
    theirs = await client.get("/api/v1/staff/orders", headers=stranger)
    assert order["id"] not in [i["id"] for i in theirs.json()["items"]]
    refused = await client.post(
        f"/api/v1/staff/orders/{order['id']}/refund", json={"reason": "not mine"}, headers=stranger
    )
    assert refused.status_code == 404

    refunded = await client.post(
        f"/api/v1/staff/orders/{order['id']}/refund", json={"reason": "wrong drink"}, headers=staff
    )
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["order"]["status"] == "refunded"
    assert (await counter.shop.get(auth, order["id"]))["status"] == "refunded"


async def test_members_quote_and_pay_snacks_alone_with_points_given_back_on_refund(counter: Counter) -> None:
    from tests.loyalty.conftest import balance, give_points, join

    auth = await counter.shop.login("ada")
    await join(counter.shop, auth)
    await give_points(counter.shop, auth, 5000)
    body = {"cinema_id": counter.show.cinema_id, "snacks": [{"id": counter.popcorn, "qty": 2}]}
    client = counter.shop.client
    quoted = await client.post("/api/v1/snack-orders/quote", json=body, headers=auth)
    assert quoted.status_code == 200, quoted.text
    most = quoted.json()["max_points"]
    assert quoted.json()["price"]["paid_fen"] == 5600 and 0 < most < 5600
    with_points = await client.post("/api/v1/snack-orders/quote", json=body | {"points": most}, headers=auth)
    price = with_points.json()["price"]
    assert price["points_used"] == most and price["paid_fen"] == 5600 - price["points_fen"]
    too_many = await client.post(
        "/api/v1/snack-orders/quote", json=body | {"points": most + 100}, headers=auth
    )
    assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "points_over_cap"
    assert await counter.left(counter.popcorn) == 5  # a quote takes nothing

    made = await client.post("/api/v1/snack-orders", json=body | {"points": most}, headers=auth | key())
    assert made.status_code == 201 and made.json()["price"] == price
    assert await balance(counter.shop, auth) == 5000 - most  # reserved with the order
    await counter.shop.pay(auth, made.json()["id"])
    await counter.landed(auth, made.json()["id"])
    refunded = await client.post(f"/api/v1/orders/{made.json()['id']}/refund", headers=auth | key())
    assert refunded.status_code == 200 and refunded.json()["refund"]["amount_fen"] == price["paid_fen"]
    assert await balance(counter.shop, auth) == 5000  # the points came back with the refund


async def test_one_unpaid_order_of_snacks_alone_per_cinema(counter: Counter) -> None:
    """As one hold per showtime: a moviegoer cannot keep a cinema's limited snacks out of sale
    with a pile of unpaid orders; the one they have must be paid, cancelled or run out first."""
    auth = await counter.shop.login("ben")
    first = await _made(counter, auth, [{"id": counter.popcorn, "qty": 1}])
    body = {"cinema_id": counter.show.cinema_id, "snacks": [{"id": counter.popcorn, "qty": 1}]}
    client = counter.shop.client
    second = await client.post("/api/v1/snack-orders", json=body, headers=auth | key())
    assert second.status_code == 409, second.text
    assert second.json()["error"]["code"] == "unpaid_order_exists"
    assert second.json()["error"]["details"]["order_id"] == first["id"]
    assert await counter.left(counter.popcorn) == 4  # the refused one took nothing
    other = await counter.shop.login("bo")  # another moviegoer is not held up
    assert (await client.post("/api/v1/snack-orders", json=body, headers=other | key())).status_code == 201

    await client.post(f"/api/v1/orders/{first['id']}/cancel", headers=auth)
    paying = await _made(counter, auth, [{"id": counter.popcorn, "qty": 1}])  # after a cancel
    await counter.shop.pay(auth, paying["id"])
    await counter.shop.wait_status(auth, paying["id"], "ticketed")
    lapsing = await _made(counter, auth, [{"id": counter.popcorn, "qty": 1}])  # after a payment
    past = datetime.now(UTC) - timedelta(seconds=1)
    await counter.shop.orders.inflight.change(lapsing["id"], lambda o: o.but(expires_at=past))
    assert (await client.post("/api/v1/snack-orders", json=body, headers=auth | key())).status_code == 201


async def _rush_of_one(counter: Counter) -> list[int]:
    auth = await counter.shop.login("hoarder")
    body = {"cinema_id": counter.show.cinema_id, "snacks": [{"id": counter.cola, "qty": 1}]}
    answers = await asyncio.gather(
        *(
            counter.shop.client.post("/api/v1/snack-orders", json=body, headers=auth | key())
            for _ in range(12)
        )
    )
    return [answer.status_code for answer in answers]


async def test_many_orders_at_once_from_one_moviegoer_make_one(counter: Counter) -> None:
    statuses = await _rush_of_one(counter)
    assert sorted(statuses) == [201] + [409] * 11


async def test_control_without_the_atomic_claim_one_moviegoer_makes_several(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unguarded(
        self: InFlightOrders, order: Any, *, check_at: Any, made_from: str, unpaid: str, unpaid_ttl_ms: int
    ) -> tuple[str, str]:
        """The broken design: read the claim and its order, then store in other steps."""
        held = await self.made_from(unpaid)
        current = await self.get(held) if held else None
        if current is not None and current.status.value == "pending_payment":
            return ("unpaid", held or "")
        await asyncio.sleep(0.01)  # another order of the same moviegoer lands here
        await self._redis.set(unpaid, order.id, px=unpaid_ttl_ms)
        made = await self.create(order, check_at=check_at, made_from=made_from)
        return ("made", made) if made else ("ok", "")

    monkeypatch.setattr(InFlightOrders, "create_alone", unguarded)
    statuses = await _rush_of_one(counter)
    assert statuses.count(201) > 1
