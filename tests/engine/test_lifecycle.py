"""A hold's life (fake clock): expiry without the sweeper, extension cap, buy, unsell; and the change
log: one sequence number per change, replay with changes_since, publication on the channel."""

from __future__ import annotations

import asyncio

import orjson
import pytest
import redis.asyncio as aioredis

from seatcore import keys
from seatcore.domain.layout import grid_layout
from seatcore.engine.service import SeatEngine
from seatcore.errors import SeatcoreError
from tests.engine.conftest import EngineFactory, FakeClock, FakeSeating


async def refused(call: object, code: str) -> None:
    with pytest.raises(SeatcoreError) as caught:
        await call  # type: ignore[misc]
    assert caught.value.code == code, caught.value.details


@pytest.fixture
def short(make_engine: EngineFactory, source: FakeSeating) -> SeatEngine:
    """Holds of 10 s, extended by 4 s, never past 18 s; tombstones of 5 s."""
    source.add(1, grid_layout(2, 6))
    return make_engine(ttl_ms=10_000, extend_ms=4_000, max_life_ms=18_000, tombstone_ms=5_000)


async def test_an_expired_hold_is_free_at_once_without_the_sweeper(
    short: SeatEngine, clock: FakeClock
) -> None:
    hold = await short.hold(1, 1, seats=["A-1", "A-2"])
    clock.advance(9_999)
    assert (await short.snapshot(1, 1)).mine == ["A-1", "A-2"]
    await refused(short.hold(1, 2, seats=["A-1", "A-2"]), "seat_unavailable")
    clock.advance(1)
    snapshot = await short.snapshot(1, 1)
    assert snapshot.states["A-1"] == "free" and snapshot.mine == [] and snapshot.my_hold is None
    taken = await short.hold(1, 2, seats=["A-1", "A-2"])  # nobody swept: still free to take
    await refused(short.release(hold.id, 1), "hold_expired")
    await refused(short.extend(hold.id, 1), "hold_expired")
    await refused(short.buy(hold.id, 1, "order-1"), "hold_expired")
    await refused(short.get_hold(hold.id, 1), "hold_expired")
    # The late sweep must not free seats that now belong to the new hold.
    assert await short.sweep(1, [hold.id]) == {hold.id: clock.now_ms + 5_000}
    assert (await short.snapshot(1, 2)).mine == ["A-1", "A-2"] == list(taken.seats)
    assert (await short.snapshot(1, None)).seq == 2  # two holds; the sweep changed nothing
    # After its tombstone the old hold is forgotten altogether.
    clock.advance(5_000)
    assert await short.sweep(1, [hold.id]) == {hold.id: None}
    with pytest.raises(SeatcoreError) as caught:
        await short.release(hold.id, 1)
    assert caught.value.code == "not_found"


async def test_a_new_hold_is_allowed_once_the_last_one_expired(short: SeatEngine, clock: FakeClock) -> None:
    await short.hold(1, 1, seats=["A-1"])
    await refused(short.hold(1, 1, seats=["B-1"]), "hold_limit")
    clock.advance(10_000)
    assert (await short.hold(1, 1, seats=["B-1"])).seats == ("B-1",)


async def test_extension_is_capped_by_the_hard_maximum(short: SeatEngine, clock: FakeClock) -> None:
    hold = await short.hold(1, 1, seats=["A-1"])
    start = clock.now_ms
    assert hold.expires_at_ms == start + 10_000 and hold.max_expires_at_ms == start + 18_000
    assert (await short.extend(hold.id, 1)).expires_at_ms == start + 14_000
    clock.advance(13_000)
    assert (await short.extend(hold.id, 1)).expires_at_ms == start + 18_000  # 14 s + 4 s = the cap
    await refused(short.extend(hold.id, 1), "extend_limit")
    await refused(short.extend(hold.id, 2), "hold_not_owned")
    clock.advance(4_999)
    assert (await short.get_hold(hold.id, 1)).expires_at_ms == start + 18_000
    clock.advance(1)
    await refused(short.get_hold(hold.id, 1), "hold_expired")
    assert (await short.snapshot(1, None)).states["A-1"] == "free"


async def test_buy_and_unsell(short: SeatEngine, clock: FakeClock) -> None:
    hold = await short.hold(1, 1, seats=["A-1", "A-2"])
    await refused(short.buy(hold.id, 2, "order-1"), "hold_not_owned")
    assert await short.buy(hold.id, 1, "order-1") == ["A-1", "A-2"]
    seq = (await short.snapshot(1, None)).seq
    assert await short.buy(hold.id, 1, "order-1") == ["A-1", "A-2"]  # a retry changes nothing
    assert (await short.snapshot(1, None)).seq == seq
    await refused(short.buy(hold.id, 1, "order-2"), "hold_used")
    await refused(short.release(hold.id, 1), "hold_used")
    await refused(short.get_hold(hold.id, 1), "hold_used")
    snapshot = await short.snapshot(1, 1)
    assert snapshot.states["A-1"] == snapshot.states["A-2"] == "sold" and snapshot.mine == []
    clock.advance(60_000)  # sold seats never expire
    assert (await short.snapshot(1, None)).states["A-1"] == "sold"
    await refused(short.hold(1, 2, seats=["A-1", "A-2"]), "seat_unavailable")
    assert await short.unsell(1, "order-2", ["A-1"]) == []  # not that order's seat
    assert await short.unsell(1, "order-1", ["A-1", "A-2"]) == ["A-1", "A-2"]
    assert await short.unsell(1, "order-1", ["A-1", "A-2"]) == []
    assert (await short.snapshot(1, None)).states["A-1"] == "free"
    assert (await short.hold(1, 2, seats=["A-1", "A-2"])).seats == ("A-1", "A-2")


async def test_buy_needs_a_live_hold_and_a_sane_order_id(short: SeatEngine) -> None:
    hold = await short.hold(1, 1, seats=["A-1"])
    await refused(short.buy(hold.id, 1, "no spaces allowed"), "validation_failed")
    await short.release(hold.id, 1)
    await refused(short.buy(hold.id, 1, "order-1"), "not_found")


async def test_each_change_takes_one_sequence_number_and_can_be_replayed(
    short: SeatEngine, aredis: aioredis.Redis, clock: FakeClock
) -> None:
    first = await short.hold(1, 1, seats=["A-1", "A-2", "A-3"])
    second = await short.hold(1, 2, seats=["B-1", "B-2"])
    await short.release(first.id, 1)
    await short.extend(second.id, 2)  # no seat changes: no sequence number
    clock.advance(20_000)
    await short.sweep(1)
    snapshot = await short.snapshot(1, None)
    assert snapshot.seq == 4
    deltas = await short.changes_since(1, 0)
    assert deltas is not None
    assert [d.seq for d in deltas] == [1, 2, 3, 4]
    assert deltas[0].changes == [
        {"seat": s, "state": "held", "hold_id": first.id, "user": "1"} for s in ("A-1", "A-2", "A-3")
    ]
    assert deltas[2].changes == [{"seat": s, "state": "free"} for s in ("A-1", "A-2", "A-3")]
    assert deltas[3].changes == [{"seat": s, "state": "free"} for s in ("B-1", "B-2")]
    assert [d.seq for d in await short.changes_since(1, 2) or []] == [3, 4]
    assert await short.changes_since(1, 4) == []
    assert await short.changes_since(1, 5) is None  # ahead of the showtime
    assert await short.changes_since(1, 2, epoch="another") is None
    assert await short.changes_since(1, 2, epoch=snapshot.epoch) is not None
    assert await aredis.xrange(keys.show_log(1), "2-0", "2-0") == [
        ("2-0", {"seq": "2", "changes": orjson.dumps(deltas[1].changes).decode()})
    ]
    # When the log no longer reaches back, the caller must take a fresh snapshot.
    await aredis.xtrim(keys.show_log(1), maxlen=2, approximate=False)
    assert await short.changes_since(1, 1) is None
    assert [d.seq for d in await short.changes_since(1, 2) or []] == [3, 4]


async def test_changes_are_published_with_their_sequence_number(
    short: SeatEngine, aredis: aioredis.Redis
) -> None:
    epoch = await short.load(1)
    async with aredis.pubsub() as pubsub:
        await pubsub.subscribe(keys.seat_changes(1))
        hold = await short.hold(1, 1, seats=["A-5", "A-6"])
        message = await _next_message(pubsub, epoch)
    assert message == {
        "showtime_id": 1,
        "seq": 1,
        "epoch": epoch,
        "changes": [
            {"seat": "A-5", "state": "held", "hold_id": hold.id, "user": "1"},
            {"seat": "A-6", "state": "held", "hold_id": hold.id, "user": "1"},
        ],
    }


async def _next_message(pubsub: aioredis.client.PubSub, epoch: str) -> dict[str, object]:
    """The next message of this test's showtime (other test runs share the channel: their
    messages carry other epochs)."""
    async with asyncio.timeout(5):
        while True:
            raw = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if raw is not None:
                message: dict[str, object] = orjson.loads(raw["data"])
                if message["epoch"] == epoch:
                    return message
