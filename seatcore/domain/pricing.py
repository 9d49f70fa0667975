"""What a set of seats costs: each seat at its zone's price for the showtime, in integer fen.

Prices are always computed here, on the server, from the showtime's zone prices; a client never
sends an amount. Pure: the caller passes the layout and the showtime's ``{"zone": fen}`` map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from seatcore.domain.layout import Layout
from seatcore.errors import Conflict, NotFound
from seatcore.types import Fen, SeatId


@dataclass(frozen=True, slots=True)
class Quote:
    """Each seat's price and the total, seats in the order they were asked for."""

    seat_prices: Mapping[SeatId, Fen]

    @property
    def total_fen(self) -> Fen:
        return sum(self.seat_prices.values())


def quote(layout: Layout, prices: Mapping[str, Fen], seat_ids: Iterable[SeatId]) -> Quote:
    """The price of ``seat_ids`` at this showtime.

    Raises NotFound for a seat the hall does not have and Conflict ``price_missing`` when a
    seat's zone has no valid price (a schedule mistake that must not sell seats for nothing).
    """
    seat_prices: dict[SeatId, Fen] = {}
    for seat_id in seat_ids:
        seat = layout.seats.get(seat_id)
        if seat is None:
            raise NotFound(f"the hall has no seat {seat_id}", seat=seat_id)
        price = prices.get(seat.zone)
        if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
            raise Conflict(
                f"zone {seat.zone} has no price for this showtime",
                code="price_missing",
                zone=seat.zone,
            )
        seat_prices[seat_id] = price
    if not seat_prices:
        raise Conflict("an order needs at least one seat", code="no_seats")
    return Quote(seat_prices)
