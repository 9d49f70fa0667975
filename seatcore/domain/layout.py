"""Hall seat layouts: one JSON shape shared by the engine, the web map and the mini-program.

The shape (docs/layout.md has the full description)::

    {
      "columns": 12,                 # grid width; columns are numbered 0..columns-1 left to right
      "aisles": [6],                 # columns that are walkways: no seat may stand in them
      "rows": [                      # row 0 is nearest the screen
        {"label": "A", "seats": [
          {"id": "A-1", "col": 0, "number": 1, "type": "standard", "zone": "standard"},
          {"id": "A-2", "col": 1, "number": 2, "type": "couple", "zone": "couple", "pair": "A-3"},
          ...
        ]}
      ]
    }

Seat types: ``standard``, ``couple`` (always one of an adjacent pair naming each other in ``pair``),
``wheelchair``. ``zone`` is the price zone (any short name; each showtime prices each zone).
A missing column in a row is a gap. Seats that stand in consecutive columns form a *block*;
gaps, aisles and the walls end blocks (the stranded-seat rule works block by block).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from seatcore.errors import LayoutInvalid

SeatType = Literal["standard", "couple", "wheelchair"]
SEAT_TYPES: tuple[SeatType, ...] = ("standard", "couple", "wheelchair")
MAX_COLUMNS = 80
MAX_ROWS = 60
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


@dataclass(frozen=True, slots=True)
class Seat:
    id: str
    row: int  # index into Layout.rows, 0 nearest the screen
    col: int
    number: int
    type: SeatType
    zone: str
    pair: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    seats: tuple[Seat, ...]  # ordered by column


@dataclass(frozen=True)
class Layout:
    columns: int
    aisles: tuple[int, ...]
    rows: tuple[Row, ...]
    seats: Mapping[str, Seat] = field(repr=False)

    @property
    def seat_count(self) -> int:
        return len(self.seats)

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(sorted({seat.zone for seat in self.seats.values()}))

    def blocks(self) -> Iterator[tuple[Seat, ...]]:
        """Runs of seats in consecutive columns of one row, left to right."""
        for row in self.rows:
            run: list[Seat] = []
            for seat in row.seats:
                if run and seat.col != run[-1].col + 1:
                    yield tuple(run)
                    run = []
                run.append(seat)
            if run:
                yield tuple(run)

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "aisles": list(self.aisles),
            "rows": [
                {"label": row.label, "seats": [_seat_json(seat) for seat in row.seats]} for row in self.rows
            ],
        }


def _seat_json(seat: Seat) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": seat.id,
        "col": seat.col,
        "number": seat.number,
        "type": seat.type,
        "zone": seat.zone,
    }
    if seat.pair is not None:
        data["pair"] = seat.pair
    return data


def parse_layout(data: Any) -> Layout:
    """Validate a layout document and return it as a Layout; LayoutInvalid lists every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise LayoutInvalid("the layout must be an object", problems=["not an object"])
    columns = data.get("columns")
    if not isinstance(columns, int) or isinstance(columns, bool) or not 1 <= columns <= MAX_COLUMNS:
        raise LayoutInvalid("invalid layout", problems=[f"columns must be 1..{MAX_COLUMNS}"])
    aisles_raw = data.get("aisles", [])
    if not isinstance(aisles_raw, list) or not all(
        isinstance(a, int) and not isinstance(a, bool) and 0 <= a < columns for a in aisles_raw
    ):
        raise LayoutInvalid("invalid layout", problems=["aisles must be column numbers"])
    aisles = tuple(sorted(set(aisles_raw)))
    rows_raw = data.get("rows")
    if not isinstance(rows_raw, list) or not 1 <= len(rows_raw) <= MAX_ROWS:
        raise LayoutInvalid("invalid layout", problems=[f"rows must be a list of 1..{MAX_ROWS}"])
    unknown = set(data) - {"columns", "aisles", "rows"}
    if unknown:
        problems.append(f"unknown fields: {', '.join(sorted(unknown))}")

    seats: dict[str, Seat] = {}
    rows: list[Row] = []
    labels: set[str] = set()
    for row_index, row_raw in enumerate(rows_raw):
        row = _parse_row(row_index, row_raw, columns, aisles, seats, labels, problems)
        if row is not None:
            rows.append(row)
    if not seats and not problems:
        problems.append("the hall has no seats")
    _check_pairs(seats, problems)
    if problems:
        raise LayoutInvalid("invalid layout", problems=problems)
    return Layout(columns=columns, aisles=aisles, rows=tuple(rows), seats=seats)


def _parse_row(
    row_index: int,
    row_raw: Any,
    columns: int,
    aisles: tuple[int, ...],
    seats: dict[str, Seat],
    labels: set[str],
    problems: list[str],
) -> Row | None:
    if not isinstance(row_raw, dict) or not isinstance(row_raw.get("seats"), list):
        problems.append(f"row {row_index}: must be an object with a seats list")
        return None
    label = row_raw.get("label")
    if not isinstance(label, str) or not _NAME.match(label):
        problems.append(f"row {row_index}: label must be a short name")
        return None
    if label in labels:
        problems.append(f"row {label}: label used twice")
    labels.add(label)
    row_seats: list[Seat] = []
    used_cols: set[int] = set()
    for seat_raw in row_raw["seats"]:
        seat = _parse_seat(row_index, label, seat_raw, columns, problems)
        if seat is None:
            continue
        if seat.id in seats:
            problems.append(f"seat {seat.id}: id used twice")
            continue
        if seat.col in used_cols:
            problems.append(f"seat {seat.id}: column {seat.col} of row {label} used twice")
            continue
        if seat.col in aisles:
            problems.append(f"seat {seat.id}: stands in aisle column {seat.col}")
            continue
        used_cols.add(seat.col)
        seats[seat.id] = seat
        row_seats.append(seat)
    row_seats.sort(key=lambda s: s.col)
    return Row(label=label, seats=tuple(row_seats))


def _parse_seat(row_index: int, label: str, raw: Any, columns: int, problems: list[str]) -> Seat | None:
    if not isinstance(raw, dict):
        problems.append(f"row {label}: each seat must be an object")
        return None
    seat_id, col, number = raw.get("id"), raw.get("col"), raw.get("number")
    seat_type, zone, pair = (
        raw.get("type", "standard"),
        raw.get("zone", "standard"),
        raw.get("pair"),
    )
    where = f"seat {seat_id}" if isinstance(seat_id, str) else f"row {label}"
    if not isinstance(seat_id, str) or not _NAME.match(seat_id):
        problems.append(f"{where}: id must be a short name of letters, digits, - or _")
    elif not isinstance(col, int) or isinstance(col, bool) or not 0 <= col < columns:
        problems.append(f"{where}: col must be 0..{columns - 1}")
    elif not isinstance(number, int) or isinstance(number, bool) or number < 1:
        problems.append(f"{where}: number must be a positive integer")
    elif seat_type not in SEAT_TYPES:
        problems.append(f"{where}: type must be one of {', '.join(SEAT_TYPES)}")
    elif not isinstance(zone, str) or not _NAME.match(zone):
        problems.append(f"{where}: zone must be a short name")
    elif (seat_type == "couple") != isinstance(pair, str):
        problems.append(f"{where}: couple seats, and only they, name their pair")
    elif set(raw) - {"id", "col", "number", "type", "zone", "pair"}:
        problems.append(f"{where}: unknown fields")
    else:
        return Seat(seat_id, row_index, col, number, seat_type, zone, pair)
    return None


def _check_pairs(seats: Mapping[str, Seat], problems: list[str]) -> None:
    for seat in seats.values():
        if seat.pair is None:
            continue
        partner = seats.get(seat.pair)
        if partner is None or partner.pair != seat.id:
            problems.append(f"seat {seat.id}: its pair {seat.pair} does not name it back")
        elif partner.row != seat.row or abs(partner.col - seat.col) != 1:
            problems.append(f"seat {seat.id}: its pair {seat.pair} is not beside it")
        elif partner.zone != seat.zone:
            problems.append(f"seat {seat.id}: its pair {seat.pair} is in another zone")


def grid_layout(
    rows: int,
    columns: int,
    *,
    aisles: tuple[int, ...] = (),
    couple_rows: tuple[int, ...] = (),
    wheelchair: tuple[tuple[int, int], ...] = (),
    zones: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """A rectangular layout document: handy for demo data and tests.

    ``couple_rows`` are row indexes seated in couple pairs; ``wheelchair`` (row, col) spaces;
    ``zones`` maps a row index to its zone (default ``standard``, couple rows ``couple``).
    """
    doc_rows = []
    for r in range(rows):
        label = _row_label(r)
        cols = [c for c in range(columns) if c not in aisles]
        seats: list[dict[str, Any]] = []
        for number, c in enumerate(cols, start=1):
            seat: dict[str, Any] = {"id": f"{label}-{number}", "col": c, "number": number}
            zone = (zones or {}).get(r, "couple" if r in couple_rows else "standard")
            seat.update(type="standard", zone=zone)
            if (r, c) in wheelchair:
                seat["type"] = "wheelchair"
            seats.append(seat)
        if r in couple_rows:
            _pair_up(seats)
        doc_rows.append({"label": label, "seats": seats})
    return {"columns": columns, "aisles": list(aisles), "rows": doc_rows}


def _pair_up(seats: list[dict[str, Any]]) -> None:
    i = 0
    while i + 1 < len(seats):
        left, right = seats[i], seats[i + 1]
        if right["col"] == left["col"] + 1:
            left.update(type="couple", pair=right["id"])
            right.update(type="couple", pair=left["id"])
            i += 2
        else:
            i += 1


def _row_label(index: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0
    if index < len(letters):
        return letters[index]
    return letters[index // len(letters) - 1] + letters[index % len(letters)]
