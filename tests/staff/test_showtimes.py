"""Scheduling: clashes with the cleaning gap, moves, prices, the sales switch, cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from seatcore.runtime import Runtime
from tests.factories import make_show
from tests.staff.conftest import TwoCinemas

GAP_MIN = 15  # the default cleaning gap


def _new(two: TwoCinemas, starts_at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "hall_id": two.a.hall_id,
        "movie_id": two.a.movie_id,
        "starts_at": starts_at.isoformat(),
        "language": "English",
        "prices": {"standard": 5000},
        **extra,
    }


async def test_schedule_respects_the_cleaning_gap(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    existing_end = two.a.starts_at + timedelta(minutes=120)  # the fixture film runs 120 minutes
    too_soon = await client.post(
        "/api/v1/staff/showtimes",
        headers=two.staff_a,
        json=_new(two, existing_end + timedelta(minutes=GAP_MIN - 1)),
    )
    assert too_soon.status_code == 409, too_soon.text
    error = too_soon.json()["error"]
    assert error["code"] == "schedule_clash"
    assert error["details"]["showtime_id"] == two.a.showtime_id
    assert error["details"]["movie_title"] == "Test Movie"
    assert error["details"]["cleaning_gap_min"] == GAP_MIN
    assert f"showtime {two.a.showtime_id}" in error["message"]

    overlapping_before = await client.post(
        "/api/v1/staff/showtimes",
        headers=two.staff_a,
        json=_new(two, two.a.starts_at - timedelta(minutes=60)),
    )
    assert overlapping_before.json()["error"]["code"] == "schedule_clash"

    just_fits = await client.post(
        "/api/v1/staff/showtimes",
        headers=two.staff_a,
        json=_new(two, existing_end + timedelta(minutes=GAP_MIN)),
    )
    assert just_fits.status_code == 201, just_fits.text
    created = just_fits.json()
    assert created["status"] == "scheduled" and created["tickets_sold"] == 0
    assert created["starts_at"].endswith("+08:00")  # the cinema's zone
    # The end follows from the film's running time, on a tidy 5-minute mark.
    start = datetime.fromisoformat(created["starts_at"])
    end = datetime.fromisoformat(created["ends_at"])
    assert end - start >= timedelta(minutes=120) and end.minute % 5 == 0 and end.second == 0


async def test_other_halls_and_cancelled_screenings_do_not_clash(
    client: httpx.AsyncClient, two: TwoCinemas, runtime: Runtime
) -> None:
    second = await client.post(
        f"/api/v1/staff/cinemas/{two.a.cinema_id}/halls",
        headers=two.staff_a,
        json={"name": "Hall 2", "layout": two.a.layout},
    )
    assert second.status_code == 201
    same_time = _new(two, two.a.starts_at, hall_id=second.json()["id"])
    assert (
        await client.post("/api/v1/staff/showtimes", headers=two.staff_a, json=same_time)
    ).status_code == 201

    cancel = await client.post(
        f"/api/v1/staff/showtimes/{two.a.showtime_id}/cancel",
        headers=two.staff_a,
        json={"reason": "projector"},
    )
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["showtime"]["status"] == "cancelled"
    assert cancel.json()["refunded"] == [] and cancel.json()["failed"] == []
    replacement = await client.post(
        "/api/v1/staff/showtimes", headers=two.staff_a, json=_new(two, two.a.starts_at)
    )
    assert replacement.status_code == 201


async def test_move_checks_the_schedule_but_not_against_itself(
    client: httpx.AsyncClient, two: TwoCinemas
) -> None:
    later = two.a.starts_at + timedelta(hours=5)
    other = await client.post("/api/v1/staff/showtimes", headers=two.staff_a, json=_new(two, later))
    other_id = other.json()["id"]

    nudged = await client.patch(
        f"/api/v1/staff/showtimes/{two.a.showtime_id}",
        headers=two.staff_a,
        json={"starts_at": (two.a.starts_at + timedelta(minutes=10)).isoformat()},
    )
    assert nudged.status_code == 200, nudged.text

    onto_other = await client.patch(
        f"/api/v1/staff/showtimes/{two.a.showtime_id}",
        headers=two.staff_a,
        json={"starts_at": (later - timedelta(minutes=30)).isoformat()},
    )
    assert onto_other.status_code == 409
    assert onto_other.json()["error"]["details"]["showtime_id"] == other_id
    unchanged = (await client.get(f"/api/v1/staff/showtimes/{two.a.showtime_id}", headers=two.staff_a)).json()
    moved_to = datetime.fromisoformat(unchanged["starts_at"])
    assert abs(moved_to - (two.a.starts_at + timedelta(minutes=10))) < timedelta(
        seconds=1
    )  # DATETIME: whole s


async def test_bad_schedule_input_is_refused(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    future = two.a.starts_at + timedelta(days=2)
    cases = [
        _new(two, datetime.now(UTC) - timedelta(hours=1)),
        _new(two, future, prices={}),
        _new(two, future, prices={"standard": 5000, "imax": 9000}),
        _new(two, future, prices={"standard": 0}),
        {**_new(two, future), "starts_at": "2030-01-01T10:00:00"},  # no UTC offset
        {**_new(two, future), "surprise": 1},
    ]
    for body in cases:
        response = await client.post("/api/v1/staff/showtimes", headers=two.staff_a, json=body)
        assert response.status_code == 422, (body, response.text)
    missing_movie = await client.post(
        "/api/v1/staff/showtimes", headers=two.staff_a, json=_new(two, future, movie_id=999999)
    )
    assert missing_movie.status_code == 404
    listed = await client.get(
        f"/api/v1/staff/showtimes?cinema_id={two.a.cinema_id}&days=14", headers=two.staff_a
    )
    assert [s["id"] for s in listed.json()["items"]] == [two.a.showtime_id]


async def test_prices_and_sales_switch_reach_the_public_catalogue(
    client: httpx.AsyncClient, two: TwoCinemas
) -> None:
    path = f"/api/v1/showtimes/{two.a.showtime_id}"
    before = (await client.get(path)).json()  # now cached
    assert before["prices"] == {"standard": 4500} and before["sales_open"] is True
    changed = await client.patch(
        f"/api/v1/staff/showtimes/{two.a.showtime_id}",
        headers=two.staff_a,
        json={"prices": {"standard": 3900}, "sales_open": False},
    )
    assert changed.status_code == 200
    assert changed.json()["selling"] is False
    after = (await client.get(path)).json()
    assert after["prices"] == {"standard": 3900} and after["sales_open"] is False


async def test_changes_are_audited(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    created = await client.post(
        "/api/v1/staff/showtimes", headers=two.staff_a, json=_new(two, two.a.starts_at + timedelta(days=1))
    )
    showtime_id = created.json()["id"]
    await client.patch(
        f"/api/v1/staff/showtimes/{showtime_id}", headers=two.staff_a, json={"sales_open": False}
    )
    await client.post(
        f"/api/v1/staff/showtimes/{showtime_id}/cancel", headers=two.staff_a, json={"reason": "storm"}
    )
    trail = (await client.get("/api/v1/staff/audit?limit=2", headers=two.staff_a)).json()
    assert [(e["action"], e["actor"]) for e in trail["items"]] == [
        ("showtime.cancel", "anna"),
        ("showtime.update", "anna"),
    ]
    assert trail["items"][0]["details"] == {"reason": "storm"}
    rest = (
        await client.get(f"/api/v1/staff/audit?limit=2&cursor={trail['next_cursor']}", headers=two.staff_a)
    ).json()
    assert [e["action"] for e in rest["items"]] == ["showtime.create"]
    assert rest["next_cursor"] is None


async def test_started_screenings_cannot_move(
    client: httpx.AsyncClient, two: TwoCinemas, runtime: Runtime
) -> None:
    started = await make_show(runtime.db, starts_in=timedelta(minutes=-10))
    admin_move = await client.patch(
        f"/api/v1/staff/showtimes/{started.showtime_id}",
        headers=two.admin,
        json={"starts_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()},
    )
    assert admin_move.status_code == 409
    assert admin_move.json()["error"]["code"] == "showtime_started"
