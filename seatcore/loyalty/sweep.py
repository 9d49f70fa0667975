"""The loyalty sweep: reservations nobody settled are settled from what became of their order.

An order gives its points and coupon back when it ends unpaid, and commits them when it lands;
both steps are taken by the order path as it goes. A crash between reserving and making the order,
or MySQL away when the order ended, leaves a reservation behind: this sweep, once a minute, looks
at reservations older than the longest a hold can live, and settles each from its order's fate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from seatcore.domain.orders import OrderStatus
from seatcore.orders import store as order_store
from seatcore.outage_log import OutageLog
from seatcore.store import loyalty as store
from seatcore.store._time import utcnow

if TYPE_CHECKING:
    from seatcore.orders.service import OrderService

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 60.0
GRACE = timedelta(minutes=5)  # past a hold's hard maximum: a payment being settled has landed by then


async def settle_stale(service: OrderService) -> int:
    """Settle the stale reservations; answers how many were looked at."""
    older_than = utcnow() - timedelta(seconds=service.settings.hold_max_life_s) - GRACE
    stale = await store.stale_reservations(service.db, older_than)
    for order_id in stale:
        in_flight = await service.inflight.get(order_id)
        if in_flight is not None:
            if in_flight.status is OrderStatus.PENDING_PAYMENT or in_flight.payment is not None:
                continue  # still payable, or paid and on its way: landing settles it
            await service.loyalty.release(order_id)
            continue
        landed = await order_store.get(service.db, order_id)
        if landed is None:
            log.warning("order %s was never made or is long gone: its points and coupon go back", order_id)
            await service.loyalty.release(order_id)
        else:
            await service.loyalty.on_landed([landed])
    return len(stale)


async def run(service: OrderService, stopping: asyncio.Event) -> None:
    outage = OutageLog(log, "loyalty sweep")
    while not stopping.is_set():
        try:
            await settle_stale(service)
            outage.succeeded()
        except Exception as exc:
            outage.failed(exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), SWEEP_EVERY_S)
