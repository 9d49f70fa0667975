"""A movie's poster upload: check and re-encode it (in a worker thread: decoding is CPU work),
store every size under a fresh key, and point the movie at the detail size.

The list size sits beside it under the same name with ``-list`` for ``-detail``
(``posters/12/3f9a0c1d-detail.jpg``, ``posters/12/3f9a0c1d-list.jpg``), so a page that shows a
small card can ask for the small file without another column.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

from seatcore.media.images import ImageLimits, Rendition, poster_renditions
from seatcore.media.store import media_store
from seatcore.settings import Settings

MAIN_SIZE = "detail"


@dataclass(frozen=True, slots=True)
class StoredRendition:
    name: str
    width: int
    height: int
    bytes: int
    url: str


def limits_of(settings: Settings) -> ImageLimits:
    return ImageLimits(
        max_bytes=settings.poster_max_bytes,
        max_side_px=settings.poster_max_side_px,
        max_pixels=settings.poster_max_pixels,
    )


async def store_poster(settings: Settings, movie_id: int, data: bytes) -> list[StoredRendition]:
    """Every size of the poster, stored; raises image_invalid / payload_too_large before storing
    anything, so a refused upload leaves the movie's poster as it was."""
    renditions: list[Rendition] = await asyncio.to_thread(poster_renditions, data, limits_of(settings))
    # Named by content: the same upload twice is the same files, a new one never overwrites.
    stem = hashlib.sha256(data).hexdigest()[:16]
    store = media_store(settings)
    try:
        stored = []
        for item in renditions:
            key = f"posters/{movie_id}/{stem}-{item.name}.{item.extension}"
            url = await store.put(key, item.data, item.content_type)
            stored.append(StoredRendition(item.name, item.width, item.height, len(item.data), url))
    finally:
        await store.aclose()
    return stored
