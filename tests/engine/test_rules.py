"""Every seat rule against real Redis (fake clock): stranded seats, couples, wheelchair spaces,
limits, best available, expiry, extension cap, buy and unsell."""

from __future__ import annotations

from typing import Any

import pytest

from seatcore import keys
from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.domain.seatrules import SeatGrid, best_block, stranded_seats
from seatcore.engine.service import SeatEngine
from seatcore.errors import SeatcoreError
from tests.engine.conftest import EngineFactory, FakeClock, FakeSeating

# Row A: seats 1-4 | aisle | 5-8. Rows B and C likewise; C is a couple row.
HALL = grid_layout(3, 9, aisles=(4,), couple_rows=(2,), wheelchair=((1, 8),))


async def refused(call: Any, code: str, seats: list[str] | None = None) -> SeatcoreError:
    with pytest.raises(SeatcoreError) as caught:
        await call
    assert caught.value.code == code, caught.value.details
    if seats is not None:
        assert caught.value.details["seats"] == seats
    return caught.value


@pytest.fixture
def hall(source: FakeSeating) -> int:
    source.add(1, HALL)
    return 1


@pytest.mark.parametrize(
    ("taken", "selection", "stranded"),
    [
        ([], ["A-2", "A-3", "A-4"], ["A-1"]),  # against the wall
        ([], ["A-1", "A-2", "A-3"], ["A-4"]),  # against the aisle
        ([], ["A-6", "A-7", "A-8"], ["A-5"]),  # the other side of the aisle
        ([], ["A-2"], ["A-1"]),
        ([], ["A-3"], ["A-4"]),
        (["A-1"], ["A-3"], ["A-2", "A-4"]),  # next to a taken seat, and at the aisle
        (["A-4"], ["A-2"], ["A-1", "A-3"]),
        ([], ["A-1", "A-3"], ["A-2", "A-4"]),  # a gap inside the selection
    ],
)
async def test_stranded_seats_are_refused_and_named(
    engine: SeatEngine,
    source: FakeSeating,
    hall: int,
    taken: list[str],
    selection: list[str],
    stranded: list[str],
) -> None:
    source.sold[hall] = dict.fromkeys(taken, "order-1")
    await refused(engine.hold(hall, 1, seats=selection), "stranded_seat", stranded)
    grid = SeatGrid.of(parse_layout(HALL))
    assert stranded_seats(grid, set(taken), selection) == stranded


@pytest.mark.parametrize(
    ("taken", "selection"),
    [
        ([], ["A-1", "A-2"]),  # leaves two free at the aisle
        ([], ["A-1", "A-2", "A-3", "A-4"]),  # the whole block
        ([], ["A-1"]),  # leaves three
        (["A-1", "A-2"], ["A-3", "A-4"]),  # fills the block up
        (["A-1", "A-3"], ["A-4"]),  # A-2 was alone before: not this selection's doing
    ],
)
async def test_selections_that_strand_nobody_are_held(
    engine: SeatEngine, source: FakeSeating, hall: int, taken: list[str], selection: list[str]
) -> None:
    source.sold[hall] = dict.fromkeys(taken, "order-1")
    hold = await engine.hold(hall, 1, seats=selection)
    assert hold.seats == tuple(selection)


async def test_stranding_counts_held_and_sold_seats_but_not_expired_ones(
    make_engine: EngineFactory, hall: int, clock: FakeClock
) -> None:
    engine = make_engine(ttl_ms=1000, max_life_ms=5000)
    await engine.hold(hall, 7, seats=["B-1"])
    await refused(engine.hold(hall, 1, seats=["B-3"]), "stranded_seat", ["B-2", "B-4"])
    clock.advance(1000)  # B-1's hold has expired: B-1 is free, so B-2 is no longer alone
    await refused(engine.hold(hall, 1, seats=["B-3"]), "stranded_seat", ["B-4"])


async def test_wheelchair_spaces_are_never_stranded_but_need_an_accessible_booking(
    engine: SeatEngine, hall: int
) -> None:
    # B-8 is a wheelchair space by the wall: holding B-7 leaves it alone, which is allowed.
    assert (await engine.hold(hall, 1, seats=["B-5", "B-6", "B-7"])).seats == ("B-5", "B-6", "B-7")
    await refused(engine.hold(hall, 2, seats=["B-8"]), "wheelchair_space", ["B-8"])
    assert (await engine.hold(hall, 2, seats=["B-8"], accessible=True)).seats == ("B-8",)


async def test_couple_seats_go_in_pairs(engine: SeatEngine, hall: int) -> None:
    await refused(engine.hold(hall, 1, seats=["C-1"]), "couple_pair", ["C-1"])
    await refused(engine.hold(hall, 1, seats=["C-2", "C-3"]), "couple_pair", ["C-2", "C-3"])
    assert (await engine.hold(hall, 1, seats=["C-1", "C-2"])).seats == ("C-1", "C-2")
    assert (await engine.hold(hall, 2, seats=["C-7", "C-8"])).seats == ("C-7", "C-8")


# The user's rate and cap are counted inside the hold script on one Redis server, and in a step of
# their own on Redis Cluster (separate_user_step): the tests of the count run both ways.
BOTH_WAYS = pytest.mark.parametrize("separate", [False, True], ids=["one-step", "two-steps"])


@BOTH_WAYS
async def test_limits(make_engine: EngineFactory, source: FakeSeating, separate: bool) -> None:
    source.add(1, HALL)
    source.add(2, HALL)
    source.add(3, HALL)
    engine = make_engine(max_seats=3, max_live_holds_per_user=2, separate_user_step=separate)
    await refused(engine.hold(1, 1, seats=["A-1", "A-2", "A-3", "A-4"]), "too_many_seats")
    await refused(engine.hold(1, 1, best=4), "too_many_seats")
    first = await engine.hold(1, 1, seats=["A-1"])
    await refused(engine.hold(1, 1, seats=["A-5"]), "hold_limit")  # one live hold per showtime
    await engine.hold(2, 1, seats=["A-1"])
    error = await refused(engine.hold(3, 1, seats=["A-1"]), "hold_limit")  # two over all showtimes
    assert error.details == {"live_holds": 2}
    await engine.release(first.id, 1)
    await engine.hold(3, 1, seats=["A-1"])


async def test_unknown_seats_and_showtimes(engine: SeatEngine, hall: int) -> None:
    await refused(engine.hold(hall, 1, seats=["A-1", "Q-1", "A-2", "Q-2"]), "not_found", ["Q-1", "Q-2"])
    await refused(engine.hold(404, 1, seats=["A-1"]), "not_found")
    await refused(engine.snapshot(404, None), "not_found")


async def test_sales_closed(engine: SeatEngine, source: FakeSeating, clock: FakeClock) -> None:
    seating = source.add(1, HALL)
    source.add(2, HALL, sales_open=False)
    source.add(3, HALL, status="cancelled")
    close_ms = int(seating.starts_at.timestamp() * 1000) - 10 * 60_000  # the default: 10 minutes before
    await refused(engine.hold(2, 1, seats=["A-1"]), "sales_closed")
    await refused(engine.hold(3, 1, seats=["A-1"]), "sales_closed")
    clock.now_ms = close_ms - 1
    await engine.hold(1, 1, seats=["A-1"])
    clock.now_ms = close_ms
    await refused(engine.hold(1, 2, seats=["A-5"]), "sales_closed")


# -- best available ------------------------------------------------------------------------------

BIG = grid_layout(6, 12, aisles=(3, 8))  # blocks of 3 | 4 | 3 seats; sweet row D (index 3)


async def test_best_available_in_an_empty_hall_takes_the_sweet_spot(
    engine: SeatEngine, source: FakeSeating
) -> None:
    source.add(1, BIG)
    # D-5 D-6 would be dead centre but would strand D-4 and D-7 at the aisles.
    assert (await engine.hold(1, 1, best=2)).seats == ("D-4", "D-5")
    assert (await engine.hold(1, 2, best=2)).seats == ("D-6", "D-7")
    # Rows C and E are equally near the sweet spot: the front one wins the tie.
    assert (await engine.hold(1, 3, best=4)).seats == ("C-4", "C-5", "C-6", "C-7")


async def test_best_available_in_a_fragmented_hall(engine: SeatEngine, source: FakeSeating) -> None:
    layout = grid_layout(3, 6)
    source.add(1, layout)
    grid = SeatGrid.of(parse_layout(layout))
    # Free only A-3 A-4 (front row) and C-1 C-2 C-3 (back row, at the wall); B is sold out.
    taken = [f"A-{n}" for n in (1, 2, 5, 6)] + [f"B-{n}" for n in range(1, 7)] + [f"C-{n}" for n in (4, 5, 6)]
    source.sold[1] = dict.fromkeys(taken, "order-1")
    assert best_block(grid, set(taken), 3) == ("C-1", "C-2", "C-3")
    assert (await engine.hold(1, 1, best=3)).seats == ("C-1", "C-2", "C-3")
    await refused(engine.hold(1, 2, best=3), "no_block")  # only A-3 A-4 are left
    assert (await engine.hold(1, 2, best=2)).seats == ("A-3", "A-4")


async def test_best_available_never_strands_a_seat(engine: SeatEngine, source: FakeSeating) -> None:
    source.add(1, grid_layout(1, 5))
    # Either window of 4 in a row of 5 leaves one seat alone at a wall.
    await refused(engine.hold(1, 1, best=4), "no_block")
    # The centred window of 3 would strand: three at a wall leave two together.
    assert (await engine.hold(1, 1, best=3)).seats == ("A-1", "A-2", "A-3")


async def test_best_available_in_a_full_hall(engine: SeatEngine, source: FakeSeating) -> None:
    source.add(1, grid_layout(2, 4))
    await engine.hold(1, 1, seats=["A-1", "A-2", "A-3", "A-4"])
    await engine.hold(1, 2, seats=["B-1", "B-2", "B-3", "B-4"])
    await refused(engine.hold(1, 3, best=1), "no_block")


async def test_best_available_by_zone_couples_and_accessibility(
    engine: SeatEngine, source: FakeSeating
) -> None:
    layout = grid_layout(4, 6, couple_rows=(3,), wheelchair=((0, 0),), zones={0: "front", 3: "couple"})
    source.add(1, layout)
    front = await engine.hold(1, 1, best=2, zone="front")
    assert front.seats == ("A-3", "A-4")
    couple = await engine.hold(1, 2, best=2, zone="couple")
    assert couple.seats == ("D-3", "D-4")
    await refused(engine.hold(1, 3, best=3, zone="couple"), "no_block")  # pairs cannot be split
    accessible = await engine.hold(1, 4, best=2, accessible=True)
    assert accessible.seats == ("A-1", "A-2")  # the only block with a wheelchair space


@BOTH_WAYS
async def test_entries_of_holds_that_never_came_to_be_do_not_block_the_cap(
    make_engine: EngineFactory, source: FakeSeating, aredis: Any, clock: FakeClock, separate: bool
) -> None:
    for showtime_id in (1, 2, 3):
        source.add(showtime_id, HALL)
    engine = make_engine(max_live_holds_per_user=2, separate_user_step=separate)
    # What a crash between the user's count and the hold script leaves behind: the user is "at the
    # cap" with holds that do not exist.
    later = clock.now_ms + 60_000
    await aredis.zadd(keys.user_holds(1), {"7-0123456789abcdef": later, "junk": later})
    await engine.hold(1, 1, seats=["A-1"])
    await engine.hold(2, 1, seats=["A-1"])
    assert sorted(await aredis.zrange(keys.user_holds(1), 0, -1)) == sorted(
        [(await engine.snapshot(showtime_id, 1)).my_hold.id for showtime_id in (1, 2)]  # type: ignore[union-attr]
    )
    await refused(engine.hold(3, 1, seats=["A-1"]), "hold_limit")


@BOTH_WAYS
async def test_the_users_count_follows_every_way_a_hold_ends(
    make_engine: EngineFactory, source: FakeSeating, aredis: Any, clock: FakeClock, separate: bool
) -> None:
    for showtime_id in (1, 2, 3, 4):
        source.add(showtime_id, HALL)
    engine = make_engine(max_live_holds_per_user=2, ttl_ms=60_000, separate_user_step=separate)

    async def counted() -> list[str]:
        return sorted(await aredis.zrange(keys.user_holds(1), 0, -1))

    taken = await engine.hold(1, 2, seats=["A-1"])
    await refused(engine.hold(1, 1, seats=["A-1"]), "seat_unavailable")
    await refused(engine.hold(1, 1, seats=["A-3"]), "stranded_seat")
    assert await counted() == []  # refused holds are not counted
    await refused(engine.release(taken.id, 1), "hold_not_owned")
    assert await counted() == []
    first = await engine.hold(2, 1, seats=["A-1"])
    second = await engine.hold(3, 1, seats=["A-1"])
    assert await counted() == sorted([first.id, second.id])
    assert await aredis.zscore(keys.HOLD_SWEEP_INDEX, first.id) == first.expires_at_ms  # the sweeper's
    await engine.release(first.id, 1)
    await engine.buy(second.id, 1, "order-1")
    assert await counted() == []
    held = [await engine.hold(showtime_id, 1, seats=["A-1"]) for showtime_id in (2, 4)]
    await refused(engine.hold(1, 1, seats=["B-1"]), "hold_limit")
    clock.advance(60_000)  # both expire: the cap counts live holds only
    again = await engine.hold(1, 1, seats=["B-1"])
    assert await counted() == [again.id]
    assert all(hold.id != again.id for hold in held)


@BOTH_WAYS
async def test_the_hold_rate_counts_every_request(
    make_engine: EngineFactory, source: FakeSeating, clock: FakeClock, separate: bool
) -> None:
    source.add(1, HALL)
    engine = make_engine(holds_per_minute=3, separate_user_step=separate)
    hold = await engine.hold(1, 1, seats=["A-1"])
    await refused(engine.hold(1, 1, seats=["B-1"]), "hold_limit")  # refused, but counted
    await engine.release(hold.id, 1)
    await engine.hold(1, 1, seats=["B-1"])
    limited = await refused(engine.hold(1, 1, seats=["A-5"]), "rate_limited")
    assert limited.details == {"retry_after_s": 60}
    clock.advance(60_000)  # the next window
    await refused(engine.hold(1, 1, seats=["A-5"]), "hold_limit")  # counted again, not rate limited
