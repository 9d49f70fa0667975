"""What the seat engine hands back: holds, snapshots and logged changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from seatcore.types import Fen, SeatId, ShowtimeId, UserId

SeatState = Literal["free", "held", "sold"]
Change = dict[str, Any]  # {"seat": "A-1", "state": "held", "hold_id": "..."}; hold_id only when held


@dataclass(frozen=True, slots=True)
class Hold:
    id: str
    showtime_id: ShowtimeId
    user_id: UserId
    seats: tuple[SeatId, ...]
    expires_at_ms: int
    max_expires_at_ms: int
    amount_fen: Fen


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every seat of the layout at sequence number ``seq`` of epoch ``epoch``, read atomically."""

    showtime_id: ShowtimeId
    seq: int
    epoch: str
    states: dict[SeatId, SeatState]
    mine: list[SeatId] = field(default_factory=list)
    my_hold: Hold | None = None
    holders: dict[SeatId, str] = field(default_factory=dict)  # held seat -> its hold id


@dataclass(frozen=True, slots=True)
class Delta:
    """One logged change: every seat change of sequence number ``seq``."""

    seq: int
    changes: list[Change]
