"""Movies and cinemas from the console: writes reach the public catalogue at once (cache dropped)."""

from __future__ import annotations

import httpx

from tests.staff.conftest import TwoCinemas


async def test_admin_adds_and_edits_a_movie(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    before = (await client.get("/api/v1/movies")).json()["items"]  # cached now
    created = await client.post(
        "/api/v1/staff/movies",
        headers=two.admin,
        json={"title": "Night Train", "duration_min": 104, "genres": ["thriller", "drama"], "score": 8.4},
    )
    assert created.status_code == 201, created.text
    movie = created.json()
    assert movie["genres"] == ["thriller", "drama"] and movie["score"] == 8.4
    after = (await client.get("/api/v1/movies")).json()["items"]
    assert len(after) == len(before) + 1

    patched = await client.patch(
        f"/api/v1/staff/movies/{movie['id']}", headers=two.admin, json={"status": "coming", "score": None}
    )
    assert patched.json()["status"] == "coming" and patched.json()["score"] is None
    assert (await client.get(f"/api/v1/movies/{movie['id']}")).json()["status"] == "coming"
    for bad in ({"title": None}, {"genres": ["a,b"]}, {"duration_min": 0}, {"hot_rank": -1}):
        response = await client.patch(f"/api/v1/staff/movies/{movie['id']}", headers=two.admin, json=bad)
        assert response.status_code == 422, bad
    missing = await client.patch("/api/v1/staff/movies/999999", headers=two.admin, json={"title": "X"})
    assert missing.status_code == 404


async def test_staff_edit_their_cinema_policy(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    changed = await client.patch(
        f"/api/v1/staff/cinemas/{two.a.cinema_id}",
        headers=two.staff_a,
        json={"address": "1 Film Road", "sales_close_before_min": 30, "refund_until_before_min": None},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["address"] == "1 Film Road" and changed.json()["sales_close_before_min"] == 30
    assert (await client.get(f"/api/v1/cinemas/{two.a.cinema_id}")).json()["address"] == "1 Film Road"
    for bad in ({"timezone": "Mars/Olympus"}, {"name": None}, {"sales_close_before_min": -5}):
        response = await client.patch(
            f"/api/v1/staff/cinemas/{two.a.cinema_id}", headers=two.staff_a, json=bad
        )
        assert response.status_code == 422, bad
    trail = (await client.get("/api/v1/staff/audit", headers=two.staff_a)).json()["items"]
    assert [e["action"] for e in trail] == ["cinema.update"]


async def test_staff_place_their_cinema_on_the_map(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    url = f"/api/v1/staff/cinemas/{two.a.cinema_id}"
    placed = await client.patch(url, headers=two.staff_a, json={"latitude": 31.2336, "longitude": 121.476})
    assert placed.status_code == 200, placed.text
    assert (placed.json()["latitude"], placed.json()["longitude"]) == (31.2336, 121.476)
    near = await client.get("/api/v1/cinemas", params={"lat": 31.2336, "lng": 121.476})
    assert near.json()["items"][0]["id"] == two.a.cinema_id
    assert near.json()["items"][0]["distance_m"] == 0
    for bad in ({"latitude": 90.5}, {"longitude": -181}):
        assert (await client.patch(url, headers=two.staff_a, json=bad)).status_code == 422, bad
    removed = await client.patch(url, headers=two.staff_a, json={"latitude": None, "longitude": None})
    assert removed.json()["latitude"] is None
