"""An exchange killed after each of its steps: at that moment the order has exactly one live set of
tickets and no seat is sold twice; the recovery pass then finishes it, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from seatcore.orders import exchange as exchange_module
from seatcore.orders import seatstate
from seatcore.orders.exchange import Exchanges
from seatcore.store import exchanges as exchange_store
from tests.exchange.conftest import Shop, another_showtime, live_tickets, ticketed
from tests.orders.conftest import runtime_of


class Crash(Exception):
    """The process dies here."""


def _dies_after(real: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def step(*args: Any, **kwargs: Any) -> Any:
        await real(*args, **kwargs)
        raise Crash

    return step


def _dies_before(real: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def step(*args: Any, **kwargs: Any) -> Any:
        raise Crash

    return step


# Where the process dies: (what, the patched attribute's owner, its name, die before or after it).
CRASHES = {
    "after the record, before the buy": (Exchanges, "_buy", _dies_before),
    "after the buy, before it is recorded": (Exchanges, "_buy", _dies_after),
    "after the buy, before the swap": (exchange_store, "swap", _dies_before),
    "after the swap, before the old seats are freed": (Exchanges, "_release_old", _dies_before),
    "after the old seats are freed, before done": (Exchanges, "_release_old", _dies_after),
}


async def _sold_to(shop: Shop, showtime_id: int) -> dict[str, str]:
    sold = await seatstate.sold_seats(runtime_of(shop.app).redis, showtime_id)
    assert sold is not None
    return sold


@pytest.mark.parametrize("where", list(CRASHES))
async def test_a_crash_between_steps_is_finished_by_recovery(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    alice = await shop.login("alice")
    db = runtime_of(shop.app).db
    first = await shop.show(starts_in=timedelta(days=1))
    second = await another_showtime(db, first)
    order = await ticketed(shop, alice, first.showtime_id, ["A-1", "A-2"])
    hold = await shop.hold(alice, second, ["C-4", "C-5"])
    found = await shop.orders.find(order["id"])
    assert found is not None
    old_set = [(first.showtime_id, "A-1"), (first.showtime_id, "A-2")]
    new_set = [(second, "C-4"), (second, "C-5")]

    owner, name, dying = CRASHES[where]
    with monkeypatch.context() as patch:
        patch.setattr(owner, name, dying(getattr(owner, name)))
        with pytest.raises(Crash):
            await shop.orders.exchanges.exchange(found.user_id, order["id"], hold["id"])

    # Seen from outside at the crash: one whole live set, the old or the new, and no seat sold twice.
    assert await live_tickets(db, order["id"]) in (old_set, new_set)
    for showtime_id in (first.showtime_id, second):
        for seat, owner_id in (await _sold_to(shop, showtime_id)).items():
            assert owner_id == order["id"], f"{seat} sold to {owner_id}"

    assert await shop.orders.exchanges.finish_pending() == 1  # the recovery pass
    assert await live_tickets(db, order["id"]) == new_set
    assert await _sold_to(shop, first.showtime_id) == {}
    assert await _sold_to(shop, second) == {"C-4": order["id"], "C-5": order["id"]}
    recorded = await exchange_store.get(db, order["id"])
    assert recorded is not None and recorded.state == "done"
    assert await shop.orders.exchanges.finish_pending() == 0
    assert (await shop.get(alice, order["id"]))["showtime"]["id"] == second


def test_every_step_of_the_exchange_has_a_crash_case() -> None:
    """The steps the crash cases patch are the ones the exchange runs (a renamed step fails here)."""
    for owner, name, _ in CRASHES.values():
        assert callable(getattr(owner, name))
    assert exchange_module.exchanges is exchange_store
