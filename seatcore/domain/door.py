"""The door's pure rules: what a ticket's QR payload holds and when a ticket may come in.

A pass is the signed statement "ticket CODE is good for SEAT of SHOWTIME in HALL of CINEMA between
VALID_FROM and VALID_UNTIL". The text on the QR code is ``SC1.KID.PAYLOAD.SIGNATURE``: a version
tag, the id of the signing key, the payload as base64url JSON and an Ed25519 signature (base64url)
over ``SC1.KID.PAYLOAD``, so the key id is signed too. A scanner without the network checks the
signature and the window; only the server knows whether the ticket is still live and not yet in.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

PREFIX = "SC1"
MAX_QR_CHARS = 600
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class PassRejected(Exception):
    """A QR text that is not a pass we signed; ``reason`` is stable for clients."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TicketPass:
    code: str
    showtime_id: int
    cinema_id: int
    hall: str
    seats: tuple[str, ...]
    valid_from: datetime  # aware UTC
    valid_until: datetime

    def payload(self) -> bytes:
        """Compact JSON: short keys and epoch seconds keep the QR code small."""
        return orjson.dumps(
            {
                "t": self.code,
                "s": self.showtime_id,
                "c": self.cinema_id,
                "h": self.hall,
                "z": list(self.seats),
                "f": int(self.valid_from.timestamp()),
                "u": int(self.valid_until.timestamp()),
            }
        )

    @classmethod
    def from_payload(cls, raw: bytes) -> TicketPass:
        try:
            data = orjson.loads(raw)
            return cls(
                code=_text(data["t"]),
                showtime_id=_integer(data["s"]),
                cinema_id=_integer(data["c"]),
                hall=_text(data["h"]),
                seats=tuple(_text(seat) for seat in data["z"]),
                valid_from=datetime.fromtimestamp(_integer(data["f"]), UTC),
                valid_until=datetime.fromtimestamp(_integer(data["u"]), UTC),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, OverflowError) as exc:
            raise PassRejected("malformed", "the ticket's payload is not readable") from exc


def door_window(
    starts_at: datetime, opens_before_min: int, closes_after_min: int
) -> tuple[datetime, datetime]:
    """When the doors let a showtime's tickets in: from before the start to a while after it."""
    return starts_at - timedelta(minutes=opens_before_min), starts_at + timedelta(minutes=closes_after_min)


def window_problem(ticket: TicketPass, now: datetime) -> str | None:
    """``too_early`` / ``expired`` outside the pass's window, None inside it."""
    if now < ticket.valid_from:
        return "too_early"
    if now > ticket.valid_until:
        return "expired"
    return None


@dataclass(frozen=True, slots=True)
class SignedText:
    """A QR text split into its parts, not yet verified."""

    key_id: str
    signed_part: bytes  # what the signature covers
    payload: bytes
    signature: bytes


def split_text(text: str) -> SignedText:
    if len(text) > MAX_QR_CHARS:
        raise PassRejected("malformed", "the code is too long to be a ticket")
    parts = text.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not _KEY_ID.match(parts[1]):
        raise PassRejected("malformed", "this code is not a seatcore ticket")
    try:
        payload = b64decode(parts[2])
        signature = b64decode(parts[3])
    except (binascii.Error, ValueError) as exc:
        raise PassRejected("malformed", "this code is not a seatcore ticket") from exc
    return SignedText(parts[1], f"{parts[0]}.{parts[1]}.{parts[2]}".encode(), payload, signature)


def join_text(key_id: str, payload: bytes, sign: bytes) -> str:
    return f"{PREFIX}.{key_id}.{b64encode(payload)}.{b64encode(sign)}"


def signed_part(key_id: str, payload: bytes) -> bytes:
    return f"{PREFIX}.{key_id}.{b64encode(payload)}".encode()


def valid_key_id(key_id: str) -> bool:
    return bool(_KEY_ID.match(key_id))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _text(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 64:
        raise ValueError("expected a short string")
    return value


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("expected an integer")
    return value
