"""The order state machine: which status may follow which, and nothing else.

::

    pending_payment ──paid──> paid ──landed──> ticketed ──refund──> refund_requested ──> refunded
          │  │  │                                                        ^
          │  │  └──payment arrived but the hold was lost (late payment)──┘
          │  ├──cancel──> cancelled ──late payment──> refund_requested
          │  └──hold gone──> expired ──late payment──> refund_requested
          └── (paid but its seats failed the last guard in MySQL) ──> refund_requested

A paid order whose seats could not be ticketed (``paid -> refund_requested``) is the one way money
goes back without the moviegoer asking: the seats were already taken by the time MySQL saw it.
Pure: no I/O. Callers keep the status where they keep the order (Redis first, MySQL once landed).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from seatcore.errors import Conflict


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    TICKETED = "ticketed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUND_REQUESTED = "refund_requested"
    REFUNDED = "refunded"


S = OrderStatus
TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED, S.EXPIRED, S.REFUND_REQUESTED}),
    S.PAID: frozenset({S.TICKETED, S.REFUND_REQUESTED}),
    S.TICKETED: frozenset({S.REFUND_REQUESTED}),
    S.CANCELLED: frozenset({S.REFUND_REQUESTED}),
    S.EXPIRED: frozenset({S.REFUND_REQUESTED}),
    S.REFUND_REQUESTED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}
# Statuses after which nothing about the order can change again.
FINAL: frozenset[OrderStatus] = frozenset(s for s, nexts in TRANSITIONS.items() if not nexts)
# Statuses in which the moviegoer has paid and holds (or held) seats.
PAID_STATUSES: frozenset[OrderStatus] = frozenset({S.PAID, S.TICKETED})


class Reason(StrEnum):
    """Why an order left the happy path; shown to the moviegoer with the order."""

    LATE_PAYMENT = "late_payment"  # paid after its hold expired or was released
    SEAT_CONFLICT = "seat_conflict"  # paid, but MySQL already held a live ticket for a seat
    REQUESTED = "requested"  # the moviegoer asked for the refund
    STAFF = "staff"  # cinema staff refunded it
    HOLD_EXPIRED = "hold_expired"
    CANCELLED = "cancelled"
    SHOWTIME_CANCELLED = "showtime_cancelled"  # the cinema cancelled the screening


REASON_TEXT: Mapping[Reason, str] = {
    Reason.LATE_PAYMENT: (
        "the payment arrived after the seats' hold had ended, so the seats could not be kept; "
        "the full amount is refunded"
    ),
    Reason.SEAT_CONFLICT: "a seat of this order had already been sold; the full amount is refunded",
    Reason.REQUESTED: "refunded at your request",
    Reason.STAFF: "refunded by the cinema",
    Reason.HOLD_EXPIRED: "not paid before the seats' hold ended",
    Reason.CANCELLED: "cancelled before payment",
    Reason.SHOWTIME_CANCELLED: (
        "the cinema cancelled this showtime; nothing is charged, and any payment made is refunded in full"
    ),
}


def can_move(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]


def check_move(current: OrderStatus | str, target: OrderStatus | str) -> OrderStatus:
    """``target`` as an OrderStatus when the machine allows ``current -> target``.

    Raises Conflict ``illegal_transition`` (naming both statuses) otherwise.
    """
    now, wanted = OrderStatus(current), OrderStatus(target)
    if not can_move(now, wanted):
        raise Conflict(
            f"an order that is {now.value} cannot become {wanted.value}",
            code="illegal_transition",
            status=now.value,
            wanted=wanted.value,
        )
    return wanted
