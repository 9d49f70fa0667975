"""The HTTP and WebSocket edge. Each module declares its endpoints; ``ENDPOINT_GROUPS`` lists them."""

from __future__ import annotations

from seatcore.api import (
    auth,
    cinemas,
    client_config,
    dictionary,
    events,
    health,
    movies,
    openapi,
    orders,
    seats,
    showtimes,
    staff,
    waitingroom,
)
from seatcore.api._http import Endpoints

# The router tries routes in this order: the hold path, the busiest, comes first.
ENDPOINT_GROUPS: list[Endpoints] = [
    seats.endpoints,
    health.endpoints,
    openapi.endpoints,
    auth.endpoints,
    movies.endpoints,
    cinemas.endpoints,
    dictionary.endpoints,
    client_config.endpoints,
    showtimes.endpoints,
    orders.endpoints,
    events.endpoints,
    waitingroom.endpoints,
    *staff.ENDPOINT_GROUPS,
]
