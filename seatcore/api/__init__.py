"""The HTTP and WebSocket edge. Each module declares its endpoints; ``ENDPOINT_GROUPS`` lists them."""

from __future__ import annotations

from seatcore.api import (
    auth,
    checkout,
    cinemas,
    client_config,
    coupons,
    dictionary,
    events,
    exchange,
    experiments,
    health,
    members,
    movies,
    openapi,
    orders,
    recommendations,
    seats,
    showtimes,
    snacks,
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
    exchange.endpoints,
    checkout.endpoints,
    members.endpoints,
    coupons.endpoints,
    experiments.endpoints,
    recommendations.endpoints,
    waitingroom.endpoints,
    snacks.endpoints,
    *staff.ENDPOINT_GROUPS,
]
