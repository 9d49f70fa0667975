"""What an order costs: each seat at its zone's price, then member price, coupon and points.

Prices are always computed here, on the server, from the showtime's zone prices, the moviegoer's
tier, the coupon and the points asked for; a client never sends an amount. Pure: the caller passes
the layout, the showtime's ``{"zone": fen}`` map and the terms. docs/loyalty.md tells the pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from seatcore.domain.layout import Layout
from seatcore.errors import Conflict, NotFound, ValidationFailed
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


# ------------------------------------------------------------------------ the order's price pipeline
#
# An order's price is computed in one fixed order, each step on what the previous one left:
#
#   1. list price      each seat at its zone's price for the showtime (``quote``);
#   2. member price    per seat, the tier's fixed zone price when it has one and it is lower, else
#                      the tier's percent off that seat; the member discount is the difference;
#   3. coupon          on the member-priced subtotal: amount off, percent off (with a cap), or a
#                      fixed-price voucher for the dearest seat; its minimum spend is checked
#                      against that subtotal;
#   4. snacks          the snacks' total (seatcore.domain.snacks) is added: member price and coupons
#                      are for tickets only;
#   5. points          on what is left (snacks included), worth ``fen_per_100_points`` fen per
#                      100 points, at most ``max_share_percent`` of it;
#   6. paid            what is left: never below MIN_PAID_FEN (WeChat Pay takes no 0-fen payment),
#                      so a coupon or points that would take it lower are cut to leave that.
#
# Integer fen throughout. Every percentage is rounded down to whole fen: a member's percent off and
# a percent coupon give the floor of the exact discount, and the points' share cap is the floor of
# the exact share. No float is ever formed.

MIN_PAID_FEN = 1
CouponKind = Literal["amount", "percent", "voucher"]


@dataclass(frozen=True, slots=True)
class MemberPrices:
    """A tier's prices: a fixed price per zone, else ``discount_percent`` off the list price."""

    discount_percent: int = 0
    zone_prices: Mapping[str, Fen] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CouponTerms:
    """What a coupon takes off. ``value``: fen off (amount), percent off (percent) or the price the
    voucher's seat is sold at (voucher). ``cap_fen`` bounds a percent coupon (0: no cap)."""

    kind: CouponKind
    value: int
    cap_fen: Fen = 0
    min_spend_fen: Fen = 0


@dataclass(frozen=True, slots=True)
class PointsRule:
    fen_per_100_points: int = 100  # 100 points = 1 yuan
    max_share_percent: int = 50  # of what is left after the coupon

    def worth_fen(self, points: int) -> Fen:
        if points * self.fen_per_100_points % 100:
            raise ValidationFailed(
                "points must be worth a whole number of fen",
                code="points_not_whole_fen",
                fen_per_100_points=self.fen_per_100_points,
            )
        return points * self.fen_per_100_points // 100

    def points_for(self, fen: Fen) -> int:
        """The most points whose worth is at most ``fen``, in whole fen."""
        step = 100 // math.gcd(100, self.fen_per_100_points)  # points in one whole-fen unit
        return fen * 100 // self.fen_per_100_points // step * step


@dataclass(frozen=True, slots=True)
class Breakdown:
    """An order's price, step by step; the amounts taken off are positive numbers of fen."""

    list_fen: Fen
    member_discount_fen: Fen
    coupon_fen: Fen
    points_fen: Fen
    points_used: int
    snacks_fen: Fen = 0  # added, not taken off: the order's snacks at their prices

    @property
    def paid_fen(self) -> Fen:
        return self.list_fen - self.member_discount_fen - self.coupon_fen + self.snacks_fen - self.points_fen

    def to_dict(self) -> dict[str, int]:
        return {
            "list_fen": self.list_fen,
            "member_discount_fen": self.member_discount_fen,
            "coupon_fen": self.coupon_fen,
            "points_fen": self.points_fen,
            "points_used": self.points_used,
            "snacks_fen": self.snacks_fen,
            "paid_fen": self.paid_fen,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, int]) -> Breakdown:
        return cls(
            list_fen=int(data["list_fen"]),
            member_discount_fen=int(data["member_discount_fen"]),
            coupon_fen=int(data["coupon_fen"]),
            points_fen=int(data["points_fen"]),
            points_used=int(data["points_used"]),
            snacks_fen=int(data.get("snacks_fen", 0)),
        )


def member_seat_price(list_price: Fen, zone: str, member: MemberPrices) -> Fen:
    fixed = member.zone_prices.get(zone)
    if fixed is not None:
        return min(list_price, fixed)
    return list_price - list_price * member.discount_percent // 100


def coupon_off(terms: CouponTerms, seat_prices: list[Fen]) -> Fen:
    """What the coupon takes off member-priced seats (before the MIN_PAID_FEN cut).

    Raises Conflict ``coupon_min_spend`` when the subtotal is below the coupon's minimum spend."""
    subtotal = sum(seat_prices)
    if subtotal < terms.min_spend_fen:
        raise Conflict(
            "the order does not reach the coupon's minimum spend",
            code="coupon_min_spend",
            min_spend_fen=terms.min_spend_fen,
            subtotal_fen=subtotal,
        )
    if terms.kind == "amount":
        return terms.value
    if terms.kind == "percent":
        off = subtotal * terms.value // 100
        return min(off, terms.cap_fen) if terms.cap_fen > 0 else off
    return max(0, max(seat_prices) - terms.value)  # a voucher: its seat at the voucher's price


def points_cap_fen(after_coupon: Fen, rule: PointsRule) -> Fen:
    """The most fen points may take off what the coupon left."""
    return max(0, min(after_coupon * rule.max_share_percent // 100, after_coupon - MIN_PAID_FEN))


def price_order(
    seats: Mapping[SeatId, tuple[str, Fen]],
    *,
    member: MemberPrices | None = None,
    coupon: CouponTerms | None = None,
    points: int = 0,
    rule: PointsRule = PointsRule(),
    snacks_fen: Fen = 0,
) -> Breakdown:
    """The order's price through the pipeline above. ``seats``: each seat's zone and list price;
    ``snacks_fen``: the snacks' total.

    Raises Conflict ``coupon_min_spend``, ``points_over_cap`` (details say ``max_points``) and
    ValidationFailed ``points_not_whole_fen``; a negative ``points`` is ValidationFailed."""
    if points < 0:
        raise ValidationFailed("points cannot be negative", code="validation_failed")
    list_fen = sum(price for _zone, price in seats.values())
    member_prices = [
        member_seat_price(price, zone, member) if member else price for zone, price in seats.values()
    ]
    after_member = sum(member_prices)
    member_discount = list_fen - after_member
    coupon_fen = 0
    if coupon is not None:
        coupon_fen = min(coupon_off(coupon, member_prices), after_member - MIN_PAID_FEN)
    after_snacks = after_member - coupon_fen + snacks_fen
    points_fen = rule.worth_fen(points)
    cap_fen = points_cap_fen(after_snacks, rule)
    if points_fen > cap_fen:
        raise Conflict(
            "too many points for this order",
            code="points_over_cap",
            max_points=rule.points_for(cap_fen),
            max_share_percent=rule.max_share_percent,
        )
    return Breakdown(list_fen, member_discount, coupon_fen, points_fen, points, snacks_fen)


def zoned(layout: Layout, priced: Quote) -> dict[SeatId, tuple[str, Fen]]:
    """Each quoted seat's zone and list price: what ``price_order`` takes."""
    return {seat: (layout.seats[seat].zone, price) for seat, price in priced.seat_prices.items()}


def exchange_difference(before: Breakdown, new_tickets_fen: Fen) -> Fen:
    """What an exchange (改签) changes in the tickets' price (positive: dearer): the new seats at the
    member's price against the old seats at theirs. The order's coupon, points and snacks keep the
    value they had; the fee comes on top, and a refund is capped at the money the tickets hold."""
    return new_tickets_fen - (before.list_fen - before.member_discount_fen)
