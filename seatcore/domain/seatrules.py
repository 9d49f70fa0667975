"""The seat rules, pure: which selections a hold may take, and which block "best available" picks.

The Redis scripts (``seatcore/engine/lua/``) apply these same rules atomically against live state;
the reference model (``seatcore.engine.model``) applies these functions, and property tests check
that both agree. So any change here must be made in the scripts too, and the other way round.

- A hold takes 1..``max_seats`` seats, all free, or none.
- No stranded seat: a selection may not leave a single free seat between itself and a taken seat,
  an aisle, a gap or the wall (the ends of a block). Wheelchair spaces are never "stranded": they are
  meant to be sold one at a time.
- Couple seats go in pairs: selecting one without its pair is refused.
- Wheelchair spaces are held only when the caller says the booking is accessible.
- Best available: the window of N adjacent seats in one block with the lowest score
  ``4 * |row - sweet_row| + |first_col + last_col - (columns - 1)|`` (distance from the sweet spot:
  two-thirds of the way back, in the middle), among windows that the rules above allow; ties go to
  the front-most row, then the left-most window. An accessible request only picks windows that hold
  at least one wheelchair space.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from seatcore.domain.layout import Layout, Seat
from seatcore.types import SeatId

ROW_WEIGHT = 4  # one row away from the sweet spot weighs as much as two seats off centre
Block = tuple[Seat, ...]


@dataclass(frozen=True)
class SeatGrid:
    """A layout with its blocks numbered (layout order: rows front to back, blocks left to right)."""

    layout: Layout
    blocks: tuple[Block, ...]
    block_of: Mapping[SeatId, int]  # seat id -> index into blocks

    @classmethod
    def of(cls, layout: Layout) -> SeatGrid:
        blocks = tuple(layout.blocks())
        block_of = {seat.id: index for index, block in enumerate(blocks) for seat in block}
        return cls(layout, blocks, block_of)

    @property
    def sweet_row(self) -> int:
        return (2 * (len(self.layout.rows) - 1) + 1) // 3


@dataclass(frozen=True, slots=True)
class HoldRules:
    """The limits a hold lives by, in milliseconds and counts."""

    ttl_ms: int = 900_000
    extend_ms: int = 300_000
    max_life_ms: int = 1_800_000
    max_seats: int = 6
    max_live_holds_per_user: int = 3
    tombstone_ms: int = 3_600_000
    holds_per_minute: int = 0  # per user; 0 for no limit


def unknown_seats(grid: SeatGrid, selection: Iterable[SeatId]) -> list[SeatId]:
    return [seat_id for seat_id in selection if seat_id not in grid.layout.seats]


def wheelchair_seats(grid: SeatGrid, selection: Iterable[SeatId]) -> list[SeatId]:
    return [seat_id for seat_id in selection if grid.layout.seats[seat_id].type == "wheelchair"]


def unpaired_couple_seats(grid: SeatGrid, selection: Collection[SeatId]) -> list[SeatId]:
    """Couple seats of the selection whose pair is not selected too."""
    seats = grid.layout.seats
    return [
        seat_id
        for seat_id in selection
        if (pair := seats[seat_id].pair) is not None and pair not in selection
    ]


def stranded_seats(grid: SeatGrid, taken: Collection[SeatId], selection: Collection[SeatId]) -> list[SeatId]:
    """Free seats the selection would leave alone between itself and a taken seat or a block end.

    ``taken`` are the seats sold or held now. Seats are named block by block, left to right.
    """
    chosen = set(selection)
    after = chosen.union(taken)
    found: list[SeatId] = []
    for index in sorted({grid.block_of[seat_id] for seat_id in chosen}):
        block = grid.blocks[index]
        last = len(block) - 1
        for i, seat in enumerate(block):
            if seat.id in after or seat.type == "wheelchair":
                continue
            left = block[i - 1].id if i > 0 else None
            right = block[i + 1].id if i < last else None
            closed = (left is None or left in after) and (right is None or right in after)
            if closed and (left in chosen or right in chosen):
                found.append(seat.id)
    return found


def window_score(grid: SeatGrid, window: Sequence[Seat]) -> int:
    row_distance = abs(window[0].row - grid.sweet_row)
    centre_distance = abs(window[0].col + window[-1].col - (grid.layout.columns - 1))
    return ROW_WEIGHT * row_distance + centre_distance


def window_allowed(
    grid: SeatGrid,
    taken: Collection[SeatId],
    window: Sequence[Seat],
    *,
    zone: str | None,
    accessible: bool,
) -> bool:
    ids = [seat.id for seat in window]
    if any(seat.id in taken for seat in window):
        return False
    if zone is not None and any(seat.zone != zone for seat in window):
        return False
    has_wheelchair = any(seat.type == "wheelchair" for seat in window)
    if has_wheelchair != accessible:
        return False
    if unpaired_couple_seats(grid, ids):
        return False
    return not stranded_seats(grid, taken, ids)


def best_block(
    grid: SeatGrid,
    taken: Collection[SeatId],
    count: int,
    *,
    zone: str | None = None,
    accessible: bool = False,
) -> tuple[SeatId, ...] | None:
    """The best window of ``count`` adjacent seats in one block, or None when no block fits."""
    best: tuple[SeatId, ...] | None = None
    best_score = 0
    for block in grid.blocks:
        for start in range(len(block) - count + 1):
            window = block[start : start + count]
            score = window_score(grid, window)
            if best is not None and score >= best_score:
                continue
            if window_allowed(grid, taken, window, zone=zone, accessible=accessible):
                best, best_score = tuple(seat.id for seat in window), score
    return best
