"""Role boundaries of the staff API.

Chosen and documented (docs/console.md): anything in a cinema outside the caller's scope answers
404 not_found, exactly like something that does not exist; chain-wide writes that need a platform
admin answer 403 forbidden; a moviegoer's token answers 403 on every staff endpoint.
"""

from __future__ import annotations

import re
from datetime import date

import httpx
from sqlalchemy import delete
from starlette.applications import Starlette

from seatcore.db.schema import staff, staff_cinemas
from seatcore.domain.layout import grid_layout
from seatcore.runtime import Runtime
from tests.staff.conftest import TwoCinemas

_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _staff_routes(app: Starlette) -> list[tuple[str, str]]:
    routes = []
    for endpoint in app.state.endpoints:
        if endpoint.path.startswith("/api/v1/staff/"):
            path = _PARAM.sub(lambda m: "abc123" if m.group(1) == "order_id" else "1", endpoint.path)
            routes.append((endpoint.method, path))
    return routes


async def test_moviegoer_token_is_refused_everywhere(
    app: Starlette, client: httpx.AsyncClient, two: TwoCinemas
) -> None:
    routes = _staff_routes(app)
    assert len(routes) >= 18
    for method, path in routes:
        response = await client.request(method, path, headers=two.moviegoer, json={})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["code"] == "forbidden"
        anonymous = await client.request(method, path, json={})
        assert anonymous.status_code == 401, (method, path)


async def test_every_staff_endpoint_is_documented_for_staff(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    for endpoint in app.state.endpoints:
        if endpoint.path.startswith("/api/v1/staff/"):
            assert endpoint.auth == "staff", endpoint.path
            operation = document["paths"][_PARAM.sub(r"{\1}", endpoint.path)][endpoint.method.lower()]
            assert operation["security"] == [{"bearer": []}]
            assert {"401", "403"} <= set(operation["responses"])


async def test_staff_see_only_their_cinemas(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    mine = (await client.get("/api/v1/staff/cinemas", headers=two.staff_a)).json()["items"]
    assert [c["id"] for c in mine] == [two.a.cinema_id]
    everything = (await client.get("/api/v1/staff/cinemas", headers=two.admin)).json()["items"]
    assert {c["id"] for c in everything} == {two.a.cinema_id, two.b.cinema_id}


async def test_staff_of_one_cinema_cannot_read_or_change_another(
    client: httpx.AsyncClient, two: TwoCinemas
) -> None:
    b = two.b
    today = date.today().isoformat()
    reads = [
        f"/api/v1/staff/cinemas/{b.cinema_id}",
        f"/api/v1/staff/cinemas/{b.cinema_id}/halls",
        f"/api/v1/staff/halls/{b.hall_id}",
        f"/api/v1/staff/showtimes?cinema_id={b.cinema_id}",
        f"/api/v1/staff/showtimes/{b.showtime_id}",
        f"/api/v1/staff/boxoffice/summary?start={today}&end={today}&cinema_id={b.cinema_id}",
        f"/api/v1/staff/boxoffice/hours?start={today}&end={today}&cinema_id={b.cinema_id}",
        f"/api/v1/staff/boxoffice/top-movies?start={today}&end={today}&cinema_id={b.cinema_id}",
        f"/api/v1/staff/boxoffice/export.csv?start={today}&end={today}&cinema_id={b.cinema_id}",
        f"/api/v1/staff/orders?cinema_id={b.cinema_id}",
        f"/api/v1/staff/audit?cinema_id={b.cinema_id}",
    ]
    for path in reads:
        refused = await client.get(path, headers=two.staff_a)
        assert refused.status_code == 404, (path, refused.text)
        assert refused.json()["error"]["code"] == "not_found"
        allowed = await client.get(path, headers=two.staff_b)
        assert allowed.status_code == 200, (path, allowed.text)

    layout = grid_layout(3, 4)
    starts = b.starts_at.isoformat()
    writes = [
        ("PATCH", f"/api/v1/staff/cinemas/{b.cinema_id}", {"name": "Mine now"}),
        ("POST", f"/api/v1/staff/cinemas/{b.cinema_id}/halls", {"name": "Hall 9", "layout": layout}),
        ("PATCH", f"/api/v1/staff/halls/{b.hall_id}", {"layout": layout}),
        (
            "POST",
            "/api/v1/staff/showtimes",
            {"hall_id": b.hall_id, "movie_id": b.movie_id, "starts_at": starts, "prices": {"standard": 1}},
        ),
        ("PATCH", f"/api/v1/staff/showtimes/{b.showtime_id}", {"sales_open": False}),
        ("POST", f"/api/v1/staff/showtimes/{b.showtime_id}/cancel", {"reason": "not mine"}),
    ]
    for method, path, body in writes:
        refused = await client.request(method, path, headers=two.staff_a, json=body)
        assert refused.status_code == 404, (method, path, refused.text)
    # Nothing changed, and nothing was written to B's audit trail.
    cinema = (await client.get(f"/api/v1/staff/cinemas/{b.cinema_id}", headers=two.staff_b)).json()
    assert cinema["name"] == "Test Cinema"
    show = (await client.get(f"/api/v1/staff/showtimes/{b.showtime_id}", headers=two.staff_b)).json()
    assert show["status"] == "scheduled" and show["sales_open"] is True
    trail = (await client.get("/api/v1/staff/audit", headers=two.staff_b)).json()
    assert trail["items"] == []


async def test_a_hall_of_another_cinema_cannot_host_my_showtime(
    client: httpx.AsyncClient, two: TwoCinemas
) -> None:
    moved = await client.patch(
        f"/api/v1/staff/showtimes/{two.a.showtime_id}", headers=two.staff_a, json={"hall_id": two.b.hall_id}
    )
    assert moved.status_code == 404
    by_admin = await client.patch(
        f"/api/v1/staff/showtimes/{two.a.showtime_id}", headers=two.admin, json={"hall_id": two.b.hall_id}
    )
    assert by_admin.status_code == 422


async def test_chain_wide_writes_need_an_admin(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    new_cinema = {"name": "Third", "city": "Shenzhen"}
    assert (
        await client.post("/api/v1/staff/cinemas", headers=two.staff_a, json=new_cinema)
    ).status_code == 403
    created = await client.post("/api/v1/staff/cinemas", headers=two.admin, json=new_cinema)
    assert created.status_code == 201, created.text
    assert created.json()["timezone"] == "Asia/Shanghai"

    movie = {"title": "New Film", "duration_min": 95, "genres": ["comedy"]}
    assert (await client.post("/api/v1/staff/movies", headers=two.staff_a, json=movie)).status_code == 403
    patch = await client.patch(
        f"/api/v1/staff/movies/{two.a.movie_id}", headers=two.staff_a, json={"title": "X"}
    )
    assert patch.status_code == 403
    # Every member of staff reads the movies (to schedule them).
    listed = await client.get("/api/v1/staff/movies", headers=two.staff_a)
    assert [m["id"] for m in listed.json()["items"]] == [two.a.movie_id]


async def test_admin_reaches_every_cinema(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    for fixture in (two.a, two.b):
        response = await client.get(f"/api/v1/staff/showtimes/{fixture.showtime_id}", headers=two.admin)
        assert response.status_code == 200


async def test_removed_staff_account_loses_access(
    client: httpx.AsyncClient, two: TwoCinemas, runtime: Runtime
) -> None:
    async with runtime.db.begin() as conn:
        await conn.execute(delete(staff_cinemas))
        await conn.execute(delete(staff).where(staff.c.username == "anna"))
    response = await client.get("/api/v1/staff/cinemas", headers=two.staff_a)
    assert response.status_code == 401
