"""Analytics in the app: the event log (``runtime.extras["analytics"]``), the event store
(``runtime.extras["analytics_store"]``), the response-time recorder (``runtime.extras["latency"]``,
fed by the request middleware), one writer per process, the flushers of the service's own events
and of its response times, and the upkeep: every ``ROLLUP_EVERY_S`` the rollups of days with new events are
recomputed and days past the retention dropped, by one process at a time (a Redis lock)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

from seatcore import keys
from seatcore.analytics.events import EventLog
from seatcore.analytics.latency import LatencyRecorder
from seatcore.analytics.store import EventStore
from seatcore.analytics.writer import BLOCK_MS, EventWriter
from seatcore.runtime import Runtime
from seatcore.settings import Settings
from seatcore.tasks import stop_tasks

log = logging.getLogger(__name__)

STOP_GRACE_S = 5.0
ROLLUP_EVERY_S = 30.0


def store_path(settings: Settings) -> Path:
    return (
        Path(settings.analytics_db_path)
        if settings.analytics_db_path
        else settings.data_dir / "analytics.duckdb"
    )


def event_store(runtime: Runtime) -> EventStore:
    store = runtime.extras["analytics_store"]
    assert isinstance(store, EventStore)
    return store


def latency_recorder(runtime: Runtime) -> LatencyRecorder:
    recorder = runtime.extras["latency"]
    assert isinstance(recorder, LatencyRecorder)
    return recorder


def event_log(runtime: Runtime) -> EventLog:
    events = runtime.extras["analytics"]
    assert isinstance(events, EventLog)
    return events


def retention_cutoff(settings: Settings, today: dt.date | None = None) -> dt.date:
    """The first day still kept."""
    today = today or dt.datetime.now(ZoneInfo(settings.analytics_timezone)).date()
    return today - dt.timedelta(days=settings.analytics_retention_days - 1)


async def upkeep(runtime: Runtime, store: EventStore, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            # Workers share the store: the first to take the turn does the round.
            if await runtime.redis.set(keys.ANALYTICS_UPKEEP, "1", nx=True, px=int(ROLLUP_EVERY_S * 900)):
                await asyncio.to_thread(store.refresh)
                gone = await asyncio.to_thread(store.drop_before, retention_cutoff(runtime.settings))
                if gone:
                    log.info("analytics retention dropped %d events", gone)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("analytics upkeep failed, trying again later: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), ROLLUP_EVERY_S)


@contextlib.asynccontextmanager
async def analytics_service(runtime: Runtime) -> AsyncIterator[None]:
    settings = runtime.settings
    store = await asyncio.to_thread(EventStore, store_path(settings))
    events = EventLog(runtime.redis, settings.analytics_timezone)
    runtime.extras["analytics"] = events
    runtime.extras["analytics_store"] = store
    latency = LatencyRecorder(settings.analytics_timezone)
    runtime.extras["latency"] = latency
    writer = EventWriter(runtime.redis, runtime.db, store, block_ms=settings.stream_block_ms or BLOCK_MS)
    stopping = asyncio.Event()
    tasks = [
        asyncio.create_task(writer.run(), name="analytics-writer"),
        asyncio.create_task(events.run_flusher(stopping), name="analytics-flusher"),
        asyncio.create_task(upkeep(runtime, store, stopping), name="analytics-upkeep"),
        asyncio.create_task(latency.run_flusher(store, stopping), name="latency-flusher"),
    ]
    try:
        yield
    finally:
        writer.stop()
        stopping.set()
        await stop_tasks(tasks, grace_s=STOP_GRACE_S)
        with contextlib.suppress(Exception):
            await events.flush()  # the service's last events wait in the stream for the next start
        with contextlib.suppress(Exception):
            await latency.flush(store)
        runtime.extras.pop("latency", None)
        runtime.extras.pop("analytics", None)
        runtime.extras.pop("analytics_store", None)
