"""Poster images for the demo films, drawn with Pillow: a colour gradient, a few soft discs and the
title. No downloads: the fonts are whatever the machine has (a CJK font for the Chinese title when
one is installed, DejaVu for the rest, else Pillow's built-in font)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from seatcore.demo.films import Film

SIZE = (400, 600)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_CJK_FONTS = (
    "NotoSansCJK-Bold.ttc",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Bold.otf",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "DroidSansFallbackFull.ttf",
)
_LATIN_FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")


def _find_font(names: tuple[str, ...], size: int) -> Font | None:
    for name in names:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return None


def _font(names: tuple[str, ...], size: int) -> Font:
    return _find_font(names, size) or ImageFont.load_default(size)


def _wrap(text: str, font: Font, width_px: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _colours(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
    """Three colours that depend only on the title, so a film keeps its poster's look."""
    digest = hashlib.sha256(seed.encode()).digest()
    top = (digest[0] // 3, digest[1] // 3, 40 + digest[2] // 3)
    bottom = (120 + digest[3] // 2, 40 + digest[4] // 3, 60 + digest[5] // 3)
    accent = (200 + digest[6] // 5, 160 + digest[7] // 4, 80 + digest[8] // 3)
    return top, bottom, accent


def draw_poster(film: Film) -> Image.Image:
    top, bottom, accent = _colours(film.original_title)
    mask = Image.linear_gradient("L").resize(SIZE)
    image = Image.composite(Image.new("RGB", SIZE, bottom), Image.new("RGB", SIZE, top), mask)
    overlay = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    digest = hashlib.sha256(film.title.encode()).digest()
    for i in range(4):
        x, y, r = digest[i] * SIZE[0] // 255, 80 + digest[i + 4] * 300 // 255, 30 + digest[i + 8] // 5
        shapes.ellipse((x - r, y - r, x + r, y + r), fill=(*accent, 60))
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")

    draw = ImageDraw.Draw(image)
    y = 330
    cjk = _find_font(_CJK_FONTS, 44)
    if cjk is not None:
        draw.text((24, y), film.title, font=cjk, fill=(255, 255, 255))
        y += 64
    title_font = _font(_LATIN_FONTS, 30)
    for line in _wrap(film.original_title.upper(), title_font, SIZE[0] - 48):
        draw.text((24, y), line, font=title_font, fill=accent)
        y += 38
    small = _font(_LATIN_FONTS, 16)
    draw.text((24, SIZE[1] - 64), " / ".join(film.genres), font=small, fill=(235, 235, 235))
    draw.text(
        (24, SIZE[1] - 40), f"{film.duration_min} min  ·  {film.language}", font=small, fill=(235, 235, 235)
    )
    draw.rectangle((0, 0, SIZE[0] - 1, SIZE[1] - 1), outline=accent, width=3)
    return image


def write_poster(film: Film, path: Path) -> bool:
    """Draw the film's poster to ``path`` unless it is there already; True when written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    draw_poster(film).save(tmp, format="PNG", optimize=True)
    tmp.replace(path)
    return True
