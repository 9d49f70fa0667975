"""The counter: a paid order's snacks picked up once (two counters at once: one wins; the control
without the guard lets both), scoped to the staff's cinemas; refunds of orders with snacks."""

from __future__ import annotations

import asyncio
from collections import Counter as Tally
from typing import Any

import pytest
from sqlalchemy import update

from seatcore.db.schema import snack_pickups
from seatcore.store import snacks as store
from seatcore.store._time import utcnow
from tests.orders.conftest import key
from tests.snacks.conftest import Counter
from tests.staff.conftest import StaffHeaders

COUNTERS = 12


async def _paid_with_snacks(counter: Counter, name: str) -> tuple[dict[str, str], dict[str, Any]]:
    auth = await counter.shop.login(name)
    made = await counter.order(
        auth, ["A-1", "A-2"], [{"id": counter.popcorn, "qty": 2}, {"id": counter.cola, "qty": 1}]
    )
    assert made.status_code == 201, made.text
    return auth, await counter.landed(auth, made.json()["id"])


async def test_a_pickup_by_code_then_by_qr_is_refused_the_second_time(counter: Counter) -> None:
    auth, order = await _paid_with_snacks(counter, "dee")
    url = "/api/v1/staff/snack-pickups"
    first = await counter.shop.client.post(
        url, json={"code": order["pickup"]["code"].lower()}, headers=counter.staff
    )
    assert first.status_code == 200, first.text
    assert first.json()["order_id"] == order["id"]
    assert [(s["name"], s["qty"]) for s in first.json()["snacks"]] == [("爆米花（大）", 2), ("可乐", 1)]
    again = await counter.shop.client.post(url, json={"qr": order["pickup"]["qr"]}, headers=counter.staff)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_picked_up"
    assert again.json()["error"]["details"]["picked_up_by"] == "staff:counter"
    shown = await counter.shop.get(auth, order["id"])
    assert shown["pickup"]["picked_up_at"] is not None


async def test_the_counter_refuses_strangers_forgeries_and_other_cinemas(
    counter: Counter, staff_headers: StaffHeaders
) -> None:
    _auth, order = await _paid_with_snacks(counter, "eve")
    url = "/api/v1/staff/snack-pickups"
    other = await counter.shop.show()
    elsewhere = await staff_headers("elsewhere", cinemas=(other.cinema_id,))
    assert (
        await counter.shop.client.post(url, json={"code": order["pickup"]["code"]}, headers=elsewhere)
    ).status_code == 404
    tampered = order["pickup"]["qr"][:-4] + ("AAAA" if not order["pickup"]["qr"].endswith("AAAA") else "BBBB")
    forged = await counter.shop.client.post(url, json={"qr": tampered}, headers=counter.staff)
    assert forged.status_code == 422 and forged.json()["error"]["code"] == "pickup_invalid"
    ticket_qr = order["tickets"][0]["qr"]
    as_pickup = await counter.shop.client.post(url, json={"qr": ticket_qr}, headers=counter.staff)
    assert as_pickup.status_code == 422
    assert (
        await counter.shop.client.post(url, json={"code": "0O0O0O0O"}, headers=counter.staff)
    ).status_code == 404
    assert (await counter.shop.client.post(url, json={}, headers=counter.staff)).status_code == 422
    unknown = await counter.shop.client.post(url, json={"code": "ZZZZZZZZ"}, headers=counter.staff)
    assert unknown.status_code == 404
    shown = await store.find_pickup(counter.runtime.db, order["pickup"]["code"])
    assert shown is not None and shown.picked_up_at is None  # nothing changed


async def _many_counters(counter: Counter, code: str) -> Tally[str]:
    answers = await asyncio.gather(
        *(
            counter.shop.client.post(
                "/api/v1/staff/snack-pickups", json={"code": code}, headers=counter.staff
            )
            for _ in range(COUNTERS)
        )
    )
    return Tally("handed over" if a.status_code == 200 else a.json()["error"]["code"] for a in answers)


async def test_many_counters_at_once_hand_the_snacks_over_once(counter: Counter) -> None:
    _auth, order = await _paid_with_snacks(counter, "fay")
    assert await _many_counters(counter, order["pickup"]["code"]) == Tally(
        {"handed over": 1, "already_picked_up": COUNTERS - 1}
    )


async def _unguarded_mark(db: Any, code: str, by: str) -> bool:
    """The broken design: look, then write, in two steps."""
    found = await store.find_pickup(db, code)
    if found is None or found.picked_up_at is not None:
        return False
    await asyncio.sleep(0.01)
    async with db.begin() as conn:
        await conn.execute(
            update(snack_pickups)
            .where(snack_pickups.c.code == code)
            .values(picked_up_at=utcnow(), picked_up_by=by)
        )
    return True


async def test_control_without_the_guard_more_than_one_counter_hands_over(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "mark_picked_up", _unguarded_mark)
    _auth, order = await _paid_with_snacks(counter, "gus")
    assert (await _many_counters(counter, order["pickup"]["code"]))["handed over"] > 1


async def _refund(counter: Counter, auth: dict[str, str], order_id: str) -> dict[str, Any]:
    quoted = await counter.shop.client.get(f"/api/v1/orders/{order_id}/refund-quote", headers=auth)
    assert quoted.status_code == 200, quoted.text
    refunded = await counter.shop.client.post(f"/api/v1/orders/{order_id}/refund", headers=auth | key())
    assert refunded.status_code == 200, refunded.text
    return {"quote": quoted.json(), "order": refunded.json()}


async def test_a_refund_before_pickup_gives_snacks_money_and_stock_back(counter: Counter) -> None:
    auth, order = await _paid_with_snacks(counter, "hal")
    assert await counter.left(counter.popcorn) == 3
    done = await _refund(counter, auth, order["id"])
    assert done["quote"]["refund_fen"] == order["amount_fen"] == 2 * 4500 + 2 * 2800 + 1200
    assert done["order"]["status"] == "refunded"
    assert done["order"]["refund"]["amount_fen"] == order["amount_fen"]
    assert done["order"]["pickup"] is None  # nothing to pick up any more
    assert await counter.left(counter.popcorn) == 5
    refused = await counter.shop.client.post(
        "/api/v1/staff/snack-pickups", json={"code": order["pickup"]["code"]}, headers=counter.staff
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "order_refunded"


async def test_a_refund_after_pickup_keeps_the_snacks_money(counter: Counter) -> None:
    auth, order = await _paid_with_snacks(counter, "ivy")
    picked = await counter.shop.client.post(
        "/api/v1/staff/snack-pickups", json={"code": order["pickup"]["code"]}, headers=counter.staff
    )
    assert picked.status_code == 200
    done = await _refund(counter, auth, order["id"])
    snacks_fen = 2 * 2800 + 1200
    assert done["quote"]["refund_fen"] == order["amount_fen"] - snacks_fen
    assert done["quote"]["fee_fen"] == snacks_fen
    assert done["order"]["refund"]["amount_fen"] == order["amount_fen"] - snacks_fen
    assert await counter.left(counter.popcorn) == 5  # the order is refunded: its count goes back


async def test_the_refund_split_counts_points_against_the_tickets_first() -> None:
    from seatcore.domain.snacks import refund_split

    assert refund_split(10_000, 3000, picked_up=False).snacks_back_fen == 3000
    assert refund_split(2000, 3000, picked_up=False).snacks_back_fen == 2000
    kept = refund_split(10_000, 3000, picked_up=True)
    assert (kept.tickets_paid_fen, kept.snacks_back_fen, kept.snacks_kept_fen) == (7000, 0, 3000)
