"""Order ids, ticket codes and refund ids.

An order id carries where its Redis hash lives, so the hash can be found from the id alone, as a
payment notice gives it: a ticket order's id names its showtime (``<showtime>-<random>``; the hash
sits in the showtime's cluster slot beside the seats it buys), an order of snacks alone names its
cinema (``S<cinema>-<random>``; beside the cinema's snack stock). Either doubles as WeChat Pay's
``out_trade_no`` (6..32 of ``[0-9A-Za-z_-]``).
"""

from __future__ import annotations

import re
import secrets

ORDER_ID_RANDOM_BYTES = 7
_ORDER_ID = re.compile(r"^([1-9][0-9]{0,15})-([0-9a-f]{14})$")
_SNACK_ORDER_ID = re.compile(r"^S([1-9][0-9]{0,15})-([0-9a-f]{14})$")
_TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud at gates
TICKET_CODE_CHARS = 16


def new_order_id(showtime_id: int) -> str:
    return f"{showtime_id}-{secrets.token_hex(ORDER_ID_RANDOM_BYTES)}"


def showtime_of(order_id: str) -> int | None:
    """The showtime an order id names, or None when it is not an order id at all."""
    match = _ORDER_ID.match(order_id)
    return int(match.group(1)) if match else None


def new_snack_order_id(cinema_id: int) -> str:
    return f"S{cinema_id}-{secrets.token_hex(ORDER_ID_RANDOM_BYTES)}"


def cinema_of_snack_order(order_id: str) -> int | None:
    """The cinema an id of an order of snacks alone names, or None when it is no such id."""
    match = _SNACK_ORDER_ID.match(order_id)
    return int(match.group(1)) if match else None


def is_order_id(order_id: str) -> bool:
    """An id of either form (a ticket order's or an order of snacks alone)."""
    return showtime_of(order_id) is not None or cinema_of_snack_order(order_id) is not None


def new_ticket_code() -> str:
    return "".join(secrets.choice(_TICKET_ALPHABET) for _ in range(TICKET_CODE_CHARS))


def is_ticket_code(code: str) -> bool:
    return len(code) == TICKET_CODE_CHARS and all(c in _TICKET_ALPHABET for c in code)


def refund_id(order_id: str) -> str:
    """Our refund id (WeChat Pay's ``out_refund_no``): one full refund per order, so retries of it
    are one refund at the provider."""
    return f"{order_id}-R"


EXCHANGE_PAYMENT_SUFFIX = "-X"


def exchange_payment_id(order_id: str) -> str:
    """The exchange's second payment (``out_trade_no``): one per order, as an order is exchanged once."""
    return f"{order_id}{EXCHANGE_PAYMENT_SUFFIX}"


def exchanged_order_of(payment_id: str) -> str | None:
    """The order whose exchange ``payment_id`` pays, or None when it is no exchange payment."""
    order_id = payment_id.removesuffix(EXCHANGE_PAYMENT_SUFFIX)
    return order_id if order_id != payment_id and showtime_of(order_id) is not None else None


def exchange_refund_id(order_id: str) -> str:
    """The refund of an exchange's price difference, out of the order's own payment."""
    return f"{order_id}-XR"
