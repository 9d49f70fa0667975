"""The pricing pipeline: its fixed order, its rounding (whole fen, never floats) and its limits."""

from __future__ import annotations

import pytest

from seatcore.domain.members import Tier, parse_price_overrides, prices_at_showtime
from seatcore.domain.pricing import (
    Breakdown,
    CouponTerms,
    MemberPrices,
    PointsRule,
    price_order,
)
from seatcore.errors import Conflict, ValidationFailed

TWO = {"A1": ("standard", 4500), "A2": ("vip", 6001)}


def test_list_price_only() -> None:
    b = price_order(TWO)
    assert (b.list_fen, b.member_discount_fen, b.coupon_fen, b.points_fen) == (10501, 0, 0, 0)
    assert b.paid_fen == 10501


def test_member_percent_rounds_each_seat_down_to_whole_fen() -> None:
    # 6001 * 15% = 900.15 -> 900 off; 4500 * 15% = 675 off
    b = price_order(TWO, member=MemberPrices(discount_percent=15))
    assert b.member_discount_fen == 675 + 900
    assert b.paid_fen == 10501 - 1575
    assert all(isinstance(v, int) for v in b.to_dict().values())


def test_member_fixed_zone_price_wins_over_percent_and_never_raises_the_price() -> None:
    member = MemberPrices(discount_percent=10, zone_prices={"vip": 5000, "standard": 9999})
    b = price_order(TWO, member=member)
    # vip at its fixed 5000; standard's fixed price is above the list price, so the list price holds
    assert b.member_discount_fen == 6001 - 5000
    assert b.paid_fen == 4500 + 5000


def test_coupon_applies_after_member_price_and_points_after_coupon() -> None:
    member = MemberPrices(discount_percent=10)  # 4050 + 5401 = 9451
    coupon = CouponTerms("percent", 20, cap_fen=0)  # 9451 * 20% = 1890.2 -> 1890
    b = price_order(TWO, member=member, coupon=coupon, points=1000)
    assert b.member_discount_fen == 10501 - 9451
    assert b.coupon_fen == 1890
    assert b.points_fen == 1000
    assert b.paid_fen == 9451 - 1890 - 1000


def test_percent_coupon_cap() -> None:
    b = price_order(TWO, coupon=CouponTerms("percent", 50, cap_fen=2000))
    assert b.coupon_fen == 2000


def test_minimum_spend_is_checked_on_the_member_priced_subtotal() -> None:
    coupon = CouponTerms("amount", 1000, min_spend_fen=10000)
    assert price_order(TWO, coupon=coupon).coupon_fen == 1000
    with pytest.raises(Conflict) as exc:
        price_order(TWO, member=MemberPrices(discount_percent=10), coupon=coupon)
    assert exc.value.code == "coupon_min_spend"


def test_voucher_prices_the_dearest_seat() -> None:
    b = price_order(TWO, coupon=CouponTerms("voucher", 1990))
    assert b.coupon_fen == 6001 - 1990
    cheap = price_order({"A1": ("standard", 1500)}, coupon=CouponTerms("voucher", 1990))
    assert cheap.coupon_fen == 0  # a voucher never raises a price


def test_at_least_one_fen_is_paid() -> None:
    b = price_order({"A1": ("standard", 3000)}, coupon=CouponTerms("amount", 5000))
    assert b.coupon_fen == 2999 and b.paid_fen == 1
    with pytest.raises(Conflict) as exc:
        price_order({"A1": ("standard", 3000)}, coupon=CouponTerms("amount", 5000), points=1)
    assert exc.value.code == "points_over_cap"


def test_points_cap_is_a_share_of_what_the_coupon_left() -> None:
    rule = PointsRule(fen_per_100_points=100, max_share_percent=50)
    seats = {"A1": ("standard", 4501)}
    # half of 4501 is 2250.5 -> 2250 fen -> 2250 points
    assert price_order(seats, points=2250, rule=rule).paid_fen == 2251
    with pytest.raises(Conflict) as exc:
        price_order(seats, points=2251, rule=rule)
    assert exc.value.details["max_points"] == 2250


def test_points_worth_whole_fen_only() -> None:
    rule = PointsRule(fen_per_100_points=50)  # 2 points = 1 fen
    assert price_order(TWO, points=200, rule=rule).points_fen == 100
    with pytest.raises(ValidationFailed) as exc:
        price_order(TWO, points=3, rule=rule)
    assert exc.value.code == "points_not_whole_fen"
    assert rule.points_for(1001) == 2002
    assert PointsRule(fen_per_100_points=40).points_for(3) == 5  # 5 points = 2 fen, 3 fen buy no more


def test_negative_points_refused() -> None:
    with pytest.raises(ValidationFailed):
        price_order(TWO, points=-1)


def test_breakdown_round_trips() -> None:
    member = MemberPrices(discount_percent=5)
    b = price_order(TWO, member=member, coupon=CouponTerms("amount", 300), points=100)
    assert Breakdown.from_dict(b.to_dict()) == b
    assert b.to_dict()["paid_fen"] == b.paid_fen


# ------------------------------------------------------------- a showtime's override of member prices


def test_a_showtime_override_replaces_the_tiers_prices() -> None:
    v1 = Tier(1, "V1", 0, discount_percent=10)
    v2 = Tier(2, "V2", 50_000, discount_percent=20, zone_prices={"vip": 5000})
    seats = {"A-1": ("standard", 4500), "V-1": ("vip", 8000)}
    assert prices_at_showtime(v2, {}) == v2.prices  # no override: the tier's own
    premiere = parse_price_overrides({"*": {}})
    for tier in (v1, v2):
        assert price_order(seats, member=prices_at_showtime(tier, premiere)).member_discount_fen == 0
    fixed = parse_price_overrides({"2": {"zone_prices": {"standard": 3000}}, "*": {"discount_percent": 5}})
    # V2: its own override (a fixed 3000 for standard; vip has none there, and no percent: list price)
    assert price_order(seats, member=prices_at_showtime(v2, fixed)).to_dict()["paid_fen"] == 3000 + 8000
    # V1 is not named: the override for every tier, 5% off each seat, rounded down per seat
    assert price_order(seats, member=prices_at_showtime(v1, fixed)).member_discount_fen == 225 + 400
    # A fixed member price above the list price never raises it
    dear = parse_price_overrides({"*": {"zone_prices": {"standard": 9900}}})
    assert price_order(seats, member=prices_at_showtime(v1, dear)).member_discount_fen == 0


@pytest.mark.parametrize(
    "document",
    [
        {"gold": {}},
        {"0": {}},
        {"²": {}},
        {"1": {"discount_percent": 101}},
        {"1": {"discount_percent": True}},
        {"1": {"zone_prices": {"standard": 0}}},
        {"1": {"zone_prices": ["standard"]}},
        {"1": "cheap"},
    ],
)
def test_bad_overrides_are_refused(document: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        parse_price_overrides(document)
