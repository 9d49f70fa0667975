"""The pure rules of experiments: GrowthBook-style hashing (sticky, splits as weighted), and the
statistics checked against textbook examples with known values."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from seatcore.domain.experiments import (
    assign,
    bucket,
    chi_square_sf,
    fnv32a,
    sample_ratio_check,
    two_proportion_test,
    unit_of,
    wilson_interval,
)


def test_fnv32a_matches_the_reference_vectors() -> None:
    # The FNV-1a 32-bit test vectors of the algorithm's authors (Fowler, Noll, Vo).
    assert fnv32a("") == 0x811C9DC5
    assert fnv32a("a") == 0xE40C292C
    assert fnv32a("foobar") == 0xBF9CF968


def test_assignment_is_sticky_and_splits_within_tolerance_over_10000_ids() -> None:
    ids = [unit_of(None, f"device-{i:05d}") or "" for i in range(10_000)]
    first = [assign("best_seats_position", unit, [1, 1]) for unit in ids]
    again = [assign("best_seats_position", unit, [1, 1]) for unit in ids]
    assert first == again  # sticky: nothing stored, the same answer every time
    counts = Counter(first)
    # 50/50 over 10,000: a fair split stays within 4 standard deviations (4 * 50 = 200).
    assert abs(counts[0] - 5000) < 200 and abs(counts[1] - 5000) < 200
    weighted = Counter(assign("checkout_copy", unit, [20, 80]) for unit in ids)
    assert abs(weighted[0] - 2000) < 4 * math.sqrt(10_000 * 0.2 * 0.8)
    three = Counter(assign("three_way", unit, [1, 1, 2]) for unit in ids)
    assert [round(three[i] / 100) for i in range(3)] == pytest.approx([25, 25, 50], abs=2)


def test_another_experiments_split_is_independent() -> None:
    ids = [f"u{i}" for i in range(10_000)]
    a = [assign("exp-a", unit, [1, 1]) for unit in ids]
    b = [assign("exp-b", unit, [1, 1]) for unit in ids]
    both = Counter(zip(a, b, strict=True))
    assert all(abs(n - 2500) < 200 for n in both.values())  # a quarter in each pair, not correlated


def test_the_bucket_is_in_the_unit_interval_and_the_unit_is_the_event_stores_actor() -> None:
    assert all(0 <= bucket("seed", f"u{i}") < 1 for i in range(1000))
    assert unit_of(12, "dev") == "u12"
    assert unit_of(None, "dev12345") == "ddev12345"
    assert unit_of(None, None) is None


def test_two_proportion_z_test_against_a_textbook_example() -> None:
    # OpenIntro Statistics (4th ed.), section 6.2.3: the mammogram study, death from breast cancer,
    # 500 of 44,425 with mammograms and 505 of 44,405 in the control group. The book: pooled
    # proportion 0.0113, SE 0.00071, Z = -0.17, p-value 0.865 (its Z and SE are rounded).
    result = two_proportion_test(505, 44_405, 500, 44_425)
    assert result is not None and result.z is not None and result.p_value is not None
    assert round(result.z, 2) == -0.17
    assert result.p_value == pytest.approx(0.865, abs=0.005)


def test_the_interval_of_a_difference_against_a_textbook_example() -> None:
    # OpenIntro Statistics (4th ed.), section 6.2.2: CPR with a blood thinner, 14 of 40 survived
    # versus 11 of 50 without; the book's 95% interval of the difference is (-0.06, 0.32).
    result = two_proportion_test(11, 50, 14, 40)
    assert result is not None
    assert result.difference == pytest.approx(0.13)
    assert (round(result.interval[0], 2), round(result.interval[1], 2)) == (-0.06, 0.32)


def test_wilson_interval_against_known_values() -> None:
    # Wilson's 95% interval for 81 of 263 (Newcombe 1998, Statistics in Medicine, table I): 0.2553-0.3662
    low, high = wilson_interval(81, 263) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson_interval(0, 0) is None
    assert wilson_interval(0, 10) is not None


def test_chi_square_tail_at_the_tables_critical_values() -> None:
    # The 5% critical values of every statistics table.
    for df, critical in [(1, 3.841), (2, 5.991), (3, 7.815), (4, 9.488), (5, 11.070)]:
        assert chi_square_sf(critical, df) == pytest.approx(0.05, abs=0.0005)
    assert chi_square_sf(10.828, 1) == pytest.approx(0.001, abs=0.00005)
    assert chi_square_sf(0, 3) == 1.0


def test_sample_ratio_mismatch_is_flagged_only_when_the_split_is_broken() -> None:
    fine = sample_ratio_check([5020, 4980], [1, 1])
    assert fine is not None and not fine.mismatch
    broken = sample_ratio_check([5300, 4700], [1, 1])
    # chi-square = 2 * 300^2 / 5000 = 36 with 1 df
    assert broken is not None and broken.chi_square == pytest.approx(36.0) and broken.mismatch
    assert sample_ratio_check([0, 0], [1, 1]) is None


def test_identical_rates_have_no_test_and_an_empty_group_no_comparison() -> None:
    same = two_proportion_test(0, 10, 0, 10)
    assert same is not None and same.p_value is None
    assert two_proportion_test(1, 0, 1, 10) is None
