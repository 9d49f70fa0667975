"""Seat layout validation: every problem is found and named, and good layouts round-trip."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from seatcore.demo.venues import CINEMAS
from seatcore.domain.layout import Layout, grid_layout, parse_layout
from seatcore.errors import LayoutInvalid


def seat(seat_id: str, col: int, **extra: Any) -> dict[str, Any]:
    return {"id": seat_id, "col": col, "number": col + 1, "type": "standard", "zone": "standard", **extra}


def layout(*rows: list[dict[str, Any]], columns: int = 6, aisles: list[int] | None = None) -> dict[str, Any]:
    labels = "ABCDEFGH"
    return {
        "columns": columns,
        "aisles": aisles or [],
        "rows": [{"label": labels[i], "seats": seats} for i, seats in enumerate(rows)],
    }


def problems(document: Any) -> list[str]:
    with pytest.raises(LayoutInvalid) as caught:
        parse_layout(document)
    assert caught.value.code == "layout_invalid"
    assert caught.value.status == 422
    found: list[str] = caught.value.details["problems"]
    assert found
    return found


def couple(left: str, right: str, col: int, zone: str = "couple") -> list[dict[str, Any]]:
    return [
        seat(left, col, type="couple", zone=zone, pair=right),
        seat(right, col + 1, type="couple", zone=zone, pair=left),
    ]


class TestGoodLayouts:
    def test_grid_with_aisle_couples_and_wheelchairs(self) -> None:
        doc = grid_layout(4, 9, aisles=(4,), couple_rows=(3,), wheelchair=((0, 0),))
        parsed = parse_layout(doc)
        assert parsed.seat_count == 4 * 8
        assert parsed.zones == ("couple", "standard")
        assert parsed.seats["A-1"].type == "wheelchair"
        assert parsed.seats["D-1"].pair == "D-2" and parsed.seats["D-2"].pair == "D-1"
        assert all(s.col != 4 for s in parsed.seats.values())

    def test_round_trip(self) -> None:
        doc = grid_layout(3, 7, aisles=(3,), couple_rows=(2,))
        parsed = parse_layout(doc)
        assert parse_layout(parsed.to_json()) == parsed
        assert parsed.to_json() == doc

    def test_blocks_end_at_aisles_and_gaps(self) -> None:
        parsed = parse_layout(
            layout([seat("A-1", 0), seat("A-2", 1), seat("A-3", 3), seat("A-5", 5)], aisles=[4])
        )
        assert [[s.id for s in block] for block in parsed.blocks()] == [["A-1", "A-2"], ["A-3"], ["A-5"]]

    def test_rows_come_out_in_column_order(self) -> None:
        parsed = parse_layout(layout([seat("A-3", 2), seat("A-1", 0)]))
        assert [s.id for s in parsed.rows[0].seats] == ["A-1", "A-3"]

    @pytest.mark.parametrize("hall", [h for c in CINEMAS for h in c.halls], ids=lambda h: h.name)
    def test_demo_halls_are_valid(self, hall: Any) -> None:
        parsed: Layout = parse_layout(hall.layout)
        assert set(parsed.zones) <= set(hall.prices)


class TestProblems:
    def test_duplicate_seat_id(self) -> None:
        found = problems(layout([seat("A-1", 0), seat("A-1", 1)]))
        assert any("A-1: id used twice" in p for p in found)

    def test_duplicate_seat_id_across_rows(self) -> None:
        found = problems(layout([seat("X", 0)], [seat("X", 0)]))
        assert any("id used twice" in p for p in found)

    def test_two_seats_in_one_place(self) -> None:
        found = problems(layout([seat("A-1", 2), seat("A-2", 2)]))
        assert any("column 2 of row A used twice" in p for p in found)

    def test_seat_in_an_aisle(self) -> None:
        found = problems(layout([seat("A-1", 0), seat("A-3", 3)], aisles=[3]))
        assert any("A-3: stands in aisle column 3" in p for p in found)

    def test_couple_pair_not_beside_each_other(self) -> None:
        row = [
            seat("A-1", 0, type="couple", zone="couple", pair="A-3"),
            seat("A-3", 2, type="couple", zone="couple", pair="A-1"),
        ]
        found = problems(layout(row))
        assert any("A-1: its pair A-3 is not beside it" in p for p in found)

    def test_couple_pair_across_an_aisle_is_not_beside(self) -> None:
        row = [
            seat("A-1", 1, type="couple", zone="couple", pair="A-2"),
            seat("A-2", 3, type="couple", zone="couple", pair="A-1"),
        ]
        assert any("not beside" in p for p in problems(layout(row, aisles=[2])))

    def test_couple_pair_in_different_rows(self) -> None:
        found = problems(
            layout(
                [seat("A-1", 0, type="couple", zone="couple", pair="B-1")],
                [seat("B-1", 0, type="couple", zone="couple", pair="A-1")],
            )
        )
        assert any("not beside" in p for p in found)

    def test_couple_pair_not_naming_back(self) -> None:
        row = [
            *couple("A-1", "A-2", 0),
            seat("A-3", 2, type="couple", zone="couple", pair="A-2"),
        ]
        found = problems(layout(row))
        assert any("A-3: its pair A-2 does not name it back" in p for p in found)

    def test_couple_pair_missing(self) -> None:
        found = problems(layout([seat("A-1", 0, type="couple", zone="couple", pair="A-9")]))
        assert any("A-9 does not name it back" in p for p in found)

    def test_couple_pair_in_another_zone(self) -> None:
        row = [
            seat("A-1", 0, type="couple", zone="couple", pair="A-2"),
            seat("A-2", 1, type="couple", zone="premium", pair="A-1"),
        ]
        assert any("in another zone" in p for p in problems(layout(row)))

    def test_only_couple_seats_name_a_pair(self) -> None:
        assert any("only they" in p for p in problems(layout([seat("A-1", 0, pair="A-2"), seat("A-2", 1)])))
        assert any("only they" in p for p in problems(layout([seat("A-1", 0, type="couple", zone="c")])))

    def test_every_problem_is_reported_at_once(self) -> None:
        found = problems(layout([seat("A-1", 0), seat("A-1", 1), seat("A-4", 3)], aisles=[3]))
        assert len(found) == 2

    @pytest.mark.parametrize(
        ("field", "value", "expected"),
        [
            ("id", 7, "id must be"),
            ("id", "A 1", "id must be"),
            ("col", "0", "col must be"),
            ("col", 6, "col must be"),
            ("col", -1, "col must be"),
            ("col", True, "col must be"),
            ("number", 0, "number must be"),
            ("number", 1.5, "number must be"),
            ("type", "sofa", "type must be one of"),
            ("zone", "", "zone must be"),
            ("zone", ["vip"], "zone must be"),
            ("colour", "red", "unknown fields"),
        ],
    )
    def test_bad_seat_fields(self, field: str, value: Any, expected: str) -> None:
        bad = seat("A-1", 0)
        bad[field] = value
        assert any(expected in p for p in problems(layout([bad, seat("A-2", 1)])))

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"columns": 0}, "columns must be"),
            ({"columns": "6"}, "columns must be"),
            ({"columns": 81}, "columns must be"),
            ({"aisles": [9]}, "aisles must be"),
            ({"aisles": "3"}, "aisles must be"),
            ({"rows": []}, "rows must be"),
            ({"rows": "A"}, "rows must be"),
            ({"rows": [{"label": "A", "seats": []}]}, "no seats"),
            ({"rows": [{"label": "A", "seats": "A-1"}]}, "seats list"),
            ({"rows": [{"label": "", "seats": [seat("A-1", 0)]}]}, "label"),
            ({"rows": [{"label": "A", "seats": [7]}]}, "must be an object"),
            ({"screen": "north"}, "unknown fields"),
        ],
    )
    def test_bad_layout_fields(self, change: dict[str, Any], expected: str) -> None:
        doc = copy.deepcopy(layout([seat("A-1", 0)]))
        doc.update(change)
        assert any(expected in p for p in problems(doc))

    def test_row_label_used_twice(self) -> None:
        doc = {
            "columns": 4,
            "rows": [{"label": "A", "seats": [seat("A-1", 0)]}, {"label": "A", "seats": [seat("A-2", 0)]}],
        }
        assert any("label used twice" in p for p in problems(doc))

    @pytest.mark.parametrize("document", [None, [], "layout", 3])
    def test_not_an_object(self, document: Any) -> None:
        assert problems(document) == ["not an object"]
