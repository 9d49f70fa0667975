"""A waiting room on the test's Redis database, driven by a simulated clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from seatcore.redis_client import connect
from seatcore.waitingroom.room import WaitingRooms
from seatcore.waitingroom.tokens import AdmissionTokens

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
