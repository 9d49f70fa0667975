"""Response times per route: the histogram's buckets and percentiles, two workers' histograms merged
in the store, and the staff report over real requests through the app."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from starlette.applications import Starlette

from seatcore.analytics import reports
from seatcore.analytics.background import latency_recorder
from seatcore.analytics.latency import LatencyRecorder
from seatcore.analytics.store import EventStore
from seatcore.domain.latency import (
    BUCKETS,
    bucket_of,
    lower_edge_ms,
    quantile_ms,
    summarize,
    upper_edge_ms,
)
from seatcore.settings import Settings
from tests.analytics.conftest import store_of
from tests.orders.conftest import Shop
from tests.staff.conftest import StaffHeaders

ZONE = "Asia/Shanghai"


def test_every_duration_falls_inside_its_bucket() -> None:
    for ms in (0.0, 0.2, 0.5, 0.51, 1.0, 7.3, 99.9, 100.0, 1000.0, 45_000.0):
        bucket = bucket_of(ms)
        assert lower_edge_ms(bucket) <= ms <= upper_edge_ms(bucket), ms
    assert bucket_of(10 * 60 * 1000.0) == BUCKETS  # ten minutes: the overflow bucket


def test_percentiles_of_known_distributions() -> None:
    # 1..1000 ms, each once: the true p50, p95, p99 are 500, 950, 990; buckets are 20% wide.
    counts: dict[int, int] = {}
    for ms in range(1, 1001):
        counts[bucket_of(ms)] = counts.get(bucket_of(ms), 0) + 1
    for q, true in ((0.5, 500), (0.95, 950), (0.99, 990)):
        found = quantile_ms(counts, q)
        assert found is not None and abs(found - true) / true < 0.1, (q, found)
    # A fast route with a slow tail: 990 answers of 10 ms and 10 of 2 s.
    tail = {bucket_of(10.0): 990, bucket_of(2000.0): 10}
    assert quantile_ms(tail, 0.5) == pytest.approx(10, rel=0.2)
    assert quantile_ms(tail, 0.995) == pytest.approx(2000, rel=0.2)
    assert quantile_ms({}, 0.5) is None
    figures = summarize([(bucket_of(10.0), 990, 9900.0), (bucket_of(2000.0), 10, 20_000.0)])
    assert figures.requests == 1000 and figures.average_ms == pytest.approx(29.9)


def test_two_workers_histograms_add_up(tmp_path: Path) -> None:
    """Each worker flushes its own histogram; the report is that of every request of both."""
    store = EventStore(tmp_path / "a.duckdb")
    rng = random.Random(7)
    durations = {"GET /api/v1/movies": [rng.uniform(1, 30) for _ in range(2000)]}
    durations["POST /api/v1/orders"] = [rng.uniform(50, 400) for _ in range(500)]
    workers = [LatencyRecorder(ZONE), LatencyRecorder(ZONE)]
    for route, values in durations.items():
        method, template = route.split(" ")
        for n, ms in enumerate(values):
            workers[n % 2].observe(method, template, template, ms / 1000)
    for worker in workers:
        worker.observe("GET", "/healthz", "/healthz", 0.001)  # probes are not measured
        store.append_latency(worker.take())
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    found = reports.latency(store, today - dt.timedelta(days=1), today, by="day", route=None, top=10)
    assert [r.route for r in found.routes] == ["GET /api/v1/movies", "POST /api/v1/orders"]
    assert found.overall.requests == 2500
    for got in found.routes:
        values = sorted(durations[got.route])
        assert got.figures.requests == len(values)
        assert got.figures.average_ms == pytest.approx(sum(values) / len(values), abs=0.01)
        true_p95 = values[int(0.95 * len(values)) - 1]
        assert got.figures.p95_ms == pytest.approx(true_p95, rel=0.1)
    one = reports.latency(store, today, today, by="hour", route="POST /api/v1/orders", top=10)
    assert one.overall.requests == 500
    assert sum(p.figures.requests for p in one.periods) == 500
    assert store.drop_before(today + dt.timedelta(days=1)) == 0  # no events, but the latency goes
    assert reports.latency(store, today, today, by="day", route=None, top=10).overall.requests == 0


def test_a_failed_flush_keeps_the_counts(tmp_path: Path) -> None:
    recorder = LatencyRecorder(ZONE)
    recorder.observe("GET", "/api/v1/movies", "/api/v1/movies", 0.004)
    rows = recorder.take()
    recorder.put_back(rows)
    recorder.observe("GET", "/api/v1/movies", "/api/v1/movies", 0.004)
    (again,) = recorder.take()
    assert again["requests"] == 2


async def test_the_report_measures_real_requests(
    app: Starlette, shop: Shop, staff_headers: StaffHeaders, settings: Settings
) -> None:
    show = await shop.show()
    for _ in range(12):
        assert (await shop.client.get("/api/v1/movies")).status_code == 200
    for _ in range(5):
        seats = await shop.client.get(f"/api/v1/showtimes/{show.showtime_id}/seats")
        assert seats.status_code == 200
    await latency_recorder(app.state.runtime).flush(store_of(app))

    admin = await staff_headers("root", role="admin")
    today = dt.datetime.now(ZoneInfo(settings.analytics_timezone)).date().isoformat()
    answer = await shop.client.get(
        "/api/v1/staff/analytics/latency", params={"start": today, "end": today}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    routes = {r["route"]: r for r in body["routes"]}
    assert routes["GET /api/v1/movies"]["requests"] >= 12
    seat_map = routes["GET /api/v1/showtimes/{id}/seats"]
    assert seat_map["requests"] >= 5
    assert 0 < seat_map["p50_ms"] <= seat_map["p95_ms"] <= seat_map["p99_ms"]
    assert body["target_average_ms"] == 1000
    (day,) = body["periods"]
    assert day["at"].startswith(today) and day["requests"] == body["overall"]["requests"]

    hourly = await shop.client.get(
        "/api/v1/staff/analytics/latency",
        params={"start": today, "end": today, "by": "hour", "route": "GET /api/v1/movies"},
        headers=admin,
    )
    assert hourly.status_code == 200, hourly.text
    periods = hourly.json()["periods"]
    assert periods and all(p["at"].endswith(":00:00+08:00") for p in periods)
    assert sum(p["requests"] for p in periods) == routes["GET /api/v1/movies"]["requests"]

    staff = await staff_headers("anna", cinemas=(show.cinema_id,))
    refused = await shop.client.get(
        "/api/v1/staff/analytics/latency", params={"start": today, "end": today}, headers=staff
    )
    assert refused.status_code == 403
    long = await shop.client.get(
        "/api/v1/staff/analytics/latency",
        params={"start": "2026-01-01", "end": "2026-03-01", "by": "hour"},
        headers=admin,
    )
    assert long.status_code == 422
