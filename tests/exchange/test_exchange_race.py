"""Many exchanges of one order at once, each to seats held on another showtime: exactly one wins,
the order keeps one live set of tickets, and no seat is sold to it on a losing showtime. The
control replaces the once-per-order guard (the exchange row's primary key) with an insert that
shrugs off the duplicate, and shows that the race test would then catch it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.checker.runner import check_once
from seatcore.db.schema import exchanges as exchanges_table
from seatcore.orders import seatstate
from seatcore.orders.exchange import Exchanges
from seatcore.store import exchanges as exchange_store
from seatcore.store.exchanges import Exchange
from tests.exchange.conftest import Shop, another_showtime, live_tickets, ticketed
from tests.orders.conftest import key, runtime_of

CONTENDERS = 3  # one live hold per showtime and at most three live holds per moviegoer


async def _race(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run the race; answers what went wrong (nothing, when the guard holds)."""
    alice = await shop.login("alice")
    runtime = runtime_of(shop.app)
    first = await shop.show(starts_in=timedelta(days=1))
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    targets = [
        await another_showtime(runtime.db, first, starts_in=timedelta(days=2 + n)) for n in range(CONTENDERS)
    ]
    holds = [await shop.hold(alice, showtime_id, ["C-4", "C-5"]) for showtime_id in targets]

    # Every contender has planned its exchange before any records it: the guard alone decides.
    together = asyncio.Barrier(CONTENDERS)
    plan = Exchanges._plan

    async def plan_together(self: Exchanges, *args: Any) -> Exchange:
        planned = await plan(self, *args)
        await asyncio.wait_for(together.wait(), 10)
        return planned

    monkeypatch.setattr(Exchanges, "_plan", plan_together)
    answers = await asyncio.gather(
        *[
            shop.client.post(
                f"/api/v1/orders/{order['id']}/exchange", json={"hold_id": hold["id"]}, headers=alice | key()
            )
            for hold in holds
        ]
    )
    problems: list[str] = []
    won = [n for n, answer in enumerate(answers) if answer.status_code == 200]
    lost = [answer.json()["error"]["code"] for answer in answers if answer.status_code != 200]
    if len(won) != 1:
        problems.append(f"{len(won)} exchanges won")
    if any(code not in ("exchange_in_progress", "already_exchanged") for code in lost):
        problems.append(f"losers answered {lost}")
    live = await live_tickets(runtime.db, order["id"])
    if len(live) != 2 or len({showtime for showtime, _ in live}) != 1:
        problems.append(f"live tickets {live}")
    for n, showtime_id in enumerate(targets):
        sold = await seatstate.sold_seats(runtime.redis, showtime_id) or {}
        if n not in won and sold:
            problems.append(f"seats {sorted(sold)} of losing showtime {showtime_id} sold")
    results, _ = await check_once(runtime.redis, runtime.db, max_life_ms=3_600_000)
    problems.extend(line for result in results for line in result.violations)
    return problems


async def test_of_many_exchanges_of_one_order_exactly_one_wins(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await _race(shop, monkeypatch) == []


async def _claim_ignoring_duplicates(db: AsyncEngine, ex: Exchange) -> bool:
    """The broken guard: a duplicate row is taken for success."""
    try:
        async with db.begin() as conn:
            await conn.execute(insert(exchanges_table).values(exchange_store._row(ex)))
    except IntegrityError:
        pass
    return True


async def test_control_without_the_guard_the_race_test_fails(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange_store, "claim", _claim_ignoring_duplicates)
    problems = await _race(shop, monkeypatch)
    assert any(problem.endswith("exchanges won") for problem in problems), problems
