"""The DuckDB event store on its own: rollups that follow late events, retention, and a moviegoer's
events forgotten with their account."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from seatcore.analytics import reports
from seatcore.analytics.background import retention_cutoff
from seatcore.analytics.store import COLUMNS, EventStore, Filters
from seatcore.domain.analytics import actor
from seatcore.settings import Settings

DAY = dt.date(2026, 11, 20)


def row(
    name: str, day: dt.date, *, user_id: int | None = None, device: str | None = None, **extra: Any
) -> dict[str, Any]:
    moment = dt.datetime.combine(day, dt.time(12), dt.UTC)
    values = {column: None for column in COLUMNS}
    values.update(
        day=day.isoformat(),
        ts=int(moment.timestamp() * 1000),
        name=name,
        source="client",
        channel="web",
        device=device,
        user_id=user_id,
        actor=actor(user_id, device),
        visit=f"v-{device or user_id}",
    )
    values.update(extra)
    return values


def test_late_events_change_the_rolled_up_day(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "a.duckdb")
    store.append([row("movie_opened", DAY, device="d1", movie_id=1)])
    store.refresh()
    whole = Filters(DAY, DAY)
    assert reports.funnel(store, whole).steps[0].journeys == 1
    store.append([row("movie_opened", DAY, device="d2", movie_id=1)])  # arrives after the rollup
    assert store.refresh() == 1
    assert reports.funnel(store, whole).steps[0].journeys == 2
    assert store.refresh() == 0  # nothing new: nothing recomputed


def test_retention_drops_old_days(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "a.duckdb")
    store.append(
        [row("page_view", DAY - dt.timedelta(days=d), device="d1", page="p", dwell_ms=10) for d in range(5)]
    )
    store.refresh()
    assert store.drop_before(DAY - dt.timedelta(days=1)) == 3
    assert store.count_events() == 2
    days = [v.day for v in reports.visits(store, Filters(DAY - dt.timedelta(days=10), DAY))]
    assert days == [DAY - dt.timedelta(days=1), DAY]


def test_retention_is_a_setting(tmp_path: Path) -> None:
    settings = Settings(analytics_retention_days=30, data_dir=tmp_path)
    assert retention_cutoff(settings, DAY) == DAY - dt.timedelta(days=29)


def test_a_moviegoers_events_go_with_their_account(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "a.duckdb")
    store.append(
        [
            row("movie_opened", DAY, device="phone-a", movie_id=1),  # before signing in: same device
            row("showtimes_opened", DAY, device="phone-a", user_id=5, movie_id=1),
            row("hold_granted", DAY, user_id=5, movie_id=1, source="server"),
            row("movie_opened", DAY, device="phone-b", user_id=6, movie_id=1),
        ]
    )
    store.refresh()
    assert store.forget_user(5) == 3
    left = store.query("SELECT user_id, device FROM events", [])
    assert left == [(6, "phone-b")]
    steps = {s.step: s.journeys for s in reports.funnel(store, Filters(DAY, DAY)).steps}
    assert steps["movie"] == 1 and steps["showtimes"] == 0 and steps["hold"] == 0


def test_the_store_is_shared_by_two_handles(tmp_path: Path) -> None:
    """Two workers open the same file in turn (each use takes the lock), never at once."""
    first, second = EventStore(tmp_path / "a.duckdb"), EventStore(tmp_path / "a.duckdb")
    first.append([row("page_view", DAY, device="d1", page="p", dwell_ms=10)])
    second.append([row("page_view", DAY, device="d2", page="p", dwell_ms=30)])
    second.refresh()
    assert first.count_events() == 2
    assert reports.dwell(first, Filters(DAY, DAY))[0].average_dwell_ms == 20
