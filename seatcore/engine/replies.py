"""The seat scripts' side of the conversation: the ids they take (hold ids, order ids) and what
their refusals mean as errors (codes documented in docs/seat-engine.md)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from seatcore.bounds import parse_id
from seatcore.errors import Forbidden, NotFound, SeatcoreError, SeatError, ValidationFailed
from seatcore.types import SeatId, ShowtimeId

_HOLD_ID_TOKEN_BYTES = 8


def new_hold_id(showtime_id: ShowtimeId) -> str:
    """A fresh hold id: the showtime it belongs to, then a random token (hold ids are not secrets:
    every script that changes a hold checks its owner)."""
    return f"{showtime_id}-{secrets.token_hex(_HOLD_ID_TOKEN_BYTES)}"


def parse_hold_id(hold_id: str) -> ShowtimeId:
    """The showtime a hold id belongs to (ids are ``SHOWTIME-RANDOM``); NotFound for anything else."""
    showtime, _, token = hold_id.partition("-")
    showtime_id = parse_id(showtime)
    if showtime_id is None or len(token) != 2 * _HOLD_ID_TOKEN_BYTES or not _is_token(token):
        raise NotFound("no such hold", hold_id=hold_id[:100])
    return showtime_id


def _is_token(token: str) -> bool:
    return token.isascii() and token.isalnum()


def well_formed(hold_id: str) -> bool:
    try:
        parse_hold_id(hold_id)
    except NotFound:
        return False
    return True


def seat_list(values: Sequence[Any]) -> list[SeatId]:
    return [str(value) for value in values]


def refusal(code: str, details: Sequence[Any], *, asked: int = 0) -> SeatcoreError:
    """The error a script's refusal stands for (codes are documented in docs/seat-engine.md)."""
    seats = seat_list(details)
    named = ", ".join(seats)
    if code == "not_found":
        return NotFound(f"the hall has no seat {named}", seats=seats)
    if code == "hold_not_owned":
        return Forbidden("this hold belongs to someone else", code="hold_not_owned")
    messages = {
        "sales_closed": "sales for this showtime are closed",
        "wheelchair_space": f"{named}: wheelchair spaces, held only by an accessible booking",
        "couple_pair": f"couple seats go in pairs: {named} without its pair",
        "seat_unavailable": f"{named}: already taken",
        "stranded_seat": f"this would leave {named} alone: choose seats that leave no single gap",
        "no_block": f"no {asked} adjacent seats are left in one row",
        "hold_expired": "this hold has expired",
        "hold_used": "this hold has been turned into an order",
    }
    extra: dict[str, Any] = {}
    if code in ("wheelchair_space", "couple_pair", "seat_unavailable", "stranded_seat"):
        extra["seats"] = seats
    if code == "too_many_seats":
        return SeatError(f"a hold takes at most {details[0]} seats", code=code, max_seats=int(details[0]))
    if code == "hold_limit":
        return SeatError("you already hold seats for this showtime", code=code, hold_id=str(details[0]))
    if code == "hold_cap":
        return SeatError(
            f"you already have {details[0]} live holds: pay for or release one first",
            code="hold_limit",
            live_holds=int(details[0]),
        )
    if code == "extend_limit":
        return SeatError("this hold cannot be extended any further", code=code)
    if code == "no_block":
        extra["count"] = asked
    if code not in messages:
        return SeatcoreError(f"the seat engine answered {code!r}")
    return SeatError(messages[code], code=code, **extra)


def hold_refusal(result: Sequence[Any], hold_id: str) -> SeatcoreError:
    if result[0] in ("not_found", "not_loaded"):
        return NotFound("no such hold", hold_id=hold_id)
    return refusal(str(result[0]), result[1:])


def check_order_id(order_id: str) -> None:
    if not (0 < len(order_id) <= 64) or not all(ch.isalnum() or ch in "-_" for ch in order_id):
        raise ValidationFailed("an order id is 1..64 letters, digits, - or _", order_id=order_id)
