"""The no-stranded-seat rule against the shared cases of tests/cases/stranded_seats.json.

The mini-program and the web seat page check the same rule as the user taps (one JS definition,
miniprogram/lib/seat-rules.js, whose jest tests read the same file). Here the server's side: the
pure rule, and the seat engine's Lua script on real Redis, name the same seats with the same message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seatcore.domain.layout import parse_layout
from seatcore.domain.seatrules import SeatGrid, stranded_seats, unpaired_couple_seats
from seatcore.engine.replies import refusal
from seatcore.engine.service import SeatEngine
from seatcore.errors import SeatcoreError
from tests.engine.conftest import FakeSeating

CASES_FILE = Path(__file__).resolve().parents[1] / "cases" / "stranded_seats.json"
SHARED = json.loads(CASES_FILE.read_text(encoding="utf-8"))
CASES = [pytest.param(case, id=case["name"]) for case in SHARED["cases"]]


def grid_of(case: dict[str, Any]) -> SeatGrid:
    return SeatGrid.of(parse_layout(SHARED["layouts"][case["layout"]]))


@pytest.mark.parametrize("case", CASES)
def test_the_rule_names_the_cases_stranded_seats(case: dict[str, Any]) -> None:
    assert stranded_seats(grid_of(case), set(case["taken"]), case["selection"]) == case["stranded"]


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0]["stranded"]])
def test_the_refusal_message_is_the_one_the_clients_repeat(case: dict[str, Any]) -> None:
    error = refusal("stranded_seat", case["stranded"])
    assert (error.code, error.message, error.details) == (
        "stranded_seat",
        case["message"],
        {"seats": case["stranded"]},
    )


@pytest.mark.parametrize("case", CASES)
async def test_the_engine_agrees_with_every_case(
    engine: SeatEngine, source: FakeSeating, case: dict[str, Any]
) -> None:
    grid = grid_of(case)
    source.add(1, SHARED["layouts"][case["layout"]])
    source.sold[1] = dict.fromkeys(case["taken"], "order-1")
    accessible = any(grid.layout.seats[s].type == "wheelchair" for s in case["selection"])
    unpaired = unpaired_couple_seats(grid, case["selection"])
    if unpaired:  # the engine refuses half a couple pair before it looks for stranded seats
        with pytest.raises(SeatcoreError) as caught:
            await engine.hold(1, 1, seats=case["selection"], accessible=accessible)
        assert caught.value.code == "couple_pair"
        return
    if not case["stranded"]:
        hold = await engine.hold(1, 1, seats=case["selection"], accessible=accessible)
        assert sorted(hold.seats) == sorted(case["selection"])
        return
    with pytest.raises(SeatcoreError) as caught:
        await engine.hold(1, 1, seats=case["selection"], accessible=accessible)
    assert (caught.value.code, caught.value.message) == ("stranded_seat", case["message"])
    assert caught.value.details["seats"] == case["stranded"]
