"""Staff API: experiments (docs/analytics.md, "Experiments"). Platform admins define, start and stop
them, since an experiment runs across the chain; every member of staff reads them and their results."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from starlette.requests import Request

from seatcore.analytics.background import event_store
from seatcore.api._http import Answer, Body, Endpoints, path_id
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.auth.principal import Principal
from seatcore.domain.analytics import CLIENT_EVENTS, ERROR, PAGE_VIEW, SERVER_EVENTS
from seatcore.domain.experiments import GUARDRAILS, KEY_PATTERN, MAX_VARIANTS, Comparison
from seatcore.experiments.assignments import forget_running
from seatcore.experiments.results import results
from seatcore.store import experiments as store
from seatcore.store.experiments import Experiment

endpoints = Endpoints("staff: experiments")

METRIC_EVENTS = tuple(name for name in (*CLIENT_EVENTS, *SERVER_EVENTS) if name not in (PAGE_VIEW, ERROR))
Key = Annotated[str, Field(pattern=KEY_PATTERN)]


class VariantIn(Body):
    key: Key
    weight: float = Field(gt=0, le=1000)


class NewExperiment(Body):
    key: Key = Field(description="stable id, also the hashing seed: a-z 0-9 _ . -")
    name: str = Field(min_length=1, max_length=200)
    variants: list[VariantIn] = Field(
        min_length=2, max_length=MAX_VARIANTS, description="the first is the control"
    )
    channels: list[Literal["miniprogram", "web"]] = Field(default_factory=list, description="empty: both")
    signed_in: bool = Field(False, description="only signed-in moviegoers take part")
    metric_from: Literal[METRIC_EVENTS] = Field(description="the target metric's first event")  # type: ignore[valid-type]
    metric_to: Literal[METRIC_EVENTS] = Field(description="the target metric's converting event")  # type: ignore[valid-type]
    guardrail: Literal[GUARDRAILS] = ""  # type: ignore[valid-type]

    @field_validator("variants")
    @classmethod
    def _distinct(cls, variants: list[VariantIn]) -> list[VariantIn]:
        if len({v.key for v in variants}) != len(variants):
            raise ValueError("variant keys must differ")
        return variants

    @model_validator(mode="after")
    def _two_steps(self) -> NewExperiment:
        if self.metric_from == self.metric_to:
            raise ValueError("the metric goes from one event to another")
        return self


class VariantOut(Answer):
    key: str
    weight: float


class ExperimentOut(Answer):
    id: int
    key: str
    name: str
    status: Literal["draft", "running", "stopped"]
    variants: list[VariantOut]
    channels: list[str]
    signed_in: bool
    metric_from: str
    metric_to: str
    guardrail: str
    started_at: dt.datetime | None = Field(description="UTC")
    stopped_at: dt.datetime | None = Field(description="UTC")


class ExperimentList(Answer):
    items: list[ExperimentOut]


class ComparisonOut(Answer):
    difference: float = Field(description="this variant's rate minus the control's")
    interval: tuple[float, float] = Field(description="95% interval of the difference")
    z: float | None
    p_value: float | None = Field(description="two-sided, two-proportion z-test")


class VariantResultOut(Answer):
    key: str
    weight: float
    exposures: int = Field(description="people (moviegoers or devices) shown this variant")
    conversions: int = Field(description="exposed people who did metric_from, then metric_to")
    rate: float | None
    interval: tuple[float, float] | None = Field(description="95% Wilson interval of the rate")
    versus_control: ComparisonOut | None
    guardrail_rate: float | None
    guardrail_versus_control: ComparisonOut | None
    guardrail_worse: bool = Field(description="the guardrail is significantly worse than the control's")


class SampleRatioOut(Answer):
    chi_square: float
    p_value: float
    mismatch: bool = Field(description="the split differs from the weights (p < 0.001): assignment is broken")


class ResultsOut(Answer):
    experiment: ExperimentOut
    since: dt.datetime
    until: dt.datetime
    variants: list[VariantResultOut]
    sample_ratio: SampleRatioOut | None


def _utc(moment: dt.datetime) -> dt.datetime:
    """A stored naive UTC time with its offset, as ISO 8601 wants it."""
    return moment.replace(tzinfo=dt.UTC)


def experiment_out(e: Experiment) -> ExperimentOut:
    return ExperimentOut(
        id=e.id,
        key=e.key,
        name=e.name,
        status=e.status,
        variants=[VariantOut(key=k, weight=w) for k, w in e.variants],
        channels=list(e.channels),
        signed_in=e.signed_in,
        metric_from=e.metric_from,
        metric_to=e.metric_to,
        guardrail=e.guardrail,
        started_at=e.started_at and _utc(e.started_at),
        stopped_at=e.stopped_at and _utc(e.stopped_at),
    )


def _comparison(c: Comparison | None) -> ComparisonOut | None:
    if c is None:
        return None
    return ComparisonOut(difference=c.difference, interval=c.interval, z=c.z, p_value=c.p_value)


@endpoints.get(
    "/api/v1/staff/experiments", "Experiments, newest first (any staff)", auth="staff", answer=ExperimentList
)
async def staff_list_experiments(request: Request, principal: Principal) -> ExperimentList:
    await staff_scope(request, principal)
    found = await store.all_experiments(runtime_of(request).db)
    return ExperimentList(items=[experiment_out(e) for e in found])


@endpoints.post(
    "/api/v1/staff/experiments",
    "Define an experiment, as a draft (platform admin)",
    auth="staff",
    body=NewExperiment,
    answer=ExperimentOut,
    status=201,
    errors=(403, 409),
)
async def staff_create_experiment(
    request: Request, principal: Principal, body: NewExperiment
) -> ExperimentOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("define experiments")
    db = runtime_of(request).db
    values = body.model_dump()
    values["variants"] = [(v["key"], v["weight"]) for v in values["variants"]]
    experiment_id = await store.create(db, scope.actor, values)
    return experiment_out(await store.get(db, experiment_id))


@endpoints.get(
    "/api/v1/staff/experiments/{id:int}", "One experiment (any staff)", auth="staff", answer=ExperimentOut
)
async def staff_get_experiment(request: Request, principal: Principal) -> ExperimentOut:
    await staff_scope(request, principal)
    return experiment_out(await store.get(runtime_of(request).db, path_id(request)))


async def _move(request: Request, principal: Principal, to: str) -> ExperimentOut:
    scope = await staff_scope(request, principal)
    scope.require_admin(f"make experiments {to}")
    runtime = runtime_of(request)
    moved = await store.move(runtime.db, scope.actor, path_id(request), to)
    forget_running(runtime)
    return experiment_out(moved)


@endpoints.post(
    "/api/v1/staff/experiments/{id:int}/start",
    "Start a draft experiment: callers get assignments from now (platform admin)",
    auth="staff",
    answer=ExperimentOut,
    errors=(403, 409),
)
async def staff_start_experiment(request: Request, principal: Principal) -> ExperimentOut:
    return await _move(request, principal, store.RUNNING)


@endpoints.post(
    "/api/v1/staff/experiments/{id:int}/stop",
    "Stop a running experiment for good (platform admin)",
    auth="staff",
    answer=ExperimentOut,
    errors=(403, 409),
)
async def staff_stop_experiment(request: Request, principal: Principal) -> ExperimentOut:
    return await _move(request, principal, store.STOPPED)


@endpoints.get(
    "/api/v1/staff/experiments/{id:int}/results",
    "Per variant: exposures, conversions, rate with 95% interval, difference and p-value; SRM check",
    auth="staff",
    answer=ResultsOut,
)
async def staff_experiment_results(request: Request, principal: Principal) -> ResultsOut:
    await staff_scope(request, principal)
    runtime = runtime_of(request)
    experiment = await store.get(runtime.db, path_id(request))
    found = await results(event_store(runtime), experiment)
    ratio = found.sample_ratio
    return ResultsOut(
        experiment=experiment_out(experiment),
        since=_utc(found.since),
        until=_utc(found.until),
        variants=[
            VariantResultOut(
                key=v.key,
                weight=v.weight,
                exposures=v.exposures,
                conversions=v.conversions,
                rate=v.rate,
                interval=v.interval,
                versus_control=_comparison(v.versus_control),
                guardrail_rate=v.guardrail_rate,
                guardrail_versus_control=_comparison(v.guardrail_versus_control),
                guardrail_worse=v.guardrail_worse,
            )
            for v in found.variants
        ],
        sample_ratio=None
        if ratio is None
        else SampleRatioOut(
            chi_square=ratio.chi_square,
            p_value=ratio.p_value,
            mismatch=ratio.mismatch,
        ),
    )
