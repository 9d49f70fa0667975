"""This process's lease in Redis: the proof that it lives, for work it leaves marked as its own.

Each service process takes an owner id at start and keeps the key ``sc:alive:OWNER`` alive: set
with a time to live of ``ttl_ms`` and refreshed every ``refresh_s`` while ``run`` runs. Work marked
with an owner (an Idempotency-Key whose first call is running, the order-stream messages its
writer has read) belongs to a dead process as soon as that key is gone, and is taken over then,
instead of after a timeout long enough for the slowest live request. A clean shutdown deletes the
key (``end``), so nobody even waits ``ttl_ms``. A live process whose lease lapsed (Redis away for
longer than ``ttl_ms``, a stalled event loop) may see its work taken over: everything marked this
way is safe to do twice, the lease only makes sure it is not left undone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterable

import redis.asyncio as aioredis

from seatcore import keys
from seatcore.outage_log import OutageLog

log = logging.getLogger(__name__)

LEASE_TTL_MS = 3_000  # how long a killed process's work waits before it is taken over
REFRESH_S = 1.0


def new_owner() -> str:
    """An owner id unique per process start (also the order writer's consumer name)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class ProcessLease:
    def __init__(
        self,
        redis: aioredis.Redis,
        owner: str | None = None,
        *,
        ttl_ms: int = LEASE_TTL_MS,
        refresh_s: float = REFRESH_S,
    ) -> None:
        self._redis = redis
        self.owner = owner or new_owner()
        self.ttl_ms = ttl_ms
        self.refresh_s = min(refresh_s, ttl_ms / 3000)  # two beats may be missed before it lapses
        self._beaten_at: float | None = None

    async def beat(self) -> None:
        """Say (again) that this process lives, for the next ``ttl_ms``."""
        await self._redis.set(keys.process_alive(self.owner), "1", px=self.ttl_ms)
        self._beaten_at = time.monotonic()

    async def keep_alive(self) -> None:
        """Beat unless ``run`` (or a call here) did within ``refresh_s``: work about to be marked as
        this owner's must never start under a lease that has already lapsed."""
        if self._beaten_at is None or time.monotonic() - self._beaten_at >= self.refresh_s:
            await self.beat()

    async def run(self, stopping: asyncio.Event) -> None:
        """Beat every ``refresh_s`` until ``stopping`` is set, then end the lease."""
        outage = OutageLog(log, f"the process lease {self.owner}")
        while not stopping.is_set():
            try:
                await self.beat()
                outage.succeeded()
            except Exception as exc:  # Redis away: the lease lapses, and is back with it
                outage.failed(exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.refresh_s)
        await self.end()

    async def end(self) -> None:
        """This process is going: its marked work may be taken over at once."""
        self._beaten_at = None
        with contextlib.suppress(Exception):  # Redis away: the lease lapses by itself
            await self._redis.delete(keys.process_alive(self.owner))


async def living(redis: aioredis.Redis, owners: Iterable[str]) -> set[str]:
    """Those of ``owners`` whose lease is current."""
    names = list(dict.fromkeys(owners))
    if not names:
        return set()
    async with redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.exists(keys.process_alive(name))
        found = await pipe.execute()
    return {name for name, present in zip(names, found, strict=True) if present}
