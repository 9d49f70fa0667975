"""Odd input at the edge: ids, numbers, cursors and dates out of bounds are refused with a 4xx in
the error shape (never a 500, never a change); bodies are typed strictly; layout routes take the
largest hall; a 405 names the methods allowed."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import orjson
import pytest

from seatcore.domain.layout import grid_layout
from tests.staff.conftest import TwoCinemas

UNICODE_DIGITS = ("²", "٣", "１")  # str.isdigit() takes them all; int() reads two of them
HUGE = "9" * 23
MAX_INT = 2**63 - 1


def cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")  # any size


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code, response.text


async def test_hold_ids_of_unicode_digits_or_past_64_bits_are_not_found(
    client: httpx.AsyncClient, two: TwoCinemas
) -> None:
    for showtime in (*UNICODE_DIGITS, HUGE, str(2**63), "1" * 5000):
        hold_id = f"{showtime}-0123456789abcdef"
        path = f"/api/v1/holds/{hold_id}"
        assert_refused(await client.get(path, headers=two.moviegoer), 404, "not_found")
        assert_refused(await client.post(f"{path}/extend", headers=two.moviegoer), 404, "not_found")
        assert_refused(await client.delete(path, headers=two.moviegoer), 404, "not_found")


async def test_path_ids_of_any_length_are_not_found(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    for value in (HUGE, "1" * 5000, str(2**53)):
        assert_refused(await client.get(f"/api/v1/cinemas/{value}"), 404, "not_found")
        response = await client.get(f"/api/v1/staff/showtimes/{value}", headers=two.admin)
        assert_refused(response, 404, "not_found")


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/v1/me/favourites", ("2030-01-01T00:00:00", 2**63)),
        ("/api/v1/me/favourites", ("9999-12-31T00:00:00", 1)),
        ("/api/v1/movies", (2**63, 1)),
        ("/api/v1/staff/audit", (2**63,)),
        ("/api/v1/staff/audit", (-1,)),
        ("/api/v1/staff/movies", (1, 2**64)),
        ("/api/v1/staff/orders", ("0001-01-01T00:00:00", "1-ab")),
        ("/api/v1/staff/orders", ("2030-01-01T00:00:00", "x" * 500)),
    ],
)
async def test_cursors_out_of_bounds_are_refused(
    client: httpx.AsyncClient, two: TwoCinemas, path: str, key: tuple[Any, ...]
) -> None:
    headers = two.admin if "/staff/" in path else two.moviegoer
    response = await client.get(path, params={"cursor": cursor(*key)}, headers=headers)
    assert_refused(response, 422, "validation_failed")


async def test_far_dates_are_refused_by_the_staff_api(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    cinema = two.a.cinema_id
    for day in ("9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"):
        queries = [
            ("/api/v1/staff/showtimes", {"cinema_id": cinema, "start": day}),
            ("/api/v1/staff/orders", {"date": day}),
            ("/api/v1/staff/boxoffice/summary", {"start": day, "end": day}),
        ]
        for path, params in queries:
            assert_refused(await client.get(path, params=params, headers=two.admin), 422, "validation_failed")
    new = {"hall_id": two.a.hall_id, "movie_id": two.a.movie_id, "prices": {"standard": 5000}}
    for moment in ("9999-12-31T20:00:00+08:00", "0001-01-01T00:00:00+00:00", "2101-01-01T00:00:00+08:00"):
        created = await client.post(
            "/api/v1/staff/showtimes", json={**new, "starts_at": moment}, headers=two.admin
        )
        assert_refused(created, 422, "validation_failed")
        moved = await client.patch(
            f"/api/v1/staff/showtimes/{two.a.showtime_id}", json={"starts_at": moment}, headers=two.admin
        )
        assert_refused(moved, 422, "validation_failed")
    schedule = await client.get(
        "/api/v1/staff/showtimes", params={"cinema_id": cinema, "start": "2100-12-31"}, headers=two.admin
    )
    assert schedule.status_code == 200, schedule.text  # the last day of the window still works


async def test_bodies_are_typed_strictly(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    holds = f"/api/v1/showtimes/{two.a.showtime_id}/holds"
    for body in ({"best": True}, {"best": "1"}, {"best": 1.5}, {"best": 1, "accessible": "yes"}):
        assert_refused(await client.post(holds, json=body, headers=two.moviegoer), 422, "validation_failed")
    seats = await client.get(f"/api/v1/showtimes/{two.a.showtime_id}/seats")
    assert set(seats.json()["states"].values()) == {"free"}  # nothing was held
    movie = {"title": "Strict", "duration_min": 90}
    for wrong in ({"duration_min": "90"}, {"duration_min": True}, {"score": "7"}, {"release_date": 20300101}):
        response = await client.post("/api/v1/staff/movies", json={**movie, **wrong}, headers=two.admin)
        assert_refused(response, 422, "validation_failed")
    # JSON has one kind of number: 90.0 is the integer 90, as JSON Schema and the document say.
    made = await client.post("/api/v1/staff/movies", json={**movie, "duration_min": 90.0}, headers=two.admin)
    assert made.status_code == 201, made.text
    assert made.json()["duration_min"] == 90
    cinema = {"name": "Strict", "city": "Shanghai", "sales_close_before_min": "10"}
    assert_refused(
        await client.post("/api/v1/staff/cinemas", json=cinema, headers=two.admin), 422, "validation_failed"
    )


async def test_null_is_refused_where_the_document_does_not_allow_it(
    client: httpx.AsyncClient, two: TwoCinemas, app: Any
) -> None:
    schema = app.state.openapi["components"]["schemas"]["MovieFields"]["properties"]
    assert "anyOf" not in schema["title"] and schema["title"]["type"] == "string"
    assert {"type": "null"} in schema["score"]["anyOf"]  # null clears the score
    movie = await client.post(
        "/api/v1/staff/movies", json={"title": "N", "duration_min": 90}, headers=two.admin
    )
    path = f"/api/v1/staff/movies/{movie.json()['id']}"
    assert_refused(
        await client.patch(path, json={"title": None}, headers=two.admin), 422, "validation_failed"
    )
    cleared = await client.patch(path, json={"score": None}, headers=two.admin)
    assert cleared.status_code == 200, cleared.text


async def test_a_two_thousand_seat_hall_goes_through_the_console_api(
    client: httpx.AsyncClient, two: TwoCinemas, app: Any
) -> None:
    layout = grid_layout(40, 50, aisles=(25,))  # 40 rows of 49 seats and an aisle: 1,960 seats
    wider = grid_layout(50, 50, aisles=(25,))  # 2,450 seats
    body = orjson.dumps({"name": "IMAX", "layout": layout})
    assert len(body) > app.state.runtime.settings.max_body_bytes
    created = await client.post(
        f"/api/v1/staff/cinemas/{two.a.cinema_id}/halls",
        content=body,
        headers={**two.admin, "Content-Type": "application/json"},
    )
    assert created.status_code == 201, created.text[:300]
    assert created.json()["seat_count"] == 40 * 49
    hall = created.json()["id"]
    patched = await client.patch(f"/api/v1/staff/halls/{hall}", json={"layout": wider}, headers=two.admin)
    assert patched.status_code == 200, patched.text[:300]
    assert patched.json()["seat_count"] == 50 * 49
    checked = await client.post("/api/v1/staff/layouts/validate", json={"layout": wider}, headers=two.admin)
    assert checked.status_code == 200 and checked.json()["seat_count"] == 50 * 49
    # The larger limit is for layouts only, and it is a limit all the same.
    big_reason = {"reason": "x" * app.state.runtime.settings.max_body_bytes}
    refund = await client.post(
        "/api/v1/staff/orders/1-0123456789abcd/refund", json=big_reason, headers=two.admin
    )
    assert_refused(refund, 413, "payload_too_large")
    limit = app.state.runtime.settings.max_layout_body_bytes
    padded = {"name": "Huge", "layout": {**layout, "note": "x" * limit}}
    too_big = await client.post(
        f"/api/v1/staff/cinemas/{two.a.cinema_id}/halls", json=padded, headers=two.admin
    )
    assert_refused(too_big, 413, "payload_too_large")


async def test_a_405_names_the_methods_allowed(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    for method, path, allowed in (
        ("TRACE", "/api/v1/staff/movies", {"GET", "HEAD", "POST"}),
        ("PUT", f"/api/v1/staff/showtimes/{two.a.showtime_id}", {"GET", "HEAD", "PATCH"}),
        ("DELETE", "/api/v1/openapi.json", {"GET", "HEAD"}),
        ("POST", "/index.html", {"GET", "HEAD"}),
    ):
        response = await client.request(method, path, headers=two.admin)
        assert_refused(response, 405, "method_not_allowed")
        assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed, (method, path)


async def test_a_query_parameter_given_twice_is_refused(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    response = await client.get("/api/v1/staff/audit?limit=1&limit=100", headers=two.admin)
    assert_refused(response, 422, "validation_failed")
    assert response.json()["error"]["details"]["problems"] == [
        {"field": "limit", "problem": "given more than once"}
    ]
    assert (await client.get("/api/v1/movies?limit=2&q=")).status_code == 200  # ?q= : as if left out
