"""Exchange (改签) through the API: the happy path at the same, a lower and a higher price (the second
payment through the WeChat Pay fake), the refusals with their codes, and the checker's invariant 11."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from seatcore.checker.runner import check_once
from seatcore.db.schema import tickets
from tests.exchange.conftest import (
    Auth,
    LiveShop,
    Shop,
    another_showtime,
    live_tickets,
    set_policy,
    ticketed,
)
from tests.factories import make_movie
from tests.orders.conftest import key, runtime_of


async def exchange(shop: Shop, auth: Auth, order_id: str, hold_id: str, **headers: str) -> Any:
    return await shop.client.post(
        f"/api/v1/orders/{order_id}/exchange", json={"hold_id": hold_id}, headers=auth | (headers or key())
    )


async def ask_quote(shop: Shop, auth: Auth, order_id: str, hold_id: str) -> Any:
    return await shop.client.get(
        f"/api/v1/orders/{order_id}/exchange-quote", params={"hold_id": hold_id}, headers=auth
    )


async def _seq(shop: Shop, showtime_id: int) -> int:
    response = await shop.client.get(f"/api/v1/showtimes/{showtime_id}/seats")
    assert response.status_code == 200, response.text
    return int(response.json()["seq"])


async def checker_clean(shop: Shop) -> None:
    runtime = runtime_of(shop.app)
    results, _ = await check_once(runtime.redis, runtime.db, max_life_ms=3_600_000)
    assert [r.violations for r in results if not r.ok] == []
    assert next(r for r in results if r.key == "exchanges").checked >= 1


async def test_an_exchange_moves_the_whole_order_to_the_new_seats(shop: Shop) -> None:
    alice = await shop.login("alice")
    first = await shop.show(starts_in=timedelta(days=1))
    second = await another_showtime(runtime_of(shop.app).db, first)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-4", "C-5"])
    seq_before = [await _seq(shop, showtime_id) for showtime_id in (first.showtime_id, second)]

    headers = key()
    moved = await exchange(shop, alice, order["id"], hold["id"], **headers)
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["id"] == order["id"] and body["status"] == "ticketed" and body["showtime"]["id"] == second
    assert [line["seat"] for line in body["seats"]] == ["C-4", "C-5"] and body["amount_fen"] == 9000
    assert {t["seat"]: t["live"] for t in body["tickets"]} == {
        "A-1": False,
        "A-2": False,
        "C-4": True,
        "C-5": True,
    }
    assert body["exchange"] | {"pay_params": None} == {
        "state": "done",
        "from_showtime_id": first.showtime_id,
        "to_showtime_id": second,
        "old_amount_fen": 9000,
        "new_amount_fen": 9000,
        "fee_fen": 0,
        "pay_fen": 0,
        "refund_fen": 0,
        "free_exchange": False,
        "free_exchanges_left": 0,
        "pay_params": None,
    }
    assert await live_tickets(runtime_of(shop.app).db, order["id"]) == [(second, "C-4"), (second, "C-5")]
    old, new = await shop.states(first.showtime_id), await shop.states(second)
    assert old["A-1"] == old["A-2"] == "free" and new["C-4"] == new["C-5"] == "sold"
    # Both live maps changed: each showtime took new sequence numbers (published to its watchers).
    seq_after = [await _seq(shop, showtime_id) for showtime_id in (first.showtime_id, second)]
    assert seq_after[0] > seq_before[0] and seq_after[1] > seq_before[1]

    again = await exchange(shop, alice, order["id"], hold["id"], **headers)  # a retry: the first answer
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == body
    assert (await shop.get(alice, order["id"]))["showtime"]["id"] == second
    await checker_clean(shop)


async def test_a_cheaper_exchange_refunds_the_difference_less_the_fee(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    await set_policy(
        db, first.cinema_id, tiers=[{"until_before_min": 30, "fee_percent": 0}], exchange_fee_fen=500
    )
    second = await another_showtime(db, first, price_fen=3000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-4", "C-5"])
    moved = await exchange(shop, alice, order["id"], hold["id"])
    assert moved.status_code == 200, moved.text
    assert moved.json()["exchange"]["fee_fen"] == 1000 and moved.json()["exchange"]["refund_fen"] == 2000
    sent = shop.fake.refunds[f"{order['id']}-XR"]["amount"]
    assert (sent["refund"], sent["total"]) == (2000, 9000)
    notice = await shop.fake.notify_refund(f"{order['id']}-XR")  # its refund notice is taken
    assert notice.status_code == 204, notice.text

    # A later refund gives back what the order still holds: 9000 - 2000 out of the first payment.
    quote = (await shop.client.get(f"/api/v1/orders/{order['id']}/refund-quote", headers=alice)).json()
    assert quote["paid_fen"] == 7000 and quote["refund_fen"] == 7000
    refunded = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200, refunded.text
    sent = shop.fake.refunds[f"{order['id']}-R"]["amount"]
    assert (sent["refund"], sent["total"]) == (7000, 9000)
    assert (await shop.states(second))["C-4"] == "free"
    await checker_clean(shop)


async def test_a_dearer_exchange_waits_for_its_second_payment(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    second = await another_showtime(db, first, price_fen=6000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-4", "C-5"])

    due = await exchange(shop, alice, order["id"], hold["id"])
    assert due.status_code == 202, due.text
    assert due.json()["exchange"]["state"] == "paying" and due.json()["exchange"]["pay_fen"] == 3000
    assert due.json()["exchange"]["pay_params"]["package"].startswith("prepay_id=")
    assert due.json()["showtime"]["id"] == first.showtime_id  # nothing moved before the payment
    assert await live_tickets(db, order["id"]) == [(first.showtime_id, "A-1"), (first.showtime_id, "A-2")]

    paid = await shop.fake.notify_payment(f"{order['id']}-X")  # the moviegoer pays; WeChat Pay calls
    assert paid.status_code == 204, paid.text
    assert await live_tickets(db, order["id"]) == [(second, "C-4"), (second, "C-5")]
    done = await exchange(shop, alice, order["id"], hold["id"])  # the client's call after paying
    assert done.status_code == 200 and done.json()["exchange"]["state"] == "done"
    assert (await shop.states(first.showtime_id))["A-1"] == "free"

    # The refund of an exchanged order goes back to both payments.
    refunded = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200, refunded.text
    first_part = shop.fake.refunds[f"{order['id']}-R"]["amount"]
    second_part = shop.fake.refunds[f"{order['id']}-X-R"]["amount"]
    assert (first_part["refund"], first_part["total"]) == (9000, 9000)
    assert (second_part["refund"], second_part["total"]) == (3000, 3000)
    await checker_clean(shop)


async def test_a_second_payment_the_hold_outlived_is_refunded(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    second = await another_showtime(db, first, price_fen=6000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1"])
    hold = await shop.hold(alice, second, ["C-4"])
    assert (await exchange(shop, alice, order["id"], hold["id"])).status_code == 202
    released = await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)
    assert released.status_code in (200, 204), released.text

    assert (await shop.fake.notify_payment(f"{order['id']}-X")).status_code == 204
    sent = shop.fake.refunds[f"{order['id']}-X-R"]["amount"]
    assert (sent["refund"], sent["total"]) == (1500, 1500)
    assert await live_tickets(db, order["id"]) == [(first.showtime_id, "A-1")]
    late = await exchange(shop, alice, order["id"], hold["id"])
    assert late.status_code == 409 and late.json()["error"]["code"] == "already_exchanged"


async def _refused(shop: Shop, auth: Auth, order_id: str, hold_id: str, code: str, status: int = 409) -> None:
    """The exchange refuses, and its quote first refuses alike (same status, same code)."""
    for answer in (
        await ask_quote(shop, auth, order_id, hold_id),
        await exchange(shop, auth, order_id, hold_id),
    ):
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["code"] == code


async def test_refusals_have_stable_codes(shop: Shop) -> None:
    alice, bob = await shop.login("alice"), await shop.login("bob")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])

    other_movie = await another_showtime(db, first, movie_id=await make_movie(db, title="Another"))
    hold = await shop.hold(alice, other_movie, ["A-1", "A-2"])
    await _refused(shop, alice, order["id"], hold["id"], "exchange_other_movie")
    await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)  # at most 3 live holds

    elsewhere = await shop.show(starts_in=timedelta(days=2), movie_id=first.movie_id)
    hold = await shop.hold(alice, elsewhere.showtime_id, ["A-1", "A-2"])
    await _refused(shop, alice, order["id"], hold["id"], "exchange_other_cinema")
    await shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)

    second = await another_showtime(db, first)
    one_seat = await shop.hold(alice, second, ["C-1"])
    await _refused(shop, alice, order["id"], one_seat["id"], "seat_count_differs")
    await shop.client.delete(f"/api/v1/holds/{one_seat['id']}", headers=alice)

    bobs = await shop.hold(bob, second, ["D-1", "D-2"])
    await _refused(shop, alice, order["id"], bobs["id"], "hold_not_owned", 403)

    unpaid = await shop.order(alice, (await shop.hold(alice, first.showtime_id, ["E-1", "E-2"]))["id"])
    hold = await shop.hold(alice, second, ["C-1", "C-2"])
    await _refused(shop, alice, unpaid["id"], hold["id"], "order_not_ticketed")
    stranger = await exchange(shop, bob, order["id"], hold["id"])
    assert stranger.status_code == 404
    assert (await ask_quote(shop, bob, order["id"], hold["id"])).status_code == 404

    assert (await exchange(shop, alice, order["id"], hold["id"])).status_code == 200
    third = await another_showtime(db, first, starts_in=timedelta(days=3))
    hold = await shop.hold(alice, third, ["A-1", "A-2"])
    await _refused(shop, alice, order["id"], hold["id"], "already_exchanged")

    bad = await shop.client.post(
        f"/api/v1/orders/{order['id']}/exchange", json={"hold": "x"}, headers=alice | key()
    )
    assert bad.status_code == 422
    missing_key = await shop.client.post(
        f"/api/v1/orders/{order['id']}/exchange", json={"hold_id": hold["id"]}, headers=alice
    )
    assert missing_key.status_code == 400


async def test_exchanges_close_at_the_cinemas_cut_off(shop: Shop) -> None:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    soon = await shop.show(starts_in=timedelta(minutes=25))  # the default cut-off: 30 minutes before
    later = await another_showtime(db, soon)
    order = await ticketed(shop, alice, soon.showtime_id, ["A-1"])
    hold = await shop.hold(alice, later, ["A-1"])
    await _refused(shop, alice, order["id"], hold["id"], "exchange_closed")

    await set_policy(
        db, soon.cinema_id, tiers=[{"until_before_min": 30, "fee_percent": 0}], exchange_until_before_min=10
    )
    quote = await ask_quote(shop, alice, order["id"], hold["id"])  # the cut-off, in the cinema's zone
    deadline = datetime.fromisoformat(quote.json()["deadline"])
    assert deadline == (soon.starts_at - timedelta(minutes=10)).replace(microsecond=0)
    assert deadline.utcoffset() == timedelta(hours=8)
    assert (await exchange(shop, alice, order["id"], hold["id"])).status_code == 200


async def test_the_checker_sees_two_live_sets(shop: Shop) -> None:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show()
    second = await another_showtime(db, first)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1"])
    hold = await shop.hold(alice, second, ["B-1"])
    assert (await exchange(shop, alice, order["id"], hold["id"])).status_code == 200
    await checker_clean(shop)
    async with db.begin() as conn:  # the old ticket live again beside the new one
        await conn.execute(
            update(tickets)
            .where(tickets.c.order_id == order["id"], tickets.c.seat_id == "A-1")
            .values(live=True)
        )
    runtime = runtime_of(shop.app)
    results, _ = await check_once(runtime.redis, runtime.db, max_life_ms=3_600_000)
    found = next(r for r in results if r.key == "exchanges")
    assert len(found.violations) == 1 and order["id"] in found.violations[0]


def test_the_openapi_document_declares_both_successes(shop: Shop) -> None:
    operation = shop.app.state.openapi["paths"]["/api/v1/orders/{order_id}/exchange"]["post"]
    assert {"200", "202", "403", "404", "409"} <= set(operation["responses"])
    assert operation["responses"]["202"]["content"] == operation["responses"]["200"]["content"]
    quote = shop.app.state.openapi["paths"]["/api/v1/orders/{order_id}/refund-quote"]["get"]
    assert "200" in quote["responses"]
