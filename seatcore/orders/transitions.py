"""How an order's document changes at each step of the money path (no Redis, MySQL or provider).

Each function gets the order as it stands and answers the changed one (or None: nothing to
change), the shape ``InFlightOrders.change`` takes, so a step that runs twice changes it once.
"""

from __future__ import annotations

import logging

from seatcore.domain.orders import OrderStatus, Reason, check_move
from seatcore.errors import Conflict
from seatcore.orders.ids import new_ticket_code, refund_id
from seatcore.orders.records import Order, Refund, Ticket
from seatcore.payments import PaymentNotice, RefundResult

log = logging.getLogger("seatcore.orders.service")
S = OrderStatus


def check_same_payment(order: Order, notice: PaymentNotice) -> None:
    """A second notice for a paid order must be about the same payment."""
    if order.payment is not None and order.payment.transaction_id != notice.transaction_id:
        log.error(
            "order %s was paid by %s and a notice claims %s",
            order.id,
            order.payment.transaction_id,
            notice.transaction_id,
        )
        raise Conflict("the order was paid by another transaction", code="payment_mismatch")


def mark_paid(o: Order) -> Order | None:
    """Bought: paid, with a ticket code per seat (kept from then on, so a replay lands the same)."""
    if o.status is S.PAID:
        return None
    check_move(o.status, S.PAID)
    tickets = tuple(Ticket(new_ticket_code(), seat, price, True) for seat, price in o.seats.items())
    return o.but(status=S.PAID, tickets=tickets, expires_at=None)


def late(o: Order, reason: Reason | None = None) -> Order:
    """Paid but holding no seats: refund_requested, seats recorded on tickets that never go live.
    The reason is the one given, else the order's own when the cinema cancelled the showtime,
    else a late payment."""
    if o.status is S.REFUND_REQUESTED:
        return o
    check_move(o.status, S.REFUND_REQUESTED)
    if reason is None:
        reason = o.reason if o.reason is Reason.SHOWTIME_CANCELLED else Reason.LATE_PAYMENT
    return o.but(
        status=S.REFUND_REQUESTED,
        reason=reason,
        expires_at=None,
        tickets=tuple(Ticket(new_ticket_code(), seat, price, False) for seat, price in o.seats.items()),
        refund=Refund(
            refund_id=refund_id(o.id),
            status="pending",
            amount_fen=o.amount_fen,
            reason=reason,
            created_by="system",
        ),
    )


def refund_answered(o: Order, result: RefundResult) -> Order | None:
    """The provider's answer about the refund, recorded; refunded unless it failed."""
    if o.refund is None:
        return None
    refund = Refund(
        refund_id=o.refund.refund_id,
        status=result.status,
        amount_fen=o.refund.amount_fen,
        reason=o.refund.reason,
        created_by=o.refund.created_by,
        provider_refund_id=result.provider_refund_id,
    )
    status = o.status
    if result.status != "failed" and o.status is S.REFUND_REQUESTED:
        status = S.REFUNDED
    return o.but(status=status, refund=refund)
