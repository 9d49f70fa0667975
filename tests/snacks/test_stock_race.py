"""Invariant 13: many buyers of a snack with N left: exactly N are sold, stock never below zero;
and the control: without the script's all-in-one check-and-take, more than N are sold."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from seatcore import keys
from seatcore.errors import Conflict
from seatcore.snacks.stock import SnackStock
from tests.snacks.conftest import Counter

BUYERS = 25  # two seats each: the 5 x 10 hall, pair by pair


async def _rush(counter: Counter) -> tuple[int, int]:
    """BUYERS moviegoers hold two seats each (one after another, pair by pair: none stranded),
    then all order one popcorn (5 left) at once."""
    auths = [await counter.shop.login(f"fan{n}") for n in range(BUYERS)]
    pairs = [[f"{'ABCDE'[n // 5]}-{2 * (n % 5) + k}" for k in (1, 2)] for n in range(BUYERS)]
    holds = [
        await counter.shop.hold(a, counter.show.showtime_id, pair)
        for a, pair in zip(auths, pairs, strict=True)
    ]
    answers = await asyncio.gather(
        *(
            counter.order_hold(auth, hold["id"], [{"id": counter.popcorn, "qty": 1}])
            for auth, hold in zip(auths, holds, strict=True)
        )
    )
    codes = [a.json()["error"]["code"] if a.status_code != 201 else "sold" for a in answers]
    assert set(codes) <= {"sold", "snack_sold_out"}, codes
    raw = await counter.runtime.redis.hget(keys.snack_stock(counter.show.cinema_id), str(counter.popcorn))
    return codes.count("sold"), int(raw)


async def test_many_buyers_exactly_the_stock_is_sold(counter: Counter) -> None:
    sold, left = await _rush(counter)
    assert (sold, left) == (5, 0)


async def _unguarded_take(self: SnackStock, cinema_id: int, lines: Mapping[int, int]) -> None:
    """The broken design: read what is left, then take it in another step."""
    stock = keys.snack_stock(cinema_id)
    for snack_id, qty in lines.items():
        if not await self.redis.hexists(stock, str(snack_id)):
            await self.load(cinema_id, snack_id)
        left = int(await self.redis.hget(stock, str(snack_id)))
        if left != -1 and left < qty:
            raise Conflict("sold out", code="snack_sold_out", snack_id=snack_id, left=left)
    await asyncio.sleep(0.01)  # another buyer's read lands here
    for snack_id, qty in lines.items():
        await self.redis.hincrby(stock, str(snack_id), -qty)


async def test_control_without_the_atomic_take_more_than_the_stock_is_sold(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SnackStock, "take", _unguarded_take)
    sold, left = await _rush(counter)
    assert sold > 5 and left < 0


async def _rush_alone(counter: Counter) -> tuple[int, int]:
    """BUYERS moviegoers buy one popcorn alone (POST /api/v1/snack-orders, 5 left) at once."""
    from tests.orders.conftest import key

    auths = [await counter.shop.login(f"solo{n}") for n in range(BUYERS)]
    body = {"cinema_id": counter.show.cinema_id, "snacks": [{"id": counter.popcorn, "qty": 1}]}
    answers = await asyncio.gather(
        *(counter.shop.client.post("/api/v1/snack-orders", json=body, headers=a | key()) for a in auths)
    )
    codes = [a.json()["error"]["code"] if a.status_code != 201 else "sold" for a in answers]
    assert set(codes) <= {"sold", "snack_sold_out"}, codes
    raw = await counter.runtime.redis.hget(keys.snack_stock(counter.show.cinema_id), str(counter.popcorn))
    return codes.count("sold"), int(raw)


async def test_many_buyers_of_snacks_alone_exactly_the_stock_is_sold(counter: Counter) -> None:
    sold, left = await _rush_alone(counter)
    assert (sold, left) == (5, 0)


async def test_control_snacks_alone_without_the_atomic_take_oversell(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SnackStock, "take", _unguarded_take)
    sold, left = await _rush_alone(counter)
    assert sold > 5 and left < 0
