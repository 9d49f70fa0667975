"""The HTTP and WebSocket edge. Each module declares its endpoints; ``ENDPOINT_GROUPS`` lists them."""

from __future__ import annotations

from seatcore.api import auth, health, openapi
from seatcore.api._http import Endpoints

ENDPOINT_GROUPS: list[Endpoints] = [
    health.endpoints,
    openapi.endpoints,
    auth.endpoints,
]
