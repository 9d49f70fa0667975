"""The live seat map: every seat change pushed to everyone watching the showtime.

``live_service`` runs this process's hub for the app's lifetime (one of the app's background
services) and ``live_routes`` are its WebSocket routes. Protocol: docs/websocket.md.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.routing import BaseRoute, WebSocketRoute

from seatcore.engine.background import seat_engine
from seatcore.live.hub import LiveHub, running
from seatcore.live.source import seat_source
from seatcore.live.ws import seat_map_socket
from seatcore.runtime import Runtime

YOUNG_COLLECTION_OBJECTS = 50_000  # Python's default is 700


@contextlib.asynccontextmanager
async def live_service(runtime: Runtime) -> AsyncIterator[None]:
    settings = runtime.settings
    hub = LiveHub(
        runtime.redis,
        lambda: seat_source(runtime),
        coalesce_ms=settings.live_coalesce_ms,
        queue_frames=settings.live_queue_frames,
        ping_interval_s=settings.live_ping_interval_s,
        idle_timeout_s=settings.live_idle_timeout_s,
        max_sockets_per_ip=settings.live_max_sockets_per_ip,
        channel_prefix=seat_engine(runtime).channel_prefix,  # where the engine publishes
        shard_channels=seat_engine(runtime).shard_channels,
    )
    runtime.extras["live"] = hub
    tune_collector()
    async with running(hub):
        yield


def tune_collector() -> None:
    """Keep Python's cyclic collector from stalling every socket of the process.

    A full collection walks every tracked object (about 120 per open socket) while nothing else
    runs: close to a second at 10,000 sockets. Two changes, measured with loadtests/bench_fanout.py:
    the startup heap (~150,000 objects: modules, models, routes) is frozen out of the walks, and a
    young collection waits for 50,000 new objects instead of 700, so that the futures of sockets
    waiting between deltas die young instead of being promoted, which set off a full collection
    every few seconds. Once per process; garbage is collected before the heap is frozen.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_COLLECTION_OBJECTS, *gc.get_threshold()[1:])


def live_routes() -> list[BaseRoute]:
    return [WebSocketRoute("/ws/showtimes/{showtime_id}", seat_map_socket, name="seat_map_socket")]
