"""The order pipeline's life in the app: the service (``runtime.extras["orders"]``), one MySQL
writer and the order sweeper (which recovers first) per process, and the process's lease
(seatcore.orders.lease) that marks its running Idempotency-Keys and its writer's messages as a
living process's, until shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from seatcore.loyalty import sweep as loyalty_sweep
from seatcore.orders import recovery
from seatcore.orders.service import OrderService
from seatcore.orders.writer import BLOCK_MS, OrderWriter
from seatcore.runtime import Runtime
from seatcore.tasks import stop_tasks

log = logging.getLogger(__name__)

STOP_GRACE_S = 10.0


@contextlib.asynccontextmanager
async def order_service(runtime: Runtime) -> AsyncIterator[None]:
    service = OrderService(runtime)
    runtime.extras["orders"] = service
    if service.provider.name == "none":
        log.warning("payments are off (payment_provider is not set): every pay answers 503")
    lease = service.idempotency.lease
    await lease.beat()  # before the first request can mark a key with it
    writer = OrderWriter(
        runtime.db,
        service.stream,
        lease=lease,
        on_landed=service.landed,
        on_conflict=service.refund_conflicted,
        block_ms=runtime.settings.stream_block_ms or BLOCK_MS,
    )
    stopping, lease_ending = asyncio.Event(), asyncio.Event()
    beating = asyncio.create_task(lease.run(lease_ending), name="process-lease")
    tasks = [
        asyncio.create_task(writer.run(), name="order-writer"),
        asyncio.create_task(recovery.run(service, stopping), name="order-sweeper"),
        asyncio.create_task(loyalty_sweep.run(service, stopping), name="loyalty-sweep"),
    ]
    try:
        yield
    finally:
        # Both finish the round in progress; only one stuck past the grace period is cancelled.
        writer.stop()
        stopping.set()
        await stop_tasks(tasks, grace_s=STOP_GRACE_S)
        # Last, so that nothing of this process's is taken over while it still works on it.
        lease_ending.set()
        await stop_tasks([beating], grace_s=STOP_GRACE_S)
        await service.provider.close()
        runtime.extras.pop("orders", None)
