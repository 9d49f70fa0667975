"""An experiment's results from the event store: exposed people per variant, how many of them went
from the target metric's first event to its last after their exposure, the guardrail's payments,
and the statistics of seatcore.domain.experiments over them.

A person is the event store's actor (the moviegoer when signed in, else the device), which is also
the unit assignment hashes, so exposures and conversions meet. Events count from the experiment's
start to its stop (or now).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from seatcore.analytics.store import EventStore
from seatcore.domain.analytics import ORDER_PAID, PAYMENT_FAILED
from seatcore.domain.experiments import (
    EXPOSED,
    Comparison,
    SampleRatio,
    sample_ratio_check,
    two_proportion_test,
    wilson_interval,
)
from seatcore.store._time import utcnow
from seatcore.store.experiments import Experiment

MARGIN = dt.timedelta(seconds=1)
GUARDRAIL_P = 0.05  # a guardrail is "worse" when lower than the control's at this level

# Per variant: exposed people, and those who did `metric_from` then `metric_to` after exposure.
CONVERSIONS = f"""
WITH exposed AS (
    SELECT actor, arg_min(code, ts) AS variant, min(ts) AS first_ts FROM events
    WHERE name = '{EXPOSED}' AND page = ? AND ts BETWEEN ? AND ? GROUP BY actor
), reached AS (
    SELECT x.actor, min(e.ts) AS from_ts FROM exposed x
    JOIN events e ON e.actor = x.actor AND e.name = ? AND e.ts >= x.first_ts AND e.ts <= ?
    GROUP BY x.actor
), converted AS (
    SELECT DISTINCT r.actor FROM reached r
    JOIN events e ON e.actor = r.actor AND e.name = ? AND e.ts >= r.from_ts AND e.ts <= ?
)
SELECT x.variant, count(*), count(c.actor) FROM exposed x LEFT JOIN converted c USING (actor)
GROUP BY x.variant
"""

# Per variant: orders of exposed people paid and failed after exposure (the payment guardrail).
PAYMENTS = f"""
WITH exposed AS (
    SELECT actor, arg_min(code, ts) AS variant, min(ts) AS first_ts FROM events
    WHERE name = '{EXPOSED}' AND page = ? AND ts BETWEEN ? AND ? GROUP BY actor
)
SELECT x.variant,
       count(DISTINCT e.order_id) FILTER (WHERE e.name = '{ORDER_PAID}'),
       count(DISTINCT e.order_id) FILTER (WHERE e.name = '{PAYMENT_FAILED}')
FROM exposed x JOIN events e ON e.actor = x.actor AND e.ts >= x.first_ts AND e.ts <= ?
WHERE e.name IN ('{ORDER_PAID}', '{PAYMENT_FAILED}')
GROUP BY x.variant
"""


@dataclass(frozen=True, slots=True)
class VariantResult:
    key: str
    weight: float
    exposures: int
    conversions: int
    rate: float | None
    interval: tuple[float, float] | None
    versus_control: Comparison | None  # None for the control itself and for empty groups
    guardrail_rate: float | None
    guardrail_versus_control: Comparison | None
    guardrail_worse: bool


@dataclass(frozen=True, slots=True)
class Results:
    experiment: Experiment
    since: dt.datetime
    until: dt.datetime
    variants: list[VariantResult]
    sample_ratio: SampleRatio | None


def _counts(
    store: EventStore, experiment: Experiment, since: dt.datetime, until: dt.datetime
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    conversions = store.query(
        CONVERSIONS,
        [experiment.key, since, until, experiment.metric_from, until, experiment.metric_to, until],
    )
    payments = (
        store.query(PAYMENTS, [experiment.key, since, until, until])
        if experiment.guardrail == "payment_success"
        else []
    )
    return (
        {str(v): (int(n), int(x)) for v, n, x in conversions},
        {str(v): (int(paid), int(failed)) for v, paid, failed in payments},
    )


def _worse(comparison: Comparison | None) -> bool:
    return bool(
        comparison is not None
        and comparison.p_value is not None
        and comparison.difference < 0
        and comparison.p_value < GUARDRAIL_P
    )


async def results(store: EventStore, experiment: Experiment) -> Results:
    # MySQL keeps whole seconds: a second's margin each side keeps the first and last events in.
    since = (experiment.started_at or experiment.created_at) - MARGIN
    until = (experiment.stopped_at or utcnow()) + MARGIN
    conversions, payments = await asyncio.to_thread(_counts, store, experiment, since, until)
    control_key = experiment.variants[0][0]
    control_n, control_x = conversions.get(control_key, (0, 0))
    control_paid, control_failed = payments.get(control_key, (0, 0))
    out: list[VariantResult] = []
    for index, (key, weight) in enumerate(experiment.variants):
        n, x = conversions.get(key, (0, 0))
        paid, failed = payments.get(key, (0, 0))
        control = index == 0
        guard = (
            None
            if control or not experiment.guardrail
            else two_proportion_test(control_paid, control_paid + control_failed, paid, paid + failed)
        )
        out.append(
            VariantResult(
                key=key,
                weight=weight,
                exposures=n,
                conversions=x,
                rate=x / n if n else None,
                interval=wilson_interval(x, n),
                versus_control=None if control else two_proportion_test(control_x, control_n, x, n),
                guardrail_rate=(paid / (paid + failed)) if experiment.guardrail and paid + failed else None,
                guardrail_versus_control=guard,
                guardrail_worse=_worse(guard),
            )
        )
    ratio = sample_ratio_check([v.exposures for v in out], experiment.weights)
    return Results(experiment, since, until, out, ratio)
