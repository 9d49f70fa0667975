"""A cancelled showtime takes no more money: its holds and unpaid orders end at once.

Staff cancel a showtime in MySQL first (seatcore.api.staff.showtimes); then ``close_showtime``:

1. the seat engine marks the showtime cancelled in Redis and ends every live hold (seat maps see
   the seats freed); from then on no hold is made and ``buy`` refuses, in every process;
2. every unpaid order of the showtime still in Redis ends ``cancelled`` with the reason
   ``showtime_cancelled`` (one whose payment was started stays due for the sweeper, which asks the
   provider once more: a payment that still lands buys nothing and is refunded);
3. an order whose payment arrived but had not bought its seats is settled now: the engine
   refuses the buy, so the payment is refunded at once with that reason;
4. orders that had bought their seats before the mark are on their way to MySQL: they are given
   ``LANDING_WAIT_S`` to land (the writers take milliseconds), and the caller refunds them with the
   landed ones; any still on the way are listed in its answer, and cancelling again refunds them.

Every step can run again: cancelling twice changes nothing the first did not.
"""

from __future__ import annotations

import asyncio
import logging

from seatcore.domain.orders import OrderStatus, Reason
from seatcore.orders.service import OrderService

log = logging.getLogger(__name__)

LANDING_WAIT_S = 5.0
LANDING_POLL_S = 0.05


async def close_showtime(service: OrderService, showtime_id: int) -> list[str]:
    """End the showtime's holds and unpaid orders; answers the paid orders that were still in
    Redis (landed by now, unless MySQL is slow: the caller refunds them either way)."""
    ended_holds = await service.seats.close(showtime_id)
    paid: list[str] = []
    ended_orders = 0
    for order_id in await service.inflight.of_showtime(showtime_id):
        order = await service.inflight.get(order_id)
        if order is None:
            continue
        if order.payment is None:
            if order.status is OrderStatus.PENDING_PAYMENT:
                await service.end_unpaid(order_id, OrderStatus.CANCELLED, Reason.SHOWTIME_CANCELLED)
                ended_orders += 1
            continue
        settled = await service.settle(order_id)
        if settled is not None and settled.status is OrderStatus.PAID:
            paid.append(order_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LANDING_WAIT_S
    landing = list(paid)
    while landing and loop.time() < deadline:
        await asyncio.sleep(LANDING_POLL_S)
        landing = [order_id for order_id in landing if await service.inflight.get(order_id) is not None]
    log.info(
        "showtime %s closed: %d holds and %d unpaid orders ended, %d paid orders were landing",
        showtime_id,
        len(ended_holds),
        ended_orders,
        len(paid),
    )
    return paid
