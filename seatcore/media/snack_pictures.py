"""A snack's picture upload: checked by content and re-encoded like a poster (seatcore.media.images),
but square, at the sizes the menu shows (``snacks/7/3f9a0c1d-320.jpg`` and ``-640``)."""

from __future__ import annotations

import asyncio
import hashlib
import io

from PIL import Image, ImageOps

from seatcore.media.images import JPEG_QUALITY, Rendition, decode_poster
from seatcore.media.posters import StoredRendition, limits_of
from seatcore.media.store import media_store
from seatcore.settings import Settings

SNACK_SIZES = (320, 640)  # square: the menu's card, and the card on a sharp screen
MAIN_SIZE = "320"


def snack_renditions(data: bytes, settings: Settings) -> list[Rendition]:
    image = decode_poster(data, limits_of(settings))
    found = []
    for side in SNACK_SIZES:
        fitted = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        fitted.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        found.append(Rendition(str(side), side, side, out.getvalue()))
    return found


async def store_snack_picture(settings: Settings, snack_id: int, data: bytes) -> list[StoredRendition]:
    """Every size stored under a name made from the content; refused uploads store nothing."""
    renditions = await asyncio.to_thread(snack_renditions, data, settings)
    stem = hashlib.sha256(data).hexdigest()[:16]
    store = media_store(settings)
    try:
        stored = []
        for item in renditions:
            url = await store.put(
                f"snacks/{snack_id}/{stem}-{item.name}.{item.extension}", item.data, item.content_type
            )
            stored.append(StoredRendition(item.name, item.width, item.height, len(item.data), url))
    finally:
        await store.aclose()
    return stored
