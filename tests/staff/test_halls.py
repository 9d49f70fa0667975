"""Halls and seat layouts: validation through parse_layout, editing, and sold seats kept."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from seatcore.domain.layout import grid_layout
from seatcore.runtime import Runtime
from tests.conftest import Login
from tests.staff.conftest import TwoCinemas
from tests.staff.sales import sell


async def test_layout_validation_lists_the_problems(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    good = grid_layout(3, 6, aisles=(3,), couple_rows=(2,), wheelchair=((0, 0),), zones={1: "premium"})
    checked = await client.post("/api/v1/staff/layouts/validate", headers=two.staff_a, json={"layout": good})
    assert checked.status_code == 200, checked.text
    assert checked.json()["seat_count"] == 15
    assert checked.json()["zones"] == ["couple", "premium", "standard"]

    bad = grid_layout(2, 4)
    bad["rows"][0]["seats"][0].update(type="couple")  # a couple seat without its pair
    bad["rows"][1]["seats"][1]["col"] = 0  # two seats in one column
    refused = await client.post("/api/v1/staff/layouts/validate", headers=two.staff_a, json={"layout": bad})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "layout_invalid"
    assert len(error["details"]["problems"]) == 2
    assert any("A-1" in problem for problem in error["details"]["problems"])

    creating = await client.post(
        f"/api/v1/staff/cinemas/{two.a.cinema_id}/halls",
        headers=two.staff_a,
        json={"name": "Bad", "layout": bad},
    )
    assert creating.status_code == 422
    halls = (await client.get(f"/api/v1/staff/cinemas/{two.a.cinema_id}/halls", headers=two.staff_a)).json()
    assert [h["name"] for h in halls["items"]] == ["Hall 1"]


async def test_hall_names_are_unique_per_cinema(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    body = {"name": "Hall 1", "layout": grid_layout(2, 2)}
    taken = await client.post(
        f"/api/v1/staff/cinemas/{two.a.cinema_id}/halls", headers=two.staff_a, json=body
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "hall_name_taken"


async def test_layout_edit_reaches_the_catalogue(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    public = f"/api/v1/showtimes/{two.a.showtime_id}"
    assert (await client.get(public)).json()["seat_count"] == 50  # cached now
    edited = await client.patch(
        f"/api/v1/staff/halls/{two.a.hall_id}",
        headers=two.staff_a,
        json={"name": "Hall One", "layout": grid_layout(3, 4, zones={0: "front"})},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["seat_count"] == 12 and edited.json()["zones"] == ["front", "standard"]
    assert (await client.get(public)).json()["seat_count"] == 12


async def test_layout_must_keep_seats_sold_ahead(
    client: httpx.AsyncClient, two: TwoCinemas, runtime: Runtime
) -> None:
    await sell(runtime.db, two.a.showtime_id, ["E-10"], paid_at=datetime.now(UTC))
    refused = await client.patch(
        f"/api/v1/staff/halls/{two.a.hall_id}", headers=two.staff_a, json={"layout": grid_layout(3, 4)}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "layout_in_use"
    assert refused.json()["error"]["details"]["seats"] == ["E-10"]
    hall = (await client.get(f"/api/v1/staff/halls/{two.a.hall_id}", headers=two.staff_a)).json()
    assert hall["seat_count"] == 50
    keeps_it = grid_layout(5, 10, zones={0: "front"})
    assert (
        await client.patch(
            f"/api/v1/staff/halls/{two.a.hall_id}", headers=two.staff_a, json={"layout": keeps_it}
        )
    ).status_code == 200


async def test_a_layout_edit_reaches_a_seat_map_already_on_sale(
    client: httpx.AsyncClient, two: TwoCinemas, login: Login
) -> None:
    seats = f"/api/v1/showtimes/{two.a.showtime_id}/seats"
    before = (await client.get(seats)).json()  # the showtime's state is in Redis from here on
    assert len(before["states"]) == 50
    held = await client.post(
        f"/api/v1/showtimes/{two.a.showtime_id}/holds", headers=two.moviegoer, json={"seats": ["A-1", "A-2"]}
    )
    assert held.status_code == 201, held.text
    edited = await client.patch(
        f"/api/v1/staff/halls/{two.a.hall_id}", headers=two.staff_a, json={"layout": grid_layout(3, 4)}
    )
    assert edited.status_code == 200, edited.text
    after = (await client.get(seats, headers=two.moviegoer)).json()
    assert after["epoch"] != before["epoch"]  # every open seat map resyncs
    assert len(after["states"]) == 12 and len(after["layout"]["rows"]) == 3
    assert after["mine"] == ["A-1", "A-2"]  # the hold's seats are still in the hall: it lives on
    gone = await client.post(
        f"/api/v1/showtimes/{two.a.showtime_id}/holds", headers=await login("leo"), json={"seats": ["E-1"]}
    )
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
