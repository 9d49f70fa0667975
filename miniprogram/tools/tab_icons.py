"""Draw the tab bar's icons (images/tab/*.png): a film, a cinema's seats and a person, each in the
tab bar's grey and in its red when selected. Drawn, not downloaded; run again after a change:

    /path/to/venv/bin/python miniprogram/tools/tab_icons.py

WeChat wants tab icons of at most 40 KB; 81 x 81 px is its recommended size.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "images" / "tab"
SIZE = 81
SCALE = 4  # drawn large, then shrunk: smooth edges without an antialiasing pen
S = SIZE * SCALE


def _colours() -> tuple[str, str]:
    bar = json.loads((ROOT / "app.json").read_text(encoding="utf-8"))["tabBar"]
    return bar["color"], bar["selectedColor"]


def film(draw: ImageDraw.ImageDraw, colour: str) -> None:
    """A frame of film with a play mark."""
    w = S // 14
    draw.rounded_rectangle((S * 0.12, S * 0.2, S * 0.88, S * 0.8), radius=S * 0.1, outline=colour, width=w)
    for x in (0.2, 0.8):
        for y in (0.3, 0.5, 0.7):
            r = S * 0.035
            draw.ellipse((S * x - r, S * y - r, S * x + r, S * y + r), fill=colour)
    draw.polygon([(S * 0.42, S * 0.36), (S * 0.42, S * 0.64), (S * 0.64, S * 0.5)], fill=colour)


def cinema(draw: ImageDraw.ImageDraw, colour: str) -> None:
    """A curved screen above two rows of seats."""
    w = S // 14
    draw.arc((S * 0.1, S * 0.12, S * 0.9, S * 0.62), start=200, end=340, fill=colour, width=w)
    for row, y in enumerate((0.5, 0.7)):
        for i in range(3 - row % 2):
            x = 0.22 + i * 0.28 + (0.14 if row % 2 else 0)
            draw.rounded_rectangle(
                (S * (x - 0.09), S * y, S * (x + 0.09), S * (y + 0.14)), radius=S * 0.04, fill=colour
            )


def person(draw: ImageDraw.ImageDraw, colour: str) -> None:
    """A head and shoulders."""
    w = S // 14
    draw.ellipse((S * 0.34, S * 0.14, S * 0.66, S * 0.46), outline=colour, width=w)
    draw.arc((S * 0.16, S * 0.52, S * 0.84, S * 1.18), start=180, end=360, fill=colour, width=w)


ICONS: dict[str, Callable[[ImageDraw.ImageDraw, str], None]] = {
    "movies": film,
    "cinemas": cinema,
    "mine": person,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    grey, red = _colours()
    for name, draw_icon in ICONS.items():
        for suffix, colour in (("", grey), ("-active", red)):
            big = Image.new("RGBA", (S, S), (0, 0, 0, 0))
            draw_icon(ImageDraw.Draw(big), colour)
            icon = big.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
            icon.save(OUT / f"{name}{suffix}.png", optimize=True)
            print(f"{OUT / f'{name}{suffix}.png'}")


if __name__ == "__main__":
    main()
