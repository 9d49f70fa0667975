"""Who gets which variant, for a caller: the running experiments they are eligible for, each
variant by hashing (sticky without storing anything), each answer recorded as an exposure event.

The running experiments are read from MySQL at most every ``RUNNING_TTL_S`` per process: a start
or stop reaches every worker within that time, and the busiest call never waits on the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from seatcore.analytics.events import record
from seatcore.domain.experiments import EXPOSED, assign, unit_of
from seatcore.runtime import Runtime
from seatcore.store import experiments as store
from seatcore.store.experiments import Experiment

RUNNING_TTL_S = 10.0
CACHE_KEY = "experiments_running"


@dataclass(frozen=True, slots=True)
class Assignment:
    experiment: Experiment
    variant: str


async def running(runtime: Runtime) -> list[Experiment]:
    cached = runtime.extras.get(CACHE_KEY)
    if cached is not None and cached[0] > time.monotonic():
        return list(cached[1])
    found = await store.all_experiments(runtime.db, status=store.RUNNING)
    runtime.extras[CACHE_KEY] = (time.monotonic() + RUNNING_TTL_S, found)
    return found


def forget_running(runtime: Runtime) -> None:
    """A start or stop in this process shows at once here (other workers within the TTL)."""
    runtime.extras.pop(CACHE_KEY, None)


def eligible(experiment: Experiment, *, user_id: int | None, channel: str) -> bool:
    if experiment.signed_in and user_id is None:
        return False
    return not experiment.channels or channel in experiment.channels


async def assignments_for(
    runtime: Runtime, *, user_id: int | None, device_id: str | None, channel: str
) -> list[Assignment]:
    """The caller's variants in every running experiment they are eligible for, each recorded as
    an exposure (the client asks where it shows them, so an answer is an exposure)."""
    unit = unit_of(user_id, device_id)
    if unit is None:
        return []
    out: list[Assignment] = []
    for experiment in await running(runtime):
        if not eligible(experiment, user_id=user_id, channel=channel):
            continue
        variant = experiment.variants[assign(experiment.key, unit, experiment.weights)][0]
        out.append(Assignment(experiment, variant))
        record(
            runtime,
            EXPOSED,
            user_id=user_id,
            device=device_id,
            channel=channel,
            page=experiment.key,
            code=variant,
        )
    return out
