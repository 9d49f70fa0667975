"""Staff API: the operations reports behind the console's dashboard (docs/analytics.md).

Each covers local dates ``start``..``end`` (at most a year and a day) and filters by cinema, movie
and channel. Cinema staff see the events tied to their cinemas (the funnel and payments); visits
and dwell time are not tied to a cinema, so they are for platform admins, as are the response
times (the service's own, per route, from every worker's histograms: seatcore.analytics.latency).
The reports read the daily rollups, which the upkeep brings up to date every ``ROLLUP_EVERY_S``
(figures are that much behind at most, and a report costs milliseconds instead of a recount).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator
from starlette.requests import Request

from seatcore.analytics import reports
from seatcore.analytics.background import event_store
from seatcore.analytics.store import Filters
from seatcore.api._http import Answer, Day, Endpoints
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.api.staff._query import StaffQuery
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.latency import TARGET_AVERAGE_MS, Summary

endpoints = Endpoints("staff: analytics")

MAX_RANGE_DAYS = 366
MAX_HOURLY_DAYS = 31
TOP_ROUTES = 15


class ReportQuery(StaffQuery):
    start: Day = Field(description="first local date")
    end: Day = Field(description="last local date (inclusive)")
    cinema_id: int | None = Field(
        None, ge=1, lt=MAX_ID, description="one cinema; default all of the caller's"
    )
    movie_id: int | None = Field(None, ge=1, lt=MAX_ID)
    channel: Literal["miniprogram", "web"] | None = None

    @model_validator(mode="after")
    def _sane_range(self) -> ReportQuery:
        if self.end < self.start:
            raise ValueError("end comes before start")
        if (self.end - self.start).days >= MAX_RANGE_DAYS:
            raise ValueError(f"a report covers at most {MAX_RANGE_DAYS} days")
        return self


class StepOut(Answer):
    step: str
    event: str
    journeys: int = Field(description="distinct moviegoers (or devices) per day, movie and cinema")
    drop_off: float | None = Field(description="share of the previous step's journeys lost here, 0..1")


class FunnelDay(Answer):
    day: dt.date
    steps: dict[str, int]


class FunnelAnswer(Answer):
    start: dt.date
    end: dt.date
    steps: list[StepOut]
    hold_refusals: dict[str, int] = Field(description="refusal code -> holds refused")
    days: list[FunnelDay]


class VisitDayOut(Answer):
    day: dt.date
    visits: int
    visitors: int = Field(description="unique visitors that day")


class VisitsAnswer(Answer):
    start: dt.date
    end: dt.date
    days: list[VisitDayOut]


class PageDwellOut(Answer):
    page: str
    views: int
    average_dwell_ms: int


class DwellAnswer(Answer):
    start: dt.date
    end: dt.date
    pages: list[PageDwellOut]


class PaymentDayOut(Answer):
    day: dt.date
    paid: int = Field(description="orders paid that day (the orders per day)")
    failed: int


class PaymentsAnswer(Answer):
    start: dt.date
    end: dt.date
    paid: int
    failed: int
    success_rate: float | None = Field(description="paid / (paid + failed), 0..1; null with no payments")
    target_rate: float = Field(description="the service's target for the success rate")
    reasons: dict[str, int] = Field(description="failure reason -> orders")
    days: list[PaymentDayOut]


PAYMENT_SUCCESS_TARGET = 0.98


async def _filters(request: Request, principal: Principal, query: ReportQuery, *, chain: bool) -> Filters:
    """The report's filters inside the caller's scope. ``chain``: the report is not tied to
    cinemas, so it is for admins only."""
    scope = await staff_scope(request, principal)
    if chain:
        scope.require_admin("read chain-wide visits and dwell time")
    cinema_ids = scope.narrowed(query.cinema_id)
    return Filters(query.start, query.end, cinema_ids, query.movie_id, query.channel)


@endpoints.get(
    "/api/v1/staff/analytics/funnel",
    "The funnel from movie to paid, with the drop-off at each step and the refusal codes of holds",
    auth="staff",
    query=ReportQuery,
    answer=FunnelAnswer,
)
async def staff_analytics_funnel(request: Request, principal: Principal, query: ReportQuery) -> FunnelAnswer:
    filters = await _filters(request, principal, query, chain=False)
    found = await asyncio.to_thread(reports.funnel, event_store(runtime_of(request)), filters)
    return FunnelAnswer(
        start=query.start,
        end=query.end,
        steps=[
            StepOut(step=s.step, event=s.event, journeys=s.journeys, drop_off=s.drop_off) for s in found.steps
        ],
        hold_refusals=found.hold_refusals,
        days=[FunnelDay(day=day, steps=steps) for day, steps in found.by_day.items()],
    )


@endpoints.get(
    "/api/v1/staff/analytics/visits",
    "Visits and unique visitors per day (platform admins)",
    auth="staff",
    query=ReportQuery,
    answer=VisitsAnswer,
    errors=(403,),
)
async def staff_analytics_visits(request: Request, principal: Principal, query: ReportQuery) -> VisitsAnswer:
    filters = await _filters(request, principal, query, chain=True)
    days = await asyncio.to_thread(reports.visits, event_store(runtime_of(request)), filters)
    return VisitsAnswer(
        start=query.start,
        end=query.end,
        days=[VisitDayOut(day=d.day, visits=d.visits, visitors=d.visitors) for d in days],
    )


@endpoints.get(
    "/api/v1/staff/analytics/dwell",
    "Page views and average time on each page (platform admins)",
    auth="staff",
    query=ReportQuery,
    answer=DwellAnswer,
    errors=(403,),
)
async def staff_analytics_dwell(request: Request, principal: Principal, query: ReportQuery) -> DwellAnswer:
    filters = await _filters(request, principal, query, chain=True)
    pages = await asyncio.to_thread(reports.dwell, event_store(runtime_of(request)), filters)
    return DwellAnswer(
        start=query.start,
        end=query.end,
        pages=[PageDwellOut(page=p.page, views=p.views, average_dwell_ms=p.average_dwell_ms) for p in pages],
    )


@endpoints.get(
    "/api/v1/staff/analytics/payments",
    "Payment success rate, failure reasons and orders paid per day",
    auth="staff",
    query=ReportQuery,
    answer=PaymentsAnswer,
)
async def staff_analytics_payments(
    request: Request, principal: Principal, query: ReportQuery
) -> PaymentsAnswer:
    filters = await _filters(request, principal, query, chain=False)
    found = await asyncio.to_thread(reports.payments, event_store(runtime_of(request)), filters)
    return PaymentsAnswer(
        start=query.start,
        end=query.end,
        paid=found.paid,
        failed=found.failed,
        success_rate=found.success_rate,
        target_rate=PAYMENT_SUCCESS_TARGET,
        reasons=found.reasons,
        days=[PaymentDayOut(day=d.day, paid=d.paid, failed=d.failed) for d in found.by_day],
    )


# --------------------------------------------------------------------------- response times


class LatencyQuery(StaffQuery):
    start: Day = Field(description="first local date")
    end: Day = Field(description="last local date (inclusive)")
    by: Literal["day", "hour"] = Field("day", description=f"periods; by hour at most {MAX_HOURLY_DAYS} days")
    route: str | None = Field(
        None, min_length=1, max_length=200, description='one route, e.g. "GET /api/v1/movies"; default all'
    )

    @model_validator(mode="after")
    def _sane_range(self) -> LatencyQuery:
        if self.end < self.start:
            raise ValueError("end comes before start")
        longest = MAX_HOURLY_DAYS if self.by == "hour" else MAX_RANGE_DAYS
        if (self.end - self.start).days >= longest:
            raise ValueError(f"a report by {self.by} covers at most {longest} days")
        return self


class LatencyFigures(Answer):
    requests: int
    average_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


class RouteLatencyOut(LatencyFigures):
    route: str = Field(description='method and route template, e.g. "GET /api/v1/showtimes/{id}/seats"')


class PeriodLatencyOut(LatencyFigures):
    at: dt.datetime = Field(description="the day's or hour's start, in the analytics time zone")


class LatencyAnswer(Answer):
    start: dt.date
    end: dt.date
    by: str
    route: str | None
    target_average_ms: float = Field(description="the service's target for the average response time")
    overall: LatencyFigures = Field(description="the whole range, of the route asked for or of all")
    routes: list[RouteLatencyOut] = Field(description=f"the {TOP_ROUTES} busiest routes, busiest first")
    periods: list[PeriodLatencyOut] = Field(description="each day or hour that had requests")


def _figures(summary: Summary) -> dict[str, float | int | None]:
    return {
        "requests": summary.requests,
        "average_ms": summary.average_ms,
        "p50_ms": summary.p50_ms,
        "p95_ms": summary.p95_ms,
        "p99_ms": summary.p99_ms,
    }


@endpoints.get(
    "/api/v1/staff/analytics/latency",
    "Response times per route (p50 / p95 / p99, average) by day or hour, all workers (platform admins)",
    auth="staff",
    query=LatencyQuery,
    answer=LatencyAnswer,
    errors=(403,),
)
async def staff_analytics_latency(
    request: Request, principal: Principal, query: LatencyQuery
) -> LatencyAnswer:
    scope = await staff_scope(request, principal)
    scope.require_admin("read the service's response times")
    runtime = runtime_of(request)
    found = await asyncio.to_thread(
        reports.latency,
        event_store(runtime),
        query.start,
        query.end,
        by=query.by,
        route=query.route,
        top=TOP_ROUTES,
    )
    zone = ZoneInfo(runtime.settings.analytics_timezone)
    return LatencyAnswer(
        start=query.start,
        end=query.end,
        by=query.by,
        route=query.route,
        target_average_ms=TARGET_AVERAGE_MS,
        overall=LatencyFigures(**_figures(found.overall)),
        routes=[RouteLatencyOut(route=r.route, **_figures(r.figures)) for r in found.routes],
        periods=[
            PeriodLatencyOut(at=p.start.replace(tzinfo=zone), **_figures(p.figures)) for p in found.periods
        ],
    )
