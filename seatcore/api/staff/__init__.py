"""The staff API behind the browser console: catalogue, schedule, box office, orders, audit,
the door.

Every endpoint is for signed-in staff (``auth="staff"``) and is scoped per cinema by
seatcore.api.staff._access.
"""

from __future__ import annotations

from seatcore.api._http import Endpoints
from seatcore.api.staff import (
    analytics,
    audit,
    boxoffice,
    boxoffice_discounts,
    checkins,
    cinemas,
    experiments,
    loyalty,
    members,
    movies,
    orders,
    showtimes,
    snacks,
)

ENDPOINT_GROUPS: list[Endpoints] = [
    movies.endpoints,
    cinemas.endpoints,
    showtimes.endpoints,
    boxoffice.endpoints,
    boxoffice_discounts.endpoints,
    orders.endpoints,
    audit.endpoints,
    analytics.endpoints,
    checkins.endpoints,
    experiments.endpoints,
    loyalty.endpoints,
    members.endpoints,
    snacks.endpoints,
]
