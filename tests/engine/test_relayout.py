"""A hall's new layout reaches a showtime already on sale: holds and sales on seats that are still
there are kept, holds with a seat that is gone end, and seat maps resync under a new epoch."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from seatcore import keys
from seatcore.domain.layout import grid_layout
from seatcore.engine.service import SeatEngine
from seatcore.errors import SeatcoreError
from tests.engine.conftest import FakeSeating
from tests.engine.test_sweeper_and_rebuild import _message


async def test_a_new_layout_keeps_what_it_can_and_ends_the_rest(
    engine: SeatEngine, source: FakeSeating, aredis: aioredis.Redis
) -> None:
    source.add(1, grid_layout(5, 10))  # rows A-E
    kept = await engine.hold(1, 1, seats=["A-1", "A-2"])
    doomed = await engine.hold(1, 2, seats=["D-9", "D-10", "E-9", "E-10"])  # row E goes
    bought = await engine.hold(1, 3, seats=["C-4", "C-5"])
    await engine.buy(bought.id, 3, "order-1")
    before = await engine.snapshot(1, None)

    source.add(1, grid_layout(4, 12))  # staff drop row E and widen the rows
    async with aredis.pubsub() as pubsub:
        await pubsub.subscribe(keys.seat_changes(1))
        assert await engine.relayout(1) == [doomed.id]
        after = await engine.snapshot(1, None)
        message = await _message(pubsub, 1, after.epoch)

    assert after.epoch != before.epoch and after.seq == before.seq + 1
    assert message["seq"] == after.seq
    assert message["changes"] == [{"seat": seat, "state": "free"} for seat in ("D-9", "D-10", "E-9", "E-10")]
    assert set(after.states) == {f"{row}-{n}" for row in "ABCD" for n in range(1, 13)}
    taken = {seat: state for seat, state in after.states.items() if state != "free"}
    assert taken == {"A-1": "held", "A-2": "held", "C-4": "sold", "C-5": "sold"}
    with pytest.raises(SeatcoreError) as caught:
        await engine.get_hold(doomed.id, 2)
    assert caught.value.code == "hold_expired"
    assert await engine.buy(kept.id, 1, "order-2") == ["A-1", "A-2"]  # untouched
    assert (await engine.hold(1, 2, seats=["B-11", "B-12"])).seats == ("B-11", "B-12")  # new seats
    with pytest.raises(SeatcoreError) as caught:
        await engine.hold(1, 4, seats=["E-1", "E-2"])
    assert caught.value.code == "not_found"
    assert (await engine.changes_since(1, before.seq, before.epoch)) is None  # old epoch: resync


async def test_a_showtime_not_in_redis_is_left_to_load_the_new_layout(
    engine: SeatEngine, source: FakeSeating, aredis: aioredis.Redis
) -> None:
    source.add(1, grid_layout(2, 4))
    assert await engine.relayout(1) == []
    assert not await aredis.exists(keys.show_epoch(1))
    source.add(1, grid_layout(2, 6))
    assert (await engine.hold(1, 1, seats=["A-5", "A-6"])).seats == ("A-5", "A-6")
