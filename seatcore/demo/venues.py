"""The demo's cinemas and their halls: six seat layouts of different shapes, each with its prices.

- 星光影城 (Shanghai): a 288-seat IMAX hall with a centre aisle, a premium block, wheelchair
  spaces and a couple row; a 160-seat hall with two side aisles; a 50-seat VIP room.
- 浦江国际影城 (Shanghai): a 108-seat stadium hall drawn by hand (narrow front rows, a pillar
  gap, wheelchair spaces, couple seats); a 128-seat 3D hall.
- 京华影城 (Beijing): a 198-seat laser hall with two aisles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from seatcore.domain.layout import grid_layout

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class HallSpec:
    name: str
    layout: dict[str, Any]
    format: str
    prices: dict[str, int]  # fen per seat, for every zone of the layout
    first_start: str  # "HH:MM" local: halls start their days at staggered times


@dataclass(frozen=True, slots=True)
class CinemaSpec:
    name: str
    city: str
    address: str
    halls: tuple[HallSpec, ...]
    location: tuple[float, float]  # (latitude, longitude), WGS-84 degrees


def _stadium_layout() -> dict[str, Any]:
    """A hand-drawn hall: rows widen towards the back, a pillar takes two places in row D,
    wheelchair spaces at both ends of row G and couple pairs along the back wall."""
    plan: list[tuple[str, Iterable[int]]] = [
        ("A", range(3, 13)),
        ("B", range(2, 14)),
        ("C", range(1, 15)),
        ("D", [c for c in range(1, 15) if c not in (7, 8)]),
        ("E", range(16)),
        ("F", range(16)),
        ("G", range(16)),
        ("H", range(2, 14)),
    ]
    rows = []
    for label, cols in plan:
        seats: list[dict[str, Any]] = []
        for number, col in enumerate(cols, start=1):
            seat: dict[str, Any] = {"id": f"{label}-{number}", "col": col, "number": number}
            if label == "H":
                partner = number + 1 if number % 2 else number - 1
                seat.update(type="couple", zone="couple", pair=f"H-{partner}")
            elif label == "G" and col in (0, 15):
                seat.update(type="wheelchair", zone="standard")
            else:
                seat.update(type="standard", zone="premium" if label in ("D", "E") else "standard")
            seats.append(seat)
        rows.append({"label": label, "seats": seats})
    return {"columns": 16, "aisles": [], "rows": rows}


CINEMAS: tuple[CinemaSpec, ...] = (
    CinemaSpec(
        "星光影城（人民广场店）",
        "上海",
        "上海市黄浦区西藏中路 268 号 5 楼",
        (
            HallSpec(
                "1号厅 IMAX",
                grid_layout(
                    12,
                    25,
                    aisles=(12,),
                    couple_rows=(11,),
                    wheelchair=((0, 0), (0, 1), (0, 23), (0, 24)),
                    zones={5: "premium", 6: "premium", 7: "premium"},
                ),
                "IMAX",
                {"standard": 7500, "premium": 9500, "couple": 8500},
                "09:30",
            ),
            HallSpec(
                "2号厅",
                grid_layout(10, 18, aisles=(2, 15), couple_rows=(8,), wheelchair=((9, 0), (9, 17))),
                "2D",
                {"standard": 4500, "couple": 5500},
                "10:00",
            ),
            HallSpec(
                "VIP厅",
                grid_layout(5, 10, couple_rows=(3, 4), zones={0: "premium", 1: "premium", 2: "premium"}),
                "2D",
                {"premium": 12000, "couple": 13000},
                "10:45",
            ),
        ),
        location=(31.2336, 121.476),
    ),
    CinemaSpec(
        "浦江国际影城（陆家嘴店）",
        "上海",
        "上海市浦东新区陆家嘴环路 1000 号 B1",
        (
            HallSpec(
                "1号厅", _stadium_layout(), "2D", {"standard": 4800, "premium": 5800, "couple": 6000}, "10:15"
            ),
            HallSpec(
                "2号厅 3D",
                grid_layout(8, 17, aisles=(8,), couple_rows=(7,)),
                "3D",
                {"standard": 5500, "couple": 6500},
                "09:45",
            ),
        ),
        location=(31.238, 121.502),
    ),
    CinemaSpec(
        "京华影城（三里屯店）",
        "北京",
        "北京市朝阳区三里屯路 19 号 3 楼",
        (
            HallSpec(
                "激光厅",
                grid_layout(
                    11,
                    20,
                    aisles=(4, 15),
                    couple_rows=(10,),
                    wheelchair=((0, 0), (0, 19)),
                    zones={4: "premium", 5: "premium", 6: "premium"},
                ),
                "Laser",
                {"standard": 5000, "premium": 6800, "couple": 6000},
                "10:00",
            ),
        ),
        location=(39.937, 116.455),
    ),
)
