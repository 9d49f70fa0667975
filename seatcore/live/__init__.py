"""The live seat map: every seat change pushed to everyone watching the showtime.

``live_service`` runs this process's hub for the app's lifetime (one of the app's background
services) and ``live_routes`` are its WebSocket routes. Protocol: docs/websocket.md.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.routing import BaseRoute, WebSocketRoute

from seatcore.live.hub import LiveHub, running
from seatcore.live.source import seat_source
from seatcore.live.ws import seat_map_socket
from seatcore.runtime import Runtime


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
    )
    runtime.extras["live"] = hub
    freeze_startup_heap()
    async with running(hub):
        yield


def freeze_startup_heap() -> None:
    """Keep the startup heap (~150,000 objects: modules, models, routes) out of the collector.

    Every full collection walks every tracked object and holds up every socket meanwhile; with the
    startup heap frozen a pause at 1,000 sockets lasts half as long (loadtests/bench_fanout.py).
    Once per process: garbage is collected first, and what is frozen lives as long as the process.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def live_routes() -> list[BaseRoute]:
    return [WebSocketRoute("/ws/showtimes/{showtime_id}", seat_map_socket, name="seat_map_socket")]
