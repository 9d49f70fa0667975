"""Response times as histograms: the buckets a request's duration falls in, and the percentiles
read back from bucket counts (pure: no I/O; docs/analytics.md, "Response times").

Histograms, not raw durations, because they add up: the counts of two worker processes, or of
sixty minutes, summed bucket by bucket are the histogram of both, so any worker can flush its own
and a report can merge any period and any set of routes. The buckets grow geometrically by
``BUCKET_RATIO`` from ``FIRST_EDGE_MS``, so a percentile read from them is within half a bucket
(about 10%) of the true value at every scale, from a millisecond to a minute.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

FIRST_EDGE_MS = 0.5
BUCKET_RATIO = 1.2
BUCKETS = 64  # the last edge is about 57 s; slower requests land in the overflow bucket BUCKETS
TARGET_AVERAGE_MS = 1000.0  # the seed's target: an average response under 1 s
QUANTILES = (0.5, 0.95, 0.99)
# Probes and the metrics scrape are answered for machines, not people: they would drown the routes.
UNMEASURED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

_LOG_RATIO = math.log(BUCKET_RATIO)


def upper_edge_ms(bucket: int) -> float:
    """The largest duration of a bucket (the overflow bucket has none: infinity)."""
    return math.inf if bucket >= BUCKETS else FIRST_EDGE_MS * BUCKET_RATIO**bucket


def lower_edge_ms(bucket: int) -> float:
    return 0.0 if bucket <= 0 else FIRST_EDGE_MS * BUCKET_RATIO ** (bucket - 1)


def bucket_of(duration_ms: float) -> int:
    """The bucket of a duration: the first whose upper edge is at least it."""
    if duration_ms <= FIRST_EDGE_MS:
        return 0
    bucket = math.ceil(math.log(duration_ms / FIRST_EDGE_MS) / _LOG_RATIO - 1e-9)
    return min(bucket, BUCKETS)


def quantile_ms(counts: Mapping[int, int], q: float) -> float | None:
    """The ``q`` quantile of a histogram (bucket -> requests), interpolated linearly inside its
    bucket as Prometheus's ``histogram_quantile`` does; None for an empty histogram."""
    total = sum(counts.values())
    if total <= 0:
        return None
    rank = q * total
    seen = 0
    for bucket in sorted(counts):
        n = counts[bucket]
        if n <= 0:
            continue
        if seen + n >= rank:
            low, high = lower_edge_ms(bucket), upper_edge_ms(bucket)
            if math.isinf(high):
                return low
            return low + (high - low) * max(0.0, rank - seen) / n
        seen += n
    return lower_edge_ms(max(counts))


@dataclass(frozen=True, slots=True)
class Summary:
    requests: int
    average_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


def summarize(buckets: Iterable[tuple[int, int, float]]) -> Summary:
    """The figures of a histogram given as (bucket, requests, total ms) rows (a bucket may repeat)."""
    counts: dict[int, int] = {}
    requests, total_ms = 0, 0.0
    for bucket, n, ms in buckets:
        counts[bucket] = counts.get(bucket, 0) + n
        requests += n
        total_ms += ms
    p50, p95, p99 = (quantile_ms(counts, q) for q in QUANTILES)
    return Summary(
        requests=requests,
        average_ms=_rounded(total_ms / requests) if requests else None,
        p50_ms=_rounded(p50),
        p95_ms=_rounded(p95),
        p99_ms=_rounded(p99),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
