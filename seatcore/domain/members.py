"""Member tiers: which tier a year's spend reaches, and how far the next one is. Pure.

A moviegoer joins for free at the lowest tier; the tier is recomputed from the spend of the last
12 months (paid amounts of ticketed orders, refunds taken off) whenever that spend changes.
A showtime may override the tiers' member prices, and may open to top tiers before it goes on sale
to everyone (both at the end of this module).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from seatcore.domain.pricing import MemberPrices
from seatcore.errors import ValidationFailed
from seatcore.types import Fen

SPEND_WINDOW_DAYS = 365


@dataclass(frozen=True, slots=True)
class Tier:
    level: int
    name: str
    threshold_fen: Fen  # 12-month spend that reaches this tier
    discount_percent: int = 0
    zone_prices: Mapping[str, Fen] = field(default_factory=dict)
    free_exchanges_per_month: int = 0  # for the exchange and refund policies to use
    free_refunds_per_month: int = 0
    early_booking_hours: int = 0  # premieres open to this tier this long before everyone

    @property
    def prices(self) -> MemberPrices:
        return MemberPrices(self.discount_percent, self.zone_prices)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "name": self.name,
            "threshold_fen": self.threshold_fen,
            "discount_percent": self.discount_percent,
            "zone_prices": dict(self.zone_prices),
            "free_exchanges_per_month": self.free_exchanges_per_month,
            "free_refunds_per_month": self.free_refunds_per_month,
            "early_booking_hours": self.early_booking_hours,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tier:
        return cls(
            level=int(data["level"]),
            name=str(data["name"]),
            threshold_fen=int(data["threshold_fen"]),
            discount_percent=int(data["discount_percent"]),
            zone_prices={str(k): int(v) for k, v in dict(data["zone_prices"]).items()},
            free_exchanges_per_month=int(data["free_exchanges_per_month"]),
            free_refunds_per_month=int(data["free_refunds_per_month"]),
            early_booking_hours=int(data["early_booking_hours"]),
        )


# Maoyan-like defaults: V1 on joining, V5 from 3,000 yuan a year.
DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(1, "V1", 0, 0, {}, 0, 0, 0),
    Tier(2, "V2", 30_000, 2, {}, 1, 0, 0),
    Tier(3, "V3", 80_000, 5, {}, 1, 1, 0),
    Tier(4, "V4", 150_000, 8, {}, 2, 1, 12),
    Tier(5, "V5", 300_000, 10, {}, 3, 2, 24),
)


def check_tiers(tiers: Sequence[Tier]) -> list[Tier]:
    """Tiers sorted by level: levels 1..n, the first at threshold 0, thresholds rising, percents 0..100.

    Raises ValidationFailed ``tiers_invalid`` naming the problem."""
    ordered = sorted(tiers, key=lambda tier: tier.level)
    problems: list[str] = []
    if [tier.level for tier in ordered] != list(range(1, len(ordered) + 1)):
        problems.append("levels must be 1, 2, 3, ... without gaps")
    if ordered and ordered[0].threshold_fen != 0:
        problems.append("the first tier's threshold must be 0 (everyone joins at it)")
    for lower, higher in itertools.pairwise(ordered):
        if higher.threshold_fen <= lower.threshold_fen:
            problems.append(f"tier {higher.level}'s threshold must be above tier {lower.level}'s")
    for tier in ordered:
        if not 0 <= tier.discount_percent <= 100:
            problems.append(f"tier {tier.level}'s discount_percent must be 0..100")
        if any(price <= 0 for price in tier.zone_prices.values()):
            problems.append(f"tier {tier.level}'s zone prices must be positive fen")
    if not ordered:
        problems.append("at least one tier")
    if problems:
        raise ValidationFailed("the tiers do not fit together", code="tiers_invalid", problems=problems)
    return ordered


def tier_for(tiers: Sequence[Tier], spend_fen: Fen) -> Tier:
    """The highest tier whose threshold the spend reaches (tiers sorted by level)."""
    reached = tiers[0]
    for tier in tiers:
        if spend_fen >= tier.threshold_fen:
            reached = tier
    return reached


@dataclass(frozen=True, slots=True)
class Progress:
    next_tier: Tier | None
    spend_fen: Fen
    needed_fen: Fen  # more spend to reach the next tier (0 at the top)
    percent: int  # 0..100 of the way from this tier's threshold to the next's, rounded down


def progress(tiers: Sequence[Tier], spend_fen: Fen) -> Progress:
    current = tier_for(tiers, spend_fen)
    higher = [tier for tier in tiers if tier.level > current.level]
    if not higher:
        return Progress(None, spend_fen, 0, 100)
    nxt = higher[0]
    span = nxt.threshold_fen - current.threshold_fen
    done = max(0, spend_fen - current.threshold_fen)
    return Progress(nxt, spend_fen, nxt.threshold_fen - spend_fen, min(100, done * 100 // span))


# ------------------------------------------------------------------- a showtime's rules for members

ALL_TIERS = "*"  # an override for every tier a showtime does not name


def parse_price_overrides(data: Mapping[str, Any]) -> dict[str, MemberPrices]:
    """A showtime's member-price overrides from their JSON form: ``{"LEVEL" | "*": {"discount_percent":
    0..100, "zone_prices": {"zone": fen}}}``. ValidationFailed ``validation_failed`` names the field."""
    overrides: dict[str, MemberPrices] = {}
    for key, raw in data.items():
        field_name = f"member_prices.{key}"
        if key != ALL_TIERS and not (key.isascii() and key.isdigit() and 1 <= int(key) <= 100):
            raise ValidationFailed(
                "member prices are keyed by tier level or *",
                problems=[{"field": field_name, "problem": "not a tier level (1..100) or *"}],
            )
        percent = raw.get("discount_percent", 0) if isinstance(raw, Mapping) else None
        zones = raw.get("zone_prices", {}) if isinstance(raw, Mapping) else None
        if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
            raise ValidationFailed(
                "discount_percent must be 0..100",
                problems=[{"field": f"{field_name}.discount_percent", "problem": "not a number 0..100"}],
            )
        if not isinstance(zones, Mapping) or not all(
            isinstance(zone, str) and isinstance(fen, int) and not isinstance(fen, bool) and fen > 0
            for zone, fen in zones.items()
        ):
            raise ValidationFailed(
                "zone_prices maps zones to positive fen",
                problems=[{"field": f"{field_name}.zone_prices", "problem": "not {zone: positive fen}"}],
            )
        overrides[key] = MemberPrices(percent, dict(zones))
    return overrides


def overrides_to_dict(overrides: Mapping[str, MemberPrices]) -> dict[str, dict[str, Any]]:
    return {
        key: {"discount_percent": prices.discount_percent, "zone_prices": dict(prices.zone_prices)}
        for key, prices in overrides.items()
    }


def prices_at_showtime(tier: Tier, overrides: Mapping[str, MemberPrices]) -> MemberPrices:
    """The tier's member prices at a showtime: its override for this tier, else its override for
    every tier, else the tier's own (a premiere without member discount: ``{"*": {}}``)."""
    chosen = overrides.get(str(tier.level))
    if chosen is None:
        chosen = overrides.get(ALL_TIERS)
    return tier.prices if chosen is None else chosen


def opens_for(on_sale_at: datetime, tier: Tier | None) -> datetime:
    """When a showtime that goes on sale at ``on_sale_at`` opens to a member of ``tier`` (None: not
    a member): its early-booking hours before everyone."""
    return on_sale_at if tier is None else on_sale_at - timedelta(hours=tier.early_booking_hours)
