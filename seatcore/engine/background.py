"""The seat engine's life in the app: made at startup (``runtime.extras["seats"]``) with its sweeper
running beside it until shutdown.

The engine gets its own Redis connections from a pool that waits for a free connection when all
are busy, rather than failing the request: a burst of holds (hundreds at the same moment when a
popular showtime opens) queues for a few milliseconds instead of answering with errors.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from seatcore.engine.loader import MySQLSeating
from seatcore.engine.service import SeatEngine, engine_from_settings
from seatcore.engine.sweeper import Sweeper
from seatcore.errors import UpstreamUnavailable
from seatcore.redis_client import sibling
from seatcore.runtime import Runtime
from seatcore.tasks import stop_tasks

POOL_WAIT_S = 5.0


def seat_engine(runtime: Runtime) -> SeatEngine:
    """The running app's seat engine (503 upstream_unavailable while it is not running)."""
    engine = runtime.extras.get("seats")
    if not isinstance(engine, SeatEngine):
        raise UpstreamUnavailable("the seat engine is not running")
    return engine


@contextlib.asynccontextmanager
async def seat_engine_service(runtime: Runtime) -> AsyncIterator[None]:
    settings = runtime.settings
    redis = sibling(runtime.redis, max_connections=settings.seat_redis_connections, wait_s=POOL_WAIT_S)
    engine = engine_from_settings(
        redis, MySQLSeating(runtime.db), settings, shard_channels=runtime.shard_channels
    )
    runtime.extras["seats"] = engine
    sweeper = Sweeper(engine, settings.sweeper_interval_ms)
    task = asyncio.create_task(sweeper.run(), name="hold-sweeper")
    try:
        yield
    finally:
        await stop_tasks([task])
        runtime.extras.pop("seats", None)
        await redis.aclose()
