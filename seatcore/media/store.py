"""Where media files live: behind ``MediaStore``, the data folder (served by the app under
``/media``) or an S3-compatible bucket (seatcore.media.s3), chosen by ``settings.media_store``.

Keys are relative paths such as ``posters/12/list-3f9a0c.jpg``; a stored file is never changed
in place (a new upload gets a new key), so browsers and CDNs may cache a URL forever.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

from seatcore.media.s3 import S3MediaStore
from seatcore.settings import Settings


class MediaStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store ``data`` under ``key``; returns the URL the pages load it from."""
        ...

    async def aclose(self) -> None: ...


class LocalMediaStore:
    """Files under ``root`` (data_dir/media), served by the app's ``/media`` mount."""

    def __init__(self, root: Path, url_prefix: str = "/media") -> None:
        self.root = root
        self.url_prefix = url_prefix.rstrip("/")

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        path = self.root / key
        await asyncio.to_thread(_write_atomically, path, data)
        return f"{self.url_prefix}/{key}"

    async def aclose(self) -> None:
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # a reader sees the whole file or none


def media_store(settings: Settings) -> MediaStore:
    if settings.media_store == "s3":
        return S3MediaStore.from_settings(settings)
    return LocalMediaStore(settings.data_dir / "media")
