"""A waiting room on the test's Redis database, driven by a simulated clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from seatcore.redis_client import connect
from seatcore.settings import Settings
from seatcore.waitingroom.room import WaitingRooms
from seatcore.waitingroom.tokens import AdmissionTokens
from tests.live.serving import LiveServer, serving

OPENS = 1_000_000_000_000  # ms
SHOW = 1


@pytest.fixture
async def rooms(redis_url: str) -> AsyncIterator[WaitingRooms]:
    client = connect(redis_url, max_connections=64, wait_s=30, decode_responses=True)
    rooms = WaitingRooms(client, AdmissionTokens("test-secret"))
    await rooms.close(SHOW)
    yield rooms
    await rooms.close(SHOW)
    await client.aclose()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Lines that move every 50 ms, and holds as often as the tests make them."""
    return settings.model_copy(update={"waiting_room_tick_ms": 50, "hold_rate_per_minute": 100_000})


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    async with serving(app) as live:
        yield live
