"""What an analytics event is: the names clients and the service send, the funnel they make, and the
rules an event must meet to be taken (pure: no I/O; docs/analytics.md is the reader's version).

Two sources write events. Clients (the mini-program and the web pages) send page views, the funnel
steps they see and the errors shown to the user; the service records what it is the truth about
(holds granted or refused, orders placed, paid, failed payments, refunds, tickets checked in).
The funnel uses the service's own events from the hold on, so a client that never reports cannot
make a sale vanish.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

PAGE_VIEW = "page_view"
ERROR = "error"
CLIENT_EVENTS = (
    PAGE_VIEW,
    "movie_opened",
    "showtimes_opened",
    "seatmap_opened",
    "seat_picked",
    "hold_asked",
    "order_created",
    "pay_started",
    ERROR,
)
HOLD_GRANTED = "hold_granted"
HOLD_REFUSED = "hold_refused"
ORDER_PLACED = "order_placed"
ORDER_PAID = "order_paid"
PAYMENT_FAILED = "payment_failed"
ORDER_REFUNDED = "order_refunded"
CHECKED_IN = "checked_in"  # a ticket admitted at the door (online, or an offline door's sync)
# An order of snacks alone is placed and paid under names of its own, so the ticket funnel, the
# experiments' conversions and the recommendations count tickets only; its failed payments and
# refunds are payment_failed and order_refunded like any order's.
SNACK_ORDER_PLACED = "snack_order_placed"
SNACK_ORDER_PAID = "snack_order_paid"
SNACKS_ALONE = {ORDER_PLACED: SNACK_ORDER_PLACED, ORDER_PAID: SNACK_ORDER_PAID}
PLACED = (ORDER_PLACED, SNACK_ORDER_PLACED)
SERVER_EVENTS = (
    HOLD_GRANTED,
    HOLD_REFUSED,
    ORDER_PLACED,
    ORDER_PAID,
    PAYMENT_FAILED,
    ORDER_REFUNDED,
    CHECKED_IN,
    SNACK_ORDER_PLACED,
    SNACK_ORDER_PAID,
)
# Server events of an order whose channel is the one the order was placed from.
ORDER_FOLLOW_UPS = (ORDER_PAID, PAYMENT_FAILED, ORDER_REFUNDED, CHECKED_IN, SNACK_ORDER_PAID)

# The funnel, step by step: (label, event name). Each step counts journeys (docs/analytics.md).
FUNNEL: tuple[tuple[str, str], ...] = (
    ("movie", "movie_opened"),
    ("showtimes", "showtimes_opened"),
    ("seat_map", "seatmap_opened"),
    ("hold", HOLD_GRANTED),
    ("order", ORDER_PLACED),
    ("paid", ORDER_PAID),
)
FUNNEL_EVENTS = tuple(name for _label, name in FUNNEL)

CHANNELS = ("miniprogram", "web")
SERVER_CHANNEL_UNKNOWN = "unknown"

# What each client event must carry besides its name and time.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    PAGE_VIEW: ("page", "dwell_ms"),
    "movie_opened": ("movie_id",),
    "showtimes_opened": ("movie_id",),
    "seatmap_opened": ("showtime_id",),
    "seat_picked": ("showtime_id",),
    "hold_asked": ("showtime_id",),
    "order_created": ("order_id",),
    "pay_started": ("order_id",),
    ERROR: ("code",),
}

MAX_CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock a little ahead is still believed
MAX_EVENT_AGE = timedelta(days=3)  # clients keep unsent events this long at most
MAX_DWELL_MS = 6 * 3600 * 1000


def missing_fields(name: str, present: Callable[[str], bool]) -> list[str]:
    """The fields an event of this name needs and does not have (``present`` tells)."""
    return [field for field in REQUIRED_FIELDS.get(name, ()) if not present(field)]


def time_problem(at: datetime, now: datetime) -> str | None:
    """Why an event's time cannot be believed, or None."""
    if at > now + MAX_CLOCK_SKEW:
        return f"in the future (more than {int(MAX_CLOCK_SKEW.total_seconds())} s ahead of the server)"
    if at < now - MAX_EVENT_AGE:
        return f"older than {MAX_EVENT_AGE.days} days"
    return None


def actor(user_id: int | None, device: str | None) -> str:
    """Who a journey belongs to: the moviegoer when signed in, else the anonymous device."""
    return f"u{user_id}" if user_id is not None else f"d{device or ''}"


def drop_offs(counts: list[int]) -> list[float | None]:
    """For each step after the first, the share of the previous step's journeys that did not
    reach it (None when the previous step counted nobody)."""
    return [
        None if before == 0 else round(1 - after / before, 4) for before, after in itertools.pairwise(counts)
    ]
