"""Coupon campaigns: their terms, and whether a coupon may pay for a showtime. Pure.

A campaign hands out at most ``stock`` coupons, at most ``per_user_limit`` to one moviegoer, by
claiming (the coupon centre), by single-use codes generated for it, or by one shared code. A coupon
pays for one order whose showtime is in the campaign's scope (movies, cinemas, formats, weekdays
and hours of the start, in the cinema's time), within the validity window, reaching the minimum
spend (checked by seatcore.domain.pricing on the member-priced subtotal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from seatcore.domain.pricing import CouponKind, CouponTerms
from seatcore.errors import Conflict, ValidationFailed

Distribution = Literal["claim", "codes", "shared"]
KINDS: tuple[CouponKind, ...] = ("amount", "percent", "voucher")
DISTRIBUTIONS: tuple[Distribution, ...] = ("claim", "codes", "shared")


@dataclass(frozen=True, slots=True)
class CouponScope:
    """Empty sets mean "any". ``weekdays`` 1 (Monday) .. 7; ``hours`` [from, until) of the start."""

    movie_ids: frozenset[int] = frozenset()
    cinema_ids: frozenset[int] = frozenset()
    formats: frozenset[str] = frozenset()
    weekdays: frozenset[int] = frozenset()
    hours: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "movie_ids": sorted(self.movie_ids),
            "cinema_ids": sorted(self.cinema_ids),
            "formats": sorted(self.formats),
            "weekdays": sorted(self.weekdays),
            "hours": list(self.hours) if self.hours else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CouponScope:
        hours = data.get("hours")
        return cls(
            movie_ids=frozenset(int(x) for x in data.get("movie_ids") or ()),
            cinema_ids=frozenset(int(x) for x in data.get("cinema_ids") or ()),
            formats=frozenset(str(x) for x in data.get("formats") or ()),
            weekdays=frozenset(int(x) for x in data.get("weekdays") or ()),
            hours=(int(hours[0]), int(hours[1])) if hours else None,
        )


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    name: str
    kind: CouponKind
    value: int
    valid_from: datetime  # aware
    valid_until: datetime
    per_user_limit: int
    stock: int
    cap_fen: int = 0
    min_spend_fen: int = 0
    scope: CouponScope = field(default_factory=CouponScope)
    distribution: Distribution = "claim"
    shared_code: str | None = None
    return_on_refund: bool = True
    status: str = "active"  # | paused
    issued: int = 0

    @property
    def terms(self) -> CouponTerms:
        return CouponTerms(self.kind, self.value, self.cap_fen, self.min_spend_fen)

    def valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment < self.valid_until


@dataclass(frozen=True, slots=True)
class Showing:
    """What a coupon's scope is checked against: the showtime, its start in the cinema's time."""

    movie_id: int
    cinema_id: int
    format: str
    starts_local: datetime


def check_campaign(campaign: Campaign) -> Campaign:
    """Raises ValidationFailed ``campaign_invalid`` naming each problem with the terms."""
    problems: list[str] = []
    if campaign.kind not in KINDS:
        problems.append(f"kind must be one of {', '.join(KINDS)}")
    if campaign.kind == "percent" and not 1 <= campaign.value <= 100:
        problems.append("a percent coupon's value is 1..100")
    if campaign.kind == "amount" and campaign.value <= 0:
        problems.append("an amount coupon's value is positive fen")
    if campaign.kind == "voucher" and campaign.value < 0:
        problems.append("a voucher's price is 0 or more fen")
    if campaign.cap_fen < 0 or campaign.min_spend_fen < 0:
        problems.append("cap_fen and min_spend_fen are 0 or more")
    if campaign.valid_until <= campaign.valid_from:
        problems.append("valid_until must be after valid_from")
    if campaign.per_user_limit < 1 or campaign.stock < 1:
        problems.append("per_user_limit and stock are at least 1")
    if campaign.distribution not in DISTRIBUTIONS:
        problems.append(f"distribution must be one of {', '.join(DISTRIBUTIONS)}")
    if (campaign.distribution == "shared") != bool(campaign.shared_code):
        problems.append("a shared_code goes with distribution shared, and only with it")
    if not campaign.scope.weekdays <= frozenset(range(1, 8)):
        problems.append("weekdays are 1 (Monday) .. 7")
    hours = campaign.scope.hours
    if hours is not None and not 0 <= hours[0] < hours[1] <= 24:
        problems.append("hours are [from, until) with 0 <= from < until <= 24")
    if problems:
        raise ValidationFailed("the campaign's terms do not hold", code="campaign_invalid", problems=problems)
    return campaign


def check_usable(campaign: Campaign, showing: Showing, now: datetime) -> None:
    """Raises Conflict ``coupon_not_applicable`` (details: ``why``) unless the coupon may pay now
    for this showing; the minimum spend is the pricing pipeline's to check."""
    scope = campaign.scope
    start = showing.starts_local
    why: str | None = None
    if campaign.status != "active":
        why = "paused"
    elif not campaign.valid_at(now):
        why = "outside_validity"
    elif scope.movie_ids and showing.movie_id not in scope.movie_ids:
        why = "movie"
    elif scope.cinema_ids and showing.cinema_id not in scope.cinema_ids:
        why = "cinema"
    elif scope.formats and showing.format not in scope.formats:
        why = "format"
    elif scope.weekdays and start.isoweekday() not in scope.weekdays:
        why = "weekday"
    elif scope.hours and not scope.hours[0] <= start.hour < scope.hours[1]:
        why = "hour"
    if why is not None:
        raise Conflict("this coupon cannot pay for this showtime", code="coupon_not_applicable", why=why)


def kind_of(value: str) -> CouponKind:
    if value not in KINDS:
        raise ValueError(f"unknown coupon kind {value!r}")
    return value
