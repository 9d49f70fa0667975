"""A cinema's refund and exchange policy, and what a refund of an order costs under it.

Refund fees go by tiers of time before the start. A tier reads "until ``until_before_min``
minutes before the start, the fee is ``fee_percent``": the tiers are tried from the earliest
deadline to the latest, and the first whose deadline is still ahead applies; once the last
deadline has passed there is no refund. The cinema chain's example::

    free until 24 h before, 10% until 2 h, 20% until 30 minutes, no refund after
    -> tiers (1440, 0), (120, 10), (30, 20)

A policy may refuse refunds of premieres (a showtime on its movie's release day). The fee is a
share of the money the moviegoer paid, rounded down to the fen (in the moviegoer's favour).

The same policy sets the exchange (改签) rules: the cut-off before the original start, the fee per
seat, and whether another cinema's showtime may be chosen. A cinema without a stored policy
follows ``default_policy``: a full refund until the service's (or the cinema's)
``refund_until_before_min``, which is what seatcore did before fees existed.
Pure: no I/O, integer fen only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from seatcore.errors import ValidationFailed

MAX_TIERS = 10
MAX_MINUTES = 60 * 24 * 60  # sixty days before the start is as far as a deadline may reach
DEFAULT_EXCHANGE_UNTIL_BEFORE_MIN = 30


@dataclass(frozen=True, slots=True)
class FeeTier:
    until_before_min: int
    fee_percent: int


@dataclass(frozen=True, slots=True)
class RefundPolicy:
    tiers: tuple[FeeTier, ...]  # earliest deadline (largest until_before_min) first
    refuse_premieres: bool = False
    exchange_until_before_min: int = DEFAULT_EXCHANGE_UNTIL_BEFORE_MIN
    exchange_fee_fen: int = 0  # per seat
    exchange_other_cinemas: bool = False

    def tier_at(self, starts_at: datetime, now: datetime) -> FeeTier | None:
        """The tier in force at ``now``; None when refunds have closed."""
        for tier in self.tiers:
            if now < starts_at - timedelta(minutes=tier.until_before_min):
                return tier
        return None

    def refund_deadline(self, starts_at: datetime) -> datetime | None:
        """When the last tier closes (None: the policy refunds nothing)."""
        return starts_at - timedelta(minutes=self.tiers[-1].until_before_min) if self.tiers else None

    def exchange_cutoff(self, starts_at: datetime) -> datetime:
        return starts_at - timedelta(minutes=self.exchange_until_before_min)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tiers": [
                {"until_before_min": t.until_before_min, "fee_percent": t.fee_percent} for t in self.tiers
            ],
            "refuse_premieres": self.refuse_premieres,
            "exchange_until_before_min": self.exchange_until_before_min,
            "exchange_fee_fen": self.exchange_fee_fen,
            "exchange_other_cinemas": self.exchange_other_cinemas,
        }


def default_policy(refund_until_before_min: int) -> RefundPolicy:
    """Today's rule: everything back until the deadline, nothing after."""
    return RefundPolicy(tiers=(FeeTier(refund_until_before_min, 0),))


def _whole(data: Mapping[str, Any], name: str, low: int, high: int, default: int | None = None) -> int:
    value = data.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationFailed(
            f"{name} must be a whole number from {low} to {high}",
            problems=[{"field": name, "problem": f"not a whole number in {low}..{high}"}],
        )
    return value


def policy_from_dict(data: Mapping[str, Any]) -> RefundPolicy:
    """A policy from its JSON form (the staff API's body, the stored document); ValidationFailed
    names the first problem. Tiers are sorted; two tiers with the same deadline are refused."""
    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list) or len(raw_tiers) > MAX_TIERS:
        raise ValidationFailed(
            f"tiers must be a list of at most {MAX_TIERS}",
            problems=[{"field": "tiers", "problem": "not a list of tiers"}],
        )
    tiers: list[FeeTier] = []
    for raw in raw_tiers:
        if not isinstance(raw, Mapping):
            raise ValidationFailed(
                "each tier is an object", problems=[{"field": "tiers", "problem": "not an object"}]
            )
        tiers.append(
            FeeTier(_whole(raw, "until_before_min", 0, MAX_MINUTES), _whole(raw, "fee_percent", 0, 100))
        )
    tiers.sort(key=lambda tier: tier.until_before_min, reverse=True)
    if len({tier.until_before_min for tier in tiers}) != len(tiers):
        raise ValidationFailed(
            "two tiers end at the same time", problems=[{"field": "tiers", "problem": "repeated deadline"}]
        )
    refuse = data.get("refuse_premieres", False)
    other = data.get("exchange_other_cinemas", False)
    for name, flag in (("refuse_premieres", refuse), ("exchange_other_cinemas", other)):
        if not isinstance(flag, bool):
            raise ValidationFailed(
                f"{name} must be true or false", problems=[{"field": name, "problem": "not a boolean"}]
            )
    return RefundPolicy(
        tiers=tuple(tiers),
        refuse_premieres=refuse,
        exchange_until_before_min=_whole(
            data, "exchange_until_before_min", 0, MAX_MINUTES, DEFAULT_EXCHANGE_UNTIL_BEFORE_MIN
        ),
        exchange_fee_fen=_whole(data, "exchange_fee_fen", 0, 1_000_000, 0),
        exchange_other_cinemas=other,
    )


def is_premiere(show_date: date, release_date: date | None) -> bool:
    """A showtime on its movie's release day (both in the cinema's calendar)."""
    return release_date is not None and show_date == release_date


@dataclass(frozen=True, slots=True)
class RefundQuote:
    """What a refund would do now: ``refusal`` is an error code when it is not allowed."""

    paid_fen: int
    fee_percent: int
    fee_fen: int
    refund_fen: int
    deadline: datetime | None  # when the tier in force ends (or the last one ended)
    refusal: str | None = None
    free: bool = False  # a member's free refund of the month waives the fee
    points_back: int = 0  # of the points the order spent (the fee keeps its share of them)
    coupon_back: bool = False  # the order's coupon comes back (its campaign says so, still valid)


def quote_snacks_refund(*, paid_fen: int, picked_up: bool) -> RefundQuote:
    """An order of snacks alone: everything back, no fee, until its snacks are picked up."""
    if picked_up:
        return RefundQuote(paid_fen, 100, paid_fen, 0, None, refusal="snacks_picked_up")
    return RefundQuote(paid_fen, 0, 0, paid_fen, None)


def quote_refund(
    policy: RefundPolicy, *, paid_fen: int, starts_at: datetime, now: datetime, premiere: bool
) -> RefundQuote:
    """The fee and the money back for an order that paid ``paid_fen`` in all."""
    if premiere and policy.refuse_premieres:
        return RefundQuote(paid_fen, 100, paid_fen, 0, None, refusal="refund_premiere")
    tier = policy.tier_at(starts_at, now)
    if tier is None:
        return RefundQuote(
            paid_fen, 100, paid_fen, 0, policy.refund_deadline(starts_at), refusal="refund_closed"
        )
    fee = paid_fen * tier.fee_percent // 100
    deadline = starts_at - timedelta(minutes=tier.until_before_min)
    return RefundQuote(paid_fen, tier.fee_percent, fee, paid_fen - fee, deadline)


def points_back(points_used: int, paid_fen: int, fee_fen: int) -> int:
    """The spent points a refund gives back: the fee keeps the same share of the points as of the
    money, rounded down to the point (in the moviegoer's favour)."""
    if points_used <= 0 or paid_fen <= 0:
        return max(points_used, 0)
    return points_used - points_used * fee_fen // paid_fen
