"""The refund fee rules (seatcore.domain.refunds): tiers by time before the start, rounding in fen,
premieres, the default policy, and the policy document's validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from seatcore.domain.refunds import (
    FeeTier,
    RefundPolicy,
    default_policy,
    is_premiere,
    points_back,
    policy_from_dict,
    quote_refund,
)
from seatcore.errors import ValidationFailed

START = datetime(2026, 12, 24, 19, 30, tzinfo=UTC)
CHAIN = policy_from_dict(
    {
        "tiers": [
            {"until_before_min": 30, "fee_percent": 20},
            {"until_before_min": 24 * 60, "fee_percent": 0},
            {"until_before_min": 120, "fee_percent": 10},
        ]
    }
)


def _at(before: timedelta) -> datetime:
    return START - before


@pytest.mark.parametrize(
    ("before", "percent", "fee", "back"),
    [
        (timedelta(days=3), 0, 0, 9000),
        (timedelta(hours=24, seconds=1), 0, 0, 9000),
        (timedelta(hours=24), 10, 900, 8100),  # the free tier ends exactly 24 h before
        (timedelta(hours=3), 10, 900, 8100),
        (timedelta(minutes=119), 20, 1800, 7200),
        (timedelta(minutes=31), 20, 1800, 7200),
    ],
)
def test_each_tier_keeps_its_share(before: timedelta, percent: int, fee: int, back: int) -> None:
    quoted = quote_refund(CHAIN, paid_fen=9000, starts_at=START, now=_at(before), premiere=False)
    assert (quoted.refusal, quoted.fee_percent, quoted.fee_fen, quoted.refund_fen) == (
        None,
        percent,
        fee,
        back,
    )
    assert quoted.fee_fen + quoted.refund_fen == quoted.paid_fen


def test_no_refund_after_the_last_tier() -> None:
    for before in (timedelta(minutes=30), timedelta(minutes=5), -timedelta(hours=1)):
        quoted = quote_refund(CHAIN, paid_fen=9000, starts_at=START, now=_at(before), premiere=False)
        assert quoted.refusal == "refund_closed" and quoted.refund_fen == 0
        assert quoted.deadline == START - timedelta(minutes=30)


def test_the_fee_is_rounded_down_to_the_fen_in_the_moviegoers_favour() -> None:
    policy = RefundPolicy(tiers=(FeeTier(0, 15),))
    quoted = quote_refund(policy, paid_fen=3333, starts_at=START, now=_at(timedelta(hours=1)), premiere=False)
    assert quoted.fee_fen == 499 and quoted.refund_fen == 2834  # 499.95 fen kept as 499


def test_premieres_may_refuse_refunds() -> None:
    strict = RefundPolicy(tiers=CHAIN.tiers, refuse_premieres=True)
    now = _at(timedelta(days=2))
    assert (
        quote_refund(strict, paid_fen=100, starts_at=START, now=now, premiere=True).refusal
        == "refund_premiere"
    )
    assert quote_refund(strict, paid_fen=100, starts_at=START, now=now, premiere=False).refusal is None
    assert quote_refund(CHAIN, paid_fen=100, starts_at=START, now=now, premiere=True).refusal is None
    assert is_premiere(date(2026, 12, 24), date(2026, 12, 24))
    assert not is_premiere(date(2026, 12, 25), date(2026, 12, 24))
    assert not is_premiere(date(2026, 12, 24), None)


def test_the_default_refunds_everything_until_the_deadline_as_before() -> None:
    policy = default_policy(30)
    early = quote_refund(
        policy, paid_fen=4500, starts_at=START, now=_at(timedelta(minutes=31)), premiere=True
    )
    assert early.refusal is None and early.refund_fen == 4500
    late = quote_refund(
        policy, paid_fen=4500, starts_at=START, now=_at(timedelta(minutes=30)), premiere=False
    )
    assert late.refusal == "refund_closed"
    assert policy.exchange_until_before_min == 30 and policy.exchange_fee_fen == 0


def test_a_policy_survives_its_document() -> None:
    assert policy_from_dict(CHAIN.to_dict()) == CHAIN
    assert [tier.until_before_min for tier in CHAIN.tiers] == [1440, 120, 30]


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"tiers": "free"},
        {"tiers": [{"until_before_min": 30, "fee_percent": 101}]},
        {"tiers": [{"until_before_min": -1, "fee_percent": 0}]},
        {"tiers": [{"until_before_min": 30, "fee_percent": True}]},
        {"tiers": [{"until_before_min": 30, "fee_percent": 0}, {"until_before_min": 30, "fee_percent": 5}]},
        {"tiers": [], "refuse_premieres": "yes"},
        {"tiers": [], "exchange_fee_fen": -5},
        {"tiers": [7]},
    ],
)
def test_bad_documents_are_refused(document: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        policy_from_dict(document)


def test_a_fee_keeps_its_share_of_the_points_rounded_for_the_moviegoer() -> None:
    assert points_back(1000, paid_fen=7500, fee_fen=1500) == 800
    assert points_back(999, paid_fen=7500, fee_fen=750) == 900  # 99.9 kept: 99
    assert points_back(1000, paid_fen=7500, fee_fen=0) == 1000
    assert points_back(0, paid_fen=7500, fee_fen=1500) == 0
