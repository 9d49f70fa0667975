"""The exchange quote (``GET /orders/{id}/exchange-quote?hold_id=``): it answers what the exchange
then charges (same, lower and higher price; a fee; a member's free exchange), refuses with the
exchange's own codes and statuses, and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from seatcore.db.schema import exchanges, member_free_uses
from tests.exchange.conftest import Auth, LiveShop, Shop, another_showtime, set_policy, ticketed
from tests.exchange.test_exchange import ask_quote, exchange
from tests.exchange.test_member_quotas import TIERS, member_at
from tests.orders.conftest import runtime_of

CHARGED = ("old_amount_fen", "new_amount_fen", "fee_fen", "pay_fen", "refund_fen", "free_exchange")


ask = ask_quote


async def quoted(shop: Shop, auth: Auth, order_id: str, hold_id: str) -> dict[str, Any]:
    answer = await ask(shop, auth, order_id, hold_id)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def charged_as_quoted(shop: Shop, auth: Auth, order_id: str, hold_id: str, status: int = 200) -> None:
    quote = await quoted(shop, auth, order_id, hold_id)
    assert quote == await quoted(shop, auth, order_id, hold_id)  # asking twice changes nothing
    moved = await exchange(shop, auth, order_id, hold_id)
    assert moved.status_code == status, moved.text
    ex = moved.json()["exchange"]
    assert {name: quote[name] for name in CHARGED} == {name: ex[name] for name in CHARGED}
    assert quote["seats"] == [line["seat"] for line in moved.json()["seats"]] or status == 202


async def recorded(shop: Shop) -> int:
    async with runtime_of(shop.app).db.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(exchanges))).scalar_one())


async def test_the_quote_at_the_same_price_changes_nothing(shop: Shop) -> None:
    alice = await shop.login("alice")
    first = await shop.show(starts_in=timedelta(days=1))
    second = await another_showtime(runtime_of(shop.app).db, first)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-4", "C-5"])
    quote = await quoted(shop, alice, order["id"], hold["id"])
    assert quote | {"deadline": None} == {
        "order_id": order["id"],
        "from_showtime_id": first.showtime_id,
        "to_showtime_id": second,
        "seats": ["C-4", "C-5"],
        "old_amount_fen": 9000,
        "new_amount_fen": 9000,
        "difference_fen": 0,
        "fee_fen": 0,
        "free_exchange": False,
        "waived_fee_fen": 0,
        "free_exchanges_left": 0,
        "pay_fen": 0,
        "refund_fen": 0,
        "deadline": None,
    }
    assert quote["deadline"] is not None
    assert await recorded(shop) == 0 and (await shop.states(second))["C-4"] == "held"
    assert (await shop.get(alice, order["id"]))["showtime"]["id"] == first.showtime_id
    await charged_as_quoted(shop, alice, order["id"], hold["id"])


async def test_a_cheaper_exchange_with_a_fee_is_quoted_as_charged(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    await set_policy(db, first.cinema_id, tiers=TIERS, exchange_fee_fen=500)
    second = await another_showtime(db, first, price_fen=3000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-4", "C-5"])
    quote = await quoted(shop, alice, order["id"], hold["id"])
    assert (quote["difference_fen"], quote["fee_fen"], quote["refund_fen"], quote["pay_fen"]) == (
        -3000,
        1000,
        2000,
        0,
    )
    await charged_as_quoted(shop, alice, order["id"], hold["id"])


async def test_a_dearer_exchange_is_quoted_as_charged_and_while_paying(live_shop: LiveShop) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    await set_policy(db, first.cinema_id, tiers=TIERS, exchange_fee_fen=200)
    second = await another_showtime(db, first, price_fen=6000)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-4", "C-5"])
    quote = await quoted(shop, alice, order["id"], hold["id"])
    assert (quote["difference_fen"], quote["fee_fen"], quote["pay_fen"]) == (3000, 400, 3400)
    await charged_as_quoted(shop, alice, order["id"], hold["id"], status=202)
    assert await quoted(shop, alice, order["id"], hold["id"]) == quote  # the recorded exchange's figures
    assert (await shop.fake.notify_payment(f"{order['id']}-X")).status_code == 204
    done = await ask(shop, alice, order["id"], hold["id"])
    assert done.status_code == 409 and done.json()["error"]["code"] == "already_exchanged"


async def test_a_members_free_exchange_is_quoted_as_charged(shop: Shop) -> None:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    await set_policy(db, first.cinema_id, tiers=TIERS, exchange_fee_fen=300)
    second = await another_showtime(db, first)
    third = await another_showtime(db, first, starts_in=timedelta(days=3))
    one = await ticketed(shop, alice, first.showtime_id, ["A-1"])
    two = await ticketed(shop, alice, first.showtime_id, ["A-2"])
    await member_at(shop, alice, 2)  # V2: one free exchange a month

    hold = await shop.hold(alice, second, ["C-4"])
    quote = await quoted(shop, alice, one["id"], hold["id"])
    assert (quote["free_exchange"], quote["waived_fee_fen"], quote["fee_fen"]) == (True, 300, 0)
    assert quote["free_exchanges_left"] == 1
    async with db.connect() as conn:  # the quote takes no free exchange
        assert (await conn.execute(select(func.count()).select_from(member_free_uses))).scalar_one() == 0
    await charged_as_quoted(shop, alice, one["id"], hold["id"])

    hold = await shop.hold(alice, third, ["C-4"])
    quote = await quoted(shop, alice, two["id"], hold["id"])
    assert (quote["free_exchange"], quote["free_exchanges_left"], quote["fee_fen"], quote["pay_fen"]) == (
        False,
        0,
        300,
        300,
    )
    await charged_as_quoted(shop, alice, two["id"], hold["id"], status=202)


async def test_the_quote_refuses_bad_input_without_changing_anything(shop: Shop) -> None:
    """The refusals shared with the exchange are in test_exchange.py (its ``_refused`` asks both)."""
    alice, bob = await shop.login("alice"), await shop.login("bob")
    first = await shop.show(starts_in=timedelta(days=1))
    second = await another_showtime(runtime_of(shop.app).db, first)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-1", "C-2"])
    assert (await ask(shop, bob, order["id"], hold["id"])).status_code == 404  # someone else's order
    for bad in ("x", "0-zz", f"{second}-" + "a" * 32, "é" * 64, f"{second}-" + "0" * 32):
        answer = await ask(shop, alice, order["id"], bad)
        assert answer.status_code == 404, answer.text
    path = f"/api/v1/orders/{order['id']}/exchange-quote"
    for params in ({}, {"hold_id": ""}, {"hold_id": "h" * 65}, {"hold_id": hold["id"], "x": "1"}):
        answer = await shop.client.get(path, params=params, headers=alice)
        assert answer.status_code == 422, answer.text
    assert (await ask(shop, alice, "nope", hold["id"])).status_code == 404
    assert (await shop.client.get(path, params={"hold_id": hold["id"]})).status_code == 401
    assert await recorded(shop) == 0 and (await shop.states(second))["C-1"] == "held"
