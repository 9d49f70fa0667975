"""The demo cinemas' snack menus: items and combos with pictures drawn like the posters (Pillow, no
downloads), made once per cinema (found by name, so a second seed adds nothing)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import snacks
from seatcore.demo.posters import _CJK_FONTS, _LATIN_FONTS, _find_font, _font
from seatcore.domain.snacks import Snack
from seatcore.store import snacks as store

PICTURE_SIDE = 320


@dataclass(frozen=True, slots=True)
class MenuItem:
    name: str
    price_fen: int
    description: str = ""
    stock: int | None = None  # None: no limit
    contents: tuple[tuple[str, int], ...] = ()

    @property
    def kind(self) -> str:
        return "combo" if self.contents else "item"


MENU = (
    MenuItem("爆米花（大）", 2800, "现爆焦糖爆米花，大桶"),
    MenuItem("爆米花（中）", 2200, "现爆焦糖爆米花，中桶"),
    MenuItem("可乐（中杯）", 1200, "冰镇可口可乐 500ml"),
    MenuItem("矿泉水", 600, "550ml"),
    MenuItem("热狗", 1800, "德式香肠热狗", stock=60),
    MenuItem("单人套餐", 3600, "中桶爆米花 + 中杯可乐", contents=(("爆米花（中）", 1), ("可乐（中杯）", 1))),
    MenuItem("双人套餐", 5800, "大桶爆米花 + 两杯可乐", contents=(("爆米花（大）", 1), ("可乐（中杯）", 2))),
    MenuItem(
        "限定观影礼盒",
        8800,
        "限量周边杯 + 大桶爆米花 + 可乐",
        stock=40,
        contents=(("周边杯", 1), ("爆米花（大）", 1), ("可乐（中杯）", 1)),
    ),
)


def draw_snack(item: MenuItem) -> Image.Image:
    """A square card: a warm gradient, a round 'bucket' and the snack's name."""
    digest = hashlib.sha256(item.name.encode()).digest()
    image = Image.new("RGB", (PICTURE_SIDE, PICTURE_SIDE))
    draw = ImageDraw.Draw(image)
    top = (200 + digest[0] // 5, 80 + digest[1] // 4, 40 + digest[2] // 5)
    bottom = (120 + digest[3] // 4, 30 + digest[4] // 5, 40 + digest[5] // 4)
    for y in range(PICTURE_SIDE):
        t = y / PICTURE_SIDE
        draw.line(
            [(0, y), (PICTURE_SIDE, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    r = 70 + digest[6] % 30
    draw.ellipse([160 - r, 130 - r, 160 + r, 130 + r], fill=(255, 236, 180), outline=(255, 255, 255), width=4)
    if item.kind == "combo":
        draw.ellipse([215, 150, 285, 220], fill=(235, 60, 60), outline=(255, 255, 255), width=3)
    font = _find_font(_CJK_FONTS, 30) or _font(_LATIN_FONTS, 26)
    text = item.name if _find_font(_CJK_FONTS, 30) else f"snack {digest[7] % 100}"
    width = draw.textlength(text, font=font)
    draw.text(((PICTURE_SIDE - width) / 2, 250), text, fill=(255, 255, 255), font=font)
    return image


async def ensure_menus(db: AsyncEngine, media_dir: Path, cinema_ids: list[int]) -> tuple[int, list[Snack]]:
    """Every demo cinema's menu, making what is missing; returns (snacks made now, all menu snacks)."""
    made = 0
    folder = media_dir / "snacks"
    for cinema_id in cinema_ids:
        async with db.connect() as conn:
            rows = await conn.execute(select(snacks.c.name).where(snacks.c.cinema_id == cinema_id))
            have = {row.name for row in rows}
        for position, item in enumerate(MENU):
            if item.name in have:
                continue
            snack = await store.create(
                db,
                None,
                cinema_id,
                {
                    "kind": item.kind,
                    "name": item.name,
                    "description": item.description,
                    "price_fen": item.price_fen,
                    "stock": item.stock,
                    "position": position,
                    "contents": [{"name": name, "qty": qty} for name, qty in item.contents],
                },
            )
            folder.mkdir(parents=True, exist_ok=True)
            draw_snack(item).save(folder / f"{snack.id}-320.jpg", format="JPEG", quality=85)
            async with db.begin() as conn:
                await conn.execute(
                    update(snacks)
                    .where(snacks.c.id == snack.id)
                    .values(picture_url=f"/media/snacks/{snack.id}-320.jpg")
                )
            made += 1
    menus = [snack for cinema_id in cinema_ids for snack in await store.for_cinema(db, cinema_id)]
    return made, menus
