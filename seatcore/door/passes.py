"""Issuing a ticket's pass: the signed text its QR code shows (seatcore.domain.door has the format)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seatcore.domain.door import TicketPass, door_window
from seatcore.door.keys import Keyring, keyring_of
from seatcore.runtime import Runtime


@dataclass(frozen=True)
class PassIssuer:
    keyring: Keyring
    opens_before_min: int
    closes_after_min: int

    def ticket_pass(
        self, *, code: str, seat: str, showtime_id: int, cinema_id: int, hall: str, starts_at: datetime
    ) -> TicketPass:
        """Valid from the door's opening before the start until it closes after it."""
        valid_from, valid_until = door_window(starts_at, self.opens_before_min, self.closes_after_min)
        return TicketPass(code, showtime_id, cinema_id, hall, (seat,), valid_from, valid_until)

    def qr(
        self, *, code: str, seat: str, showtime_id: int, cinema_id: int, hall: str, starts_at: datetime
    ) -> str:
        return self.keyring.sign(
            self.ticket_pass(
                code=code,
                seat=seat,
                showtime_id=showtime_id,
                cinema_id=cinema_id,
                hall=hall,
                starts_at=starts_at,
            )
        )


def issuer_of(runtime: Runtime) -> PassIssuer:
    settings = runtime.settings
    return PassIssuer(keyring_of(runtime), settings.door_opens_before_min, settings.door_closes_after_min)
