"""The service's own response times, per route, into the event store.

The request middleware (seatcore.observability) hands every HTTP request's duration to this
process's ``LatencyRecorder``, which only adds one to a bucket of an in-memory histogram per local
hour and route (seatcore.domain.latency); a task lands the histograms in the store's ``latency``
table every ``FLUSH_EVERY_S``. Every worker process flushes its own: rows of the same hour and
route add up in the reports, so the figures cover all workers. Prometheus (``/metrics``) keeps
measuring too; this copy is what the console can draw over days without a Prometheus server.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from seatcore.analytics.store import EventStore
from seatcore.domain.latency import UNMEASURED_PATHS, bucket_of

log = logging.getLogger(__name__)

FLUSH_EVERY_S = 15.0
MAX_KEYS = 100_000  # past this (the store away for long) new measurements are dropped, counted

Key = tuple[str, str, str, int]  # (local day, local hour, route, bucket)


class LatencyRecorder:
    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._counts: dict[Key, list[float]] = {}  # key -> [requests, total ms]
        self.dropped = 0

    def observe(self, method: str, route: str, path: str, seconds: float) -> None:
        """Count one answered request; never waits and never fails the request."""
        if path in UNMEASURED_PATHS:
            return
        ms = seconds * 1000
        day, hour = self._hour(int(time.time()) // 60)
        key = (day, hour, f"{method} {route or '/'}", bucket_of(ms))
        found = self._counts.get(key)
        if found is None:
            if len(self._counts) >= MAX_KEYS:
                self.dropped += 1
                return
            self._counts[key] = [1, ms]
        else:
            found[0] += 1
            found[1] += ms

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one recorder per process, lives as long)
    def _hour(self, minute: int) -> tuple[str, str]:
        """The local day and hour (wall clock, ISO) of a minute since the epoch."""
        local = datetime.fromtimestamp(minute * 60, self.zone)
        return local.date().isoformat(), local.strftime("%Y-%m-%dT%H:00:00")

    def take(self) -> list[dict[str, Any]]:
        """The rows counted since the last take, as the store's ``latency`` table keeps them."""
        counts, self._counts = self._counts, {}
        return [
            {"day": day, "hour": hour, "route": route, "bucket": bucket, "requests": int(n), "total_ms": ms}
            for (day, hour, route, bucket), (n, ms) in counts.items()
        ]

    def put_back(self, rows: list[dict[str, Any]]) -> None:
        """Rows that could not be landed, counted again for the next flush."""
        for row in rows:
            key = (row["day"], row["hour"], row["route"], row["bucket"])
            found = self._counts.setdefault(key, [0, 0.0])
            found[0] += row["requests"]
            found[1] += row["total_ms"]

    async def flush(self, store: EventStore) -> int:
        rows = self.take()
        if not rows:
            return 0
        try:
            return await asyncio.to_thread(store.append_latency, rows)
        except Exception:
            self.put_back(rows)
            raise

    async def run_flusher(self, store: EventStore, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), FLUSH_EVERY_S)
            try:
                await self.flush(store)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("response times could not reach the event store, kept for next time: %s", exc)
