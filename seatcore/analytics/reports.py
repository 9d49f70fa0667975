"""The operations reports, read from the daily rollups (seatcore.analytics.store): the funnel with
its drop-offs and the refusal codes behind the hold step, visits, dwell per page, payment success
with the failure reasons, orders per day; and the service's response times per route, read from
its own histograms. Blocking calls; the API runs them in a thread after
``EventStore.refresh``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from seatcore.analytics.store import EventStore, Filters
from seatcore.domain.analytics import (
    FUNNEL,
    FUNNEL_EVENTS,
    HOLD_REFUSED,
    ORDER_PAID,
    PAGE_VIEW,
    PAYMENT_FAILED,
    SNACK_ORDER_PAID,
    drop_offs,
)
from seatcore.domain.latency import Summary, summarize


@dataclass(frozen=True, slots=True)
class Step:
    step: str
    event: str
    journeys: int
    drop_off: float | None  # share of the previous step's journeys that did not get here


@dataclass(frozen=True, slots=True)
class Funnel:
    steps: list[Step]
    hold_refusals: dict[str, int]  # refusal code -> refusals
    by_day: dict[dt.date, dict[str, int]]  # day -> step -> journeys


@dataclass(frozen=True, slots=True)
class VisitDay:
    day: dt.date
    visits: int
    visitors: int


@dataclass(frozen=True, slots=True)
class PageDwell:
    page: str
    views: int
    average_dwell_ms: int


@dataclass(frozen=True, slots=True)
class PaymentDay:
    day: dt.date
    paid: int
    failed: int


@dataclass(frozen=True, slots=True)
class Payments:
    paid: int
    failed: int
    success_rate: float | None  # paid / (paid + failed); None with no attempts
    reasons: dict[str, int]  # failure reason -> orders
    by_day: list[PaymentDay]


def funnel(store: EventStore, filters: Filters) -> Funnel:
    where, params = filters.where()
    names = ", ".join("?" * len(FUNNEL_EVENTS))
    rows = store.query(
        f"SELECT day, name, sum(journeys) FROM daily WHERE {where} AND name IN ({names}) GROUP BY day, name",
        [*params, *FUNNEL_EVENTS],
    )
    labels = {event: label for label, event in FUNNEL}
    totals = dict.fromkeys(FUNNEL_EVENTS, 0)
    by_day: dict[dt.date, dict[str, int]] = {}
    for day, name, journeys in rows:
        totals[name] += int(journeys)
        by_day.setdefault(day, dict.fromkeys(labels.values(), 0))[labels[name]] = int(journeys)
    counts = [totals[event] for event in FUNNEL_EVENTS]
    drops = [None, *drop_offs(counts)]
    steps = [
        Step(label, event, totals[event], drop) for (label, event), drop in zip(FUNNEL, drops, strict=True)
    ]
    refusals = store.query(
        f"SELECT coalesce(code, 'unknown'), sum(events) FROM daily WHERE {where} AND name = ? "
        "GROUP BY 1 ORDER BY 2 DESC",
        [*params, HOLD_REFUSED],
    )
    return Funnel(steps, {str(code): int(n) for code, n in refusals}, dict(sorted(by_day.items())))


def visits(store: EventStore, filters: Filters) -> list[VisitDay]:
    """Visits and unique visitors per day (cinema and movie do not apply: a visit has neither)."""
    where, params = filters.where(dims=False)
    rows = store.query(
        f"SELECT day, sum(visits), sum(visitors) FROM daily_visits WHERE {where} GROUP BY day ORDER BY day",
        params,
    )
    return [VisitDay(day, int(v), int(u)) for day, v, u in rows]


def dwell(store: EventStore, filters: Filters) -> list[PageDwell]:
    where, params = filters.where(dims=False)
    rows = store.query(
        f"SELECT page, sum(events), sum(dwell_ms) FROM daily WHERE {where} AND name = ? "
        "GROUP BY page ORDER BY 2 DESC",
        [*params, PAGE_VIEW],
    )
    return [PageDwell(str(page), int(n), int(total) // int(n) if n else 0) for page, n, total in rows]


def payments(store: EventStore, filters: Filters) -> Payments:
    where, params = filters.where()
    rows = store.query(
        f"SELECT day, name, sum(orders) FROM daily WHERE {where} AND name IN (?, ?, ?) GROUP BY day, name "
        "ORDER BY day",
        [*params, ORDER_PAID, SNACK_ORDER_PAID, PAYMENT_FAILED],
    )
    days: dict[dt.date, list[int]] = {}
    for day, name, orders in rows:  # payments of every order, snacks alone too
        days.setdefault(day, [0, 0])[1 if name == PAYMENT_FAILED else 0] += int(orders)
    paid = sum(p for p, _ in days.values())
    failed = sum(f for _, f in days.values())
    reasons = store.query(
        f"SELECT coalesce(code, 'unknown'), sum(orders) FROM daily WHERE {where} AND name = ? "
        "GROUP BY 1 ORDER BY 2 DESC",
        [*params, PAYMENT_FAILED],
    )
    return Payments(
        paid=paid,
        failed=failed,
        success_rate=round(paid / (paid + failed), 4) if paid + failed else None,
        reasons={str(code): int(n) for code, n in reasons},
        by_day=[PaymentDay(day, p, f) for day, (p, f) in sorted(days.items())],
    )


@dataclass(frozen=True, slots=True)
class RouteLatency:
    route: str
    figures: Summary


@dataclass(frozen=True, slots=True)
class PeriodLatency:
    start: dt.datetime  # local wall clock: the day's midnight or the hour's start
    figures: Summary


@dataclass(frozen=True, slots=True)
class Latency:
    overall: Summary
    routes: list[RouteLatency]  # the busiest first
    periods: list[PeriodLatency]


def latency(
    store: EventStore, start: dt.date, end: dt.date, *, by: str, route: str | None, top: int
) -> Latency:
    """Response times over local days ``start``..``end``: per route (the ``top`` busiest), and per
    day or hour (``by``) of one route or of all of them, each from merged histograms."""
    period = "CAST(day AS TIMESTAMP)" if by == "day" else "hour"
    where = "day BETWEEN ? AND ?"
    params: list[Any] = [start, end]
    per_route = store.query(
        f"SELECT route, bucket, sum(requests), sum(total_ms) FROM latency WHERE {where} "
        "GROUP BY route, bucket",
        params,
    )
    if route is not None:
        where, params = where + " AND route = ?", [*params, route]
    per_period = store.query(
        f"SELECT {period}, bucket, sum(requests), sum(total_ms) FROM latency WHERE {where} GROUP BY 1, 2",
        params,
    )
    routes = [RouteLatency(name, summarize(rows)) for name, rows in _grouped(per_route).items()]
    routes.sort(key=lambda r: (-r.figures.requests, r.route))
    return Latency(
        overall=summarize((b, int(n), float(ms)) for _p, b, n, ms in per_period),
        routes=routes[:top],
        periods=[PeriodLatency(at, summarize(rows)) for at, rows in sorted(_grouped(per_period).items())],
    )


def _grouped(rows: list[tuple[Any, ...]]) -> dict[Any, list[tuple[int, int, float]]]:
    groups: dict[Any, list[tuple[int, int, float]]] = {}
    for key, bucket, n, ms in rows:
        groups.setdefault(key, []).append((int(bucket), int(n), float(ms)))
    return groups
