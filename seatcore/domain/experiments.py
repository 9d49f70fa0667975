"""Experiments, the pure part: who gets which variant, and what the results say (no I/O;
docs/analytics.md, "Experiments", is the reader's version).

Assignment follows GrowthBook's hashing scheme (version 2), so an assignment can be checked
against their SDKs by hand: ``n = fnv32a(str(fnv32a(seed + id))) % 10000 / 10000`` places an id
in [0, 1); the variants' weights cut [0, 1) into consecutive ranges and the id takes the range it
falls in. The same seed and id always give the same variant (sticky without storing anything),
and different experiments' seeds split people independently.

Results compare each variant with the first (the control): the rate with a 95% interval (Wilson's,
good near 0 and 1 and with few people), the difference with its 95% interval (Wald, unpooled) and
a two-sided two-proportion z-test (pooled under the null). A chi-square goodness-of-fit test of
the exposures against the weights warns of a sample-ratio mismatch: if people do not arrive in
the proportions the weights promise, assignment or exposure logging is broken, and no result of
that experiment can be trusted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

FNV32_PRIME = 0x01000193
FNV32_OFFSET = 0x811C9DC5
BUCKETS = 10_000
Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile
SRM_P_THRESHOLD = 0.001  # as GrowthBook and most platforms: a stricter bar, checked continuously


def fnv32a(text: str) -> int:
    """The 32-bit FNV-1a hash of the text's UTF-8 bytes."""
    value = FNV32_OFFSET
    for byte in text.encode():
        value = ((value ^ byte) * FNV32_PRIME) & 0xFFFFFFFF
    return value


def bucket(seed: str, unit_id: str) -> float:
    """Where ``unit_id`` falls in [0, 1) for this seed (GrowthBook's hash version 2)."""
    return (fnv32a(str(fnv32a(seed + unit_id))) % BUCKETS) / BUCKETS


def ranges(weights: Sequence[float]) -> list[tuple[float, float]]:
    """The consecutive [start, end) ranges of [0, 1) the weights give (normalized to sum 1)."""
    total = sum(weights)
    if not weights or any(w <= 0 for w in weights):
        raise ValueError("every variant needs a positive weight")
    out: list[tuple[float, float]] = []
    start = 0.0
    for weight in weights:
        end = start + weight / total
        out.append((start, end))
        start = end
    return out


def assign(seed: str, unit_id: str, weights: Sequence[float]) -> int:
    """The index of the variant ``unit_id`` gets."""
    n = bucket(seed, unit_id)
    cuts = ranges(weights)
    for index, (start, end) in enumerate(cuts):
        if start <= n < end:
            return index
    return len(cuts) - 1  # n close to 1 and float sums a hair short of 1


def unit_of(user_id: int | None, device_id: str | None) -> str | None:
    """The id assignment hashes: the moviegoer when signed in, else the device (as the event
    store's actor, so exposures and conversions meet)."""
    if user_id is not None:
        return f"u{user_id}"
    return f"d{device_id}" if device_id else None


# ----------------------------------------------------------------------------------- statistics


def normal_sf(z: float) -> float:
    """P(Z > z) for the standard normal."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson's score interval for a proportion (None without trials)."""
    if trials == 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True, slots=True)
class Comparison:
    difference: float  # treatment rate - control rate
    interval: tuple[float, float]  # 95% Wald interval of the difference (unpooled)
    z: float | None  # None when both rates are 0 or both 1 (nothing to test)
    p_value: float | None


def two_proportion_test(x1: int, n1: int, x2: int, n2: int, z_crit: float = Z_95) -> Comparison | None:
    """Compare rate x2/n2 (a variant) with x1/n1 (the control): the difference, its interval and
    the two-sided p-value of the pooled two-proportion z-test. None when a group is empty."""
    if n1 == 0 or n2 == 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    difference = p2 - p1
    se_diff = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    interval = (difference - z_crit * se_diff, difference + z_crit * se_diff)
    pooled = (x1 + x2) / (n1 + n2)
    se_null = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se_null == 0:
        return Comparison(difference, interval, None, None)
    z = difference / se_null
    return Comparison(difference, interval, z, 2 * normal_sf(abs(z)))


def chi_square_sf(x: float, df: int) -> float:
    """P(X > x) for a chi-square variable with ``df`` degrees of freedom (exact closed forms for
    whole df: a Poisson sum for even df, erfc plus half-integer terms for odd)."""
    if df < 1:
        raise ValueError("df must be at least 1")
    if x <= 0:
        return 1.0
    half = x / 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return min(1.0, math.exp(-half) * total)
    total = math.erfc(math.sqrt(half))
    term = math.sqrt(half) / math.gamma(1.5)  # half^(i - 1/2) / Gamma(i + 1/2) for i = 1
    for i in range(1, (df + 1) // 2):
        total += math.exp(-half) * term
        term *= half / (i + 0.5)
    return min(1.0, total)


@dataclass(frozen=True, slots=True)
class SampleRatio:
    chi_square: float
    p_value: float
    mismatch: bool  # p below SRM_P_THRESHOLD: the split is not what the weights promise


def sample_ratio_check(observed: Sequence[int], weights: Sequence[float]) -> SampleRatio | None:
    """Chi-square goodness of fit of the exposures per variant against the weights (None with
    no exposures or a single variant)."""
    total = sum(observed)
    if total == 0 or len(observed) < 2:
        return None
    cuts = ranges(weights)
    chi = 0.0
    for seen, (start, end) in zip(observed, cuts, strict=True):
        expected = total * (end - start)
        chi += (seen - expected) ** 2 / expected
    p_value = chi_square_sf(chi, len(observed) - 1)
    return SampleRatio(chi, p_value, p_value < SRM_P_THRESHOLD)


# ----------------------------------------------------------------------------------- definitions

# The service's event for "this caller was shown this variant": the experiment's key in the
# event's `page` column and the variant in `code` (the event store's generic dimensions).
EXPOSED = "experiment_exposed"
# What a guardrail can watch; payment success: orders paid / (paid + failed) of exposed people.
GUARDRAILS = ("", "payment_success")
KEY_PATTERN = r"^[a-z0-9_.-]{1,64}$"  # the event store's page/code shape
MAX_VARIANTS = 6
