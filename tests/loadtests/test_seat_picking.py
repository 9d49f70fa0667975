"""How simulated moviegoers pick seats: careful picks obey the service's own stranded-seat rule,
careless ones may not (which is what lets the rush meet that refusal)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from loadtests.scenarios._seats import free_count, free_runs, pick_seats
from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.domain.seatrules import SeatGrid, stranded_seats

LAYOUT = grid_layout(6, 14, aisles=(3, 10), couple_rows=(5,), wheelchair=((4, 0),))
GRID = SeatGrid.of(parse_layout(LAYOUT))
SEATS = [seat["id"] for row in LAYOUT["rows"] for seat in row["seats"]]


@settings(max_examples=300, deadline=None)
@given(
    taken=st.sets(st.sampled_from(SEATS), max_size=len(SEATS)),
    count=st.integers(min_value=1, max_value=4),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_careful_picks_are_adjacent_free_and_strand_nobody(taken: set[str], count: int, seed: int) -> None:
    states = {seat: ("held" if seat in taken else "free") for seat in SEATS}
    picked = pick_seats(LAYOUT, states, count, random.Random(seed))
    if picked is None:
        return
    assert len(picked) == count and not set(picked) & taken
    block = GRID.blocks[GRID.block_of[picked[0]]]
    positions = [[seat.id for seat in block].index(seat_id) for seat_id in picked]
    assert positions == list(range(positions[0], positions[0] + count))  # one block, side by side
    assert stranded_seats(GRID, taken, picked) == []


def test_careless_picks_sometimes_strand_a_seat() -> None:
    states = dict.fromkeys(SEATS, "free")
    rng = random.Random(7)
    picks = [pick_seats(LAYOUT, states, 2, rng, careless=True) for _ in range(200)]
    assert any(stranded_seats(GRID, set(), picked) for picked in picks if picked)


def test_runs_skip_taken_couple_and_wheelchair_seats() -> None:
    states = dict.fromkeys(SEATS, "free")
    states["A-2"] = "sold"
    runs = free_runs(LAYOUT, states)
    first_row = [run.seats for run in runs if run.row == 0]
    assert first_row[:2] == [("A-1",), ("A-3",)]  # A-2 is sold; A-3 is the last seat before the aisle
    types = {seat["id"]: seat["type"] for row in LAYOUT["rows"] for seat in row["seats"]}
    # Couple seats are left to the couple rules and wheelchair spaces to accessible bookings.
    assert {types[seat] for run in runs for seat in run.seats} == {"standard"}
    assert "couple" in types.values() and "wheelchair" in types.values()
    assert free_count(states) == len(SEATS) - 1
