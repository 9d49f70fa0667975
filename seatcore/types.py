"""Small aliases for the shapes that recur across seatcore."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]
SeatId = str
ShowtimeId = int
UserId = int
Fen = int  # money is always integer fen
