"""Finishing what a crash interrupted: the order sweeper and the recovery at start.

Every order in Redis is in the in-flight index, scored by when it next needs a look. The sweeper
(one per service process; ``claim_due`` leases each due order to one of them) looks at the due
ones every second:

- unpaid: when its payment was started (prepay made), ask the provider first: a payment whose
  notice never came is settled from the answer (ticketed, or refunded when too late). Then: is
  its hold still live? If not, the order expires (and is asked about for ``PAY_QUERY_GRACE``
  more); if so, look again when it ends, or every ``PAY_QUERY_EVERY`` while a payment is started;
- paid (or paid late): drive it on again (``OrderService.settle``): buy, mark paid, queue it,
  refund a late payment. Each step is idempotent, so repeating one that had been done is harmless,
  and a landed order queued once more is only tidied from Redis by the writer.

``recover`` (at start, before the first sweep) looks at every order in Redis at once, whatever its
score, and finishes the refunds of landed orders that a crash left ``refund_requested``.

Exchanges (seatcore.orders.exchange) a crash left part way are carried on by
``Exchanges.finish_pending``, in the first round and every half minute after the release below.

``release_refunded_seats`` (at start over a day, then every half minute over the last quarter
hour) puts back on sale the seats of refunded orders whose own release failed after MySQL had
recorded the refund (Redis busy or away at that moment). ``unsell`` only frees seats still sold
to that very order, so running it again is harmless.
docs/orders.md lists the crash windows and which of these closes each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from seatcore.domain.orders import OrderStatus
from seatcore.errors import SeatcoreError
from seatcore.orders import store
from seatcore.orders.records import now_utc
from seatcore.orders.service import PAID_CHECK_S, PAY_QUERY_EVERY, PAY_QUERY_GRACE, OrderService
from seatcore.outage_log import OutageLog

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 1.0
SWEEP_BATCH = 200
SWEEP_LEASE_MS = 60_000  # a sweeper that dies holding an order leaves it to another after this
RECOVER_LIMIT = 100_000
RELEASE_EVERY_S = 30.0
RELEASE_LOOKBACK = timedelta(minutes=15)
RELEASE_LOOKBACK_AT_START = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Recovery:
    """What ``recover`` looked at: orders in Redis, and refunds it finished."""

    in_flight: int
    refunds: int


async def look_at(service: OrderService, order_id: str) -> None:
    """Move one order in Redis on as far as it can go now."""
    order = await service.inflight.get(order_id)
    if order is None:
        await service.inflight.unschedule(order_id)
        return
    if order.payment is None:
        if order.prepay is not None and await service.ask_provider(order):
            return  # paid at the provider without a notice here: settled now
        if order.status is OrderStatus.PENDING_PAYMENT:
            await service.check_hold(order)
        elif order.prepay is not None and now_utc() < order.updated_at + PAY_QUERY_GRACE:
            await service.inflight.schedule(order_id, now_utc() + PAY_QUERY_EVERY)
        else:
            await service.inflight.unschedule(order_id)  # ended unpaid: nothing more to do
        return
    await service.inflight.schedule(order_id, now_utc() + timedelta(seconds=PAID_CHECK_S))
    await service.settle(order_id)


async def sweep_once(service: OrderService) -> int:
    """Look at the orders due now; answers how many."""
    due = await service.inflight.claim_due(now_utc(), lease_ms=SWEEP_LEASE_MS, limit=SWEEP_BATCH)
    for order_id in due:
        try:
            await look_at(service, order_id)
        except Exception:  # one order's trouble must not stop the others; it is due again later
            log.exception("order sweeper could not finish order %s", order_id)
    return len(due)


async def recover(service: OrderService) -> Recovery:
    """Push every order in Redis on (paid ones to MySQL) and finish interrupted refunds."""
    ids = await service.inflight.ids(limit=RECOVER_LIMIT)
    for order_id in ids:
        try:
            await look_at(service, order_id)
        except Exception:
            log.exception("recovery could not finish order %s", order_id)
    refunds = 0
    for order_id in await store.ids_in_status(service.db, OrderStatus.REFUND_REQUESTED):
        order = await store.get(service.db, order_id)
        if order is None or order.refund is None or order.refund.status != "pending":
            continue  # a refund the provider refused waits for an operator (seatcore reconcile)
        try:
            await service.finish_refund(order_id)
            refunds += 1
        except SeatcoreError as exc:
            log.warning("recovery could not finish the refund of %s: %s", order_id, exc.message)
    return Recovery(in_flight=len(ids), refunds=refunds)


async def release_refunded_seats(service: OrderService, lookback: timedelta) -> int:
    """Free the seats still sold to orders refunded within ``lookback``; answers how many."""
    freed = 0
    for order_id in await store.ids_refunded_since(service.db, now_utc() - lookback):
        order = await store.get(service.db, order_id)
        if order is not None and order.seats:
            freed += len(await service.seats_back(order))
    if freed:
        log.warning("put %d seats of refunded orders back on sale", freed)
    return freed


async def run(service: OrderService, stopping: asyncio.Event) -> None:
    """Recover once, then sweep every second until ``stopping`` is set (checked between rounds,
    so a round's Redis and provider calls are never cut halfway)."""
    recovered = False
    loop = asyncio.get_running_loop()
    next_release_at = 0.0
    outage = OutageLog(log, "order sweeper")  # one line per Redis or MySQL outage, not per round
    while not stopping.is_set():
        try:
            if not recovered:
                found = await recover(service)
                recovered = True
                if found.in_flight or found.refunds:
                    log.info("order recovery: %d orders in Redis, %d refunds", found.in_flight, found.refunds)
            await sweep_once(service)
            if loop.time() >= next_release_at:
                lookback = RELEASE_LOOKBACK if next_release_at else RELEASE_LOOKBACK_AT_START
                await release_refunded_seats(service, lookback)
                await service.exchanges.finish_pending()  # exchanges a crash left part way
                next_release_at = loop.time() + RELEASE_EVERY_S
            outage.succeeded()
        except Exception as exc:
            outage.failed(exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), SWEEP_EVERY_S)
