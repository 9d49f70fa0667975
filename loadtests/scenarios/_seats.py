"""How a simulated moviegoer picks seats from a seat map: pure functions of the layout and states.

Moviegoers crowd the rows about two thirds of the way back (the same sweet spot best-available
aims at), so a rush fights over the same seats. Most pick a block that leaves no single seat
stranded, as a careful client would; some (``careless``) pick anywhere in a free run and meet the
stranded-seat rule.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CHOICES_CONSIDERED = 6  # a moviegoer picks among this many of the best free runs


@dataclass(frozen=True, slots=True)
class Run:
    """Adjacent free standard seats of one row, bounded by a wall, an aisle or a taken seat."""

    row: int
    seats: tuple[str, ...]
    centre_offset: float  # how far the run's middle is from the hall's centre line, in columns


def free_runs(layout: Mapping[str, Any], states: Mapping[str, str]) -> list[Run]:
    """Every run of free standard seats (couple and wheelchair seats end a run: they have rules)."""
    columns = int(layout["columns"])
    runs: list[Run] = []
    for row_index, row in enumerate(layout["rows"]):
        current: list[dict[str, Any]] = []
        previous_col: int | None = None
        for seat in [*row["seats"], None]:
            usable = (
                seat is not None
                and seat.get("type", "standard") == "standard"
                and states.get(seat["id"], "free") == "free"
            )
            adjacent = seat is not None and previous_col is not None and seat["col"] == previous_col + 1
            if current and not (usable and adjacent):
                middle = (current[0]["col"] + current[-1]["col"]) / 2
                runs.append(Run(row_index, tuple(s["id"] for s in current), abs(middle - (columns - 1) / 2)))
                current = []
            if usable:
                current.append(seat)
            previous_col = None if seat is None else int(seat["col"])
    return runs


def free_count(states: Mapping[str, str]) -> int:
    return sum(1 for state in states.values() if state == "free")


def _starts(run_length: int, count: int, careless: bool) -> list[int]:
    """Where in a run of ``run_length`` free seats a block of ``count`` may start: leaving no single
    seat on either side (the run's ends are walls, aisles or taken seats), unless careless."""
    last = run_length - count
    if careless:
        return list(range(last + 1))
    return [s for s in range(last + 1) if s != 1 and last - s != 1]


def pick_seats(
    layout: Mapping[str, Any],
    states: Mapping[str, str],
    count: int,
    rng: random.Random,
    *,
    careless: bool = False,
) -> list[str] | None:
    """``count`` adjacent free seats near the sweet spot, or None when no run suits."""
    rows = len(layout["rows"])
    sweet = (2 * (rows - 1)) / 3
    runs = [run for run in free_runs(layout, states) if _starts(len(run.seats), count, careless)]
    if not runs:
        return None
    runs.sort(key=lambda run: 4 * abs(run.row - sweet) + run.centre_offset + rng.random())
    run = rng.choice(runs[:CHOICES_CONSIDERED])
    start = rng.choice(_starts(len(run.seats), count, careless))
    return list(run.seats[start : start + count])
