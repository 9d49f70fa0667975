"""Refunds started by staff (one order, or every paid order of a cancelled showtime).

The money moves through the order service (seatcore.orders), which owns order statuses and the
payment provider; this module only asks it, records each refund in the audit trail with the
staff member's reason, and collects what failed so that the caller can report or retry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from seatcore.errors import SeatcoreError, UpstreamUnavailable
from seatcore.runtime import Runtime
from seatcore.store import audit
from seatcore.store.audit import Actor

if TYPE_CHECKING:
    from seatcore.orders.service import OrderService


@dataclass
class RefundOutcome:
    refunded: list[str] = field(default_factory=list)
    failed: list[tuple[str, SeatcoreError]] = field(default_factory=list)


async def refund_orders(
    runtime: Runtime, actor: Actor, order_ids: Sequence[str], reason: str, *, cinema_id: int
) -> RefundOutcome:
    """Refund each order in full; a failure of one does not stop the others."""
    outcome = RefundOutcome()
    service: OrderService | None = runtime.extras.get("orders")
    for order_id in order_ids:
        try:
            if service is None:
                raise UpstreamUnavailable("the order service is not running")
            await service.refund_by_staff(order_id, created_by=f"staff:{actor.username}")
        except SeatcoreError as exc:
            outcome.failed.append((order_id, exc))
            continue
        async with runtime.db.begin() as conn:
            await audit.record(
                conn,
                actor,
                "order.refund",
                target_type="order",
                target_id=order_id,
                cinema_id=cinema_id,
                details={"reason": reason},
            )
        outcome.refunded.append(order_id)
    return outcome
