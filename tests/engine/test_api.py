"""The seat HTTP API end to end: seat map, holds, every refusal code, ownership, rate limit."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from seatcore.domain.layout import grid_layout
from tests.conftest import Login
from tests.factories import ShowFixture, make_show


async def _show(app: Starlette, **values: Any) -> ShowFixture:
    return await make_show(app.state.runtime.db, **values)


async def _hold(
    client: httpx.AsyncClient, auth: dict[str, str], showtime_id: int, **body: Any
) -> httpx.Response:
    return await client.post(f"/api/v1/showtimes/{showtime_id}/holds", json=body, headers=auth)


def _refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


async def test_seat_map_hold_and_release(app: Starlette, client: httpx.AsyncClient, login: Login) -> None:
    show = await _show(app)
    seats_url = f"/api/v1/showtimes/{show.showtime_id}/seats"
    anonymous = (await client.get(seats_url)).json()
    assert anonymous["seq"] == 0 and anonymous["epoch"]
    assert set(anonymous["states"].values()) == {"free"} and len(anonymous["states"]) == 50
    assert anonymous["layout"]["columns"] == 10 and anonymous["prices"] == {"standard": 4500}
    assert anonymous["mine"] == [] and anonymous["my_hold"] is None and anonymous["sales_open"] is True

    alice, bob = await login("alice"), await login("bob")
    created = await _hold(client, alice, show.showtime_id, seats=["C-1", "C-2"])
    assert created.status_code == 201, created.text
    hold = created.json()
    assert hold["seats"] == ["C-1", "C-2"] and hold["amount_fen"] == 9000
    expires = datetime.fromisoformat(hold["expires_at"])
    assert expires.utcoffset() == timedelta(hours=8)  # the cinema's zone (Asia/Shanghai)
    assert datetime.fromisoformat(hold["max_expires_at"]) - expires == timedelta(seconds=900)

    mine = (await client.get(seats_url, headers=alice)).json()
    assert mine["seq"] == 1 and mine["mine"] == ["C-1", "C-2"] and mine["my_hold"]["id"] == hold["id"]
    assert mine["states"]["C-1"] == "held"
    theirs = (await client.get(seats_url, headers=bob)).json()
    assert theirs["mine"] == [] and theirs["my_hold"] is None and theirs["states"]["C-2"] == "held"

    assert (await client.get(f"/api/v1/holds/{hold['id']}", headers=alice)).json() == hold
    extended = (await client.post(f"/api/v1/holds/{hold['id']}/extend", headers=alice)).json()
    assert datetime.fromisoformat(extended["expires_at"]) - expires == timedelta(seconds=300)

    for method, path in (
        ("GET", f"/api/v1/holds/{hold['id']}"),
        ("POST", f"/api/v1/holds/{hold['id']}/extend"),
        ("DELETE", f"/api/v1/holds/{hold['id']}"),
    ):
        _refused(await client.request(method, path, headers=bob), 403, "hold_not_owned")

    released = await client.delete(f"/api/v1/holds/{hold['id']}", headers=alice)
    assert released.status_code == 204
    after = (await client.get(seats_url)).json()
    assert after["seq"] == 2 and after["states"]["C-1"] == "free"
    _refused(await client.get(f"/api/v1/holds/{hold['id']}", headers=alice), 404, "not_found")


async def test_best_available_through_the_api(
    app: Starlette, client: httpx.AsyncClient, login: Login
) -> None:
    show = await _show(app, layout=grid_layout(4, 9, aisles=(4,), zones={0: "front"}))
    response = await _hold(client, await login("carol"), show.showtime_id, best=2)
    assert response.status_code == 201, response.text
    # The sweet spot is row C of four; the aisle (column 4) splits each row into blocks of four, and
    # C-3 C-4 (columns 2-3) and C-5 C-6 (columns 5-6) are equally central: the left one wins the tie.
    assert response.json()["seats"] == ["C-3", "C-4"]


async def test_every_refusal_code(app: Starlette, client: httpx.AsyncClient, login: Login) -> None:
    layout = grid_layout(3, 8, aisles=(4,), couple_rows=(2,), wheelchair=((1, 0),))
    show = await _show(app, layout=layout)
    sid = show.showtime_id
    dan, eve = await login("dan"), await login("eve")
    assert (await _hold(client, dan, sid, seats=["A-1", "A-2"])).status_code == 201

    _refused(await _hold(client, eve, sid, seats=["A-2", "A-3"]), 409, "seat_unavailable")
    stranded = _refused(await _hold(client, eve, sid, seats=["A-3"]), 409, "stranded_seat")
    assert stranded["details"]["seats"] == ["A-4"]
    _refused(
        await _hold(client, eve, sid, seats=["B-2", "B-3", "B-4", "B-5", "B-6", "B-7", "A-5"]),
        409,
        "too_many_seats",
    )
    _refused(await _hold(client, dan, sid, seats=["A-5", "A-6"]), 409, "hold_limit")
    couple = _refused(await _hold(client, eve, sid, seats=["C-1"]), 409, "couple_pair")
    assert couple["details"]["seats"] == ["C-1"]
    wheelchair = _refused(await _hold(client, eve, sid, seats=["B-1", "B-2"]), 409, "wheelchair_space")
    assert wheelchair["details"]["seats"] == ["B-1"]
    accessible = await _hold(client, eve, sid, seats=["B-1", "B-2"], accessible=True)
    assert accessible.status_code == 201
    frank = await login("frank")
    _refused(await _hold(client, frank, sid, best=5), 409, "no_block")
    unknown = _refused(await _hold(client, frank, sid, seats=["Z-9"]), 404, "not_found")
    assert unknown["details"]["seats"] == ["Z-9"]
    _refused(await _hold(client, frank, 999_999, seats=["A-1"]), 404, "not_found")
    _refused(await client.get("/api/v1/showtimes/999999/seats"), 404, "not_found")

    soon = await _show(app, starts_in=timedelta(minutes=5))
    _refused(await _hold(client, frank, soon.showtime_id, seats=["A-1"]), 409, "sales_closed")
    assert (await client.get(f"/api/v1/showtimes/{soon.showtime_id}/seats")).json()["sales_open"] is False
    stopped = await _show(app, sales_open=False)
    _refused(await _hold(client, frank, stopped.showtime_id, seats=["A-1"]), 409, "sales_closed")


@pytest.mark.parametrize(
    "body",
    [
        {"seats": ["A-1"], "best": 2},
        {},
        {"seats": []},
        {"seats": ["A-1", "A-1"]},
        {"best": 0},
        {"seats": ["A-1"], "zone": "standard"},
        {"seats": ["A-1"], "colour": "red"},
        {"seats": ["x" * 40]},
        {"best": 2, "zone": "nowhere"},
    ],
)
async def test_bad_hold_bodies_are_refused_without_change(
    app: Starlette, client: httpx.AsyncClient, login: Login, body: dict[str, Any]
) -> None:
    show = await _show(app)
    response = await _hold(client, await login("gina"), show.showtime_id, **body)
    _refused(response, 422, "validation_failed")
    assert (await client.get(f"/api/v1/showtimes/{show.showtime_id}/seats")).json()["seq"] == 0


async def test_holds_need_a_moviegoer(app: Starlette, client: httpx.AsyncClient) -> None:
    show = await _show(app)
    _refused(await _hold(client, {}, show.showtime_id, seats=["A-1"]), 401, "unauthorized")
    _refused(await client.delete("/api/v1/holds/1-0123456789abcdef"), 401, "unauthorized")


async def test_malformed_and_unknown_hold_ids(client: httpx.AsyncClient, login: Login) -> None:
    helen = await login("helen")
    for hold_id in ("nonsense", "1-short", "1-0123456789abcdef", "-0123456789abcdef"):
        _refused(await client.get(f"/api/v1/holds/{hold_id}", headers=helen), 404, "not_found")


@pytest.mark.seat_settings(hold_rate_per_minute=2)
async def test_hold_rate_limit(app: Starlette, client: httpx.AsyncClient, login: Login) -> None:
    show = await _show(app)
    ivan = await login("ivan")
    assert (await _hold(client, ivan, show.showtime_id, seats=["A-1"])).status_code == 201
    _refused(await _hold(client, ivan, show.showtime_id, seats=["A-3"]), 409, "hold_limit")
    limited = _refused(await _hold(client, ivan, show.showtime_id, seats=["B-1"]), 429, "rate_limited")
    assert limited["details"]["retry_after_s"] == 60


@pytest.mark.seat_settings(max_live_holds_per_user=2)
async def test_cap_on_live_holds_over_all_showtimes(
    app: Starlette, client: httpx.AsyncClient, login: Login
) -> None:
    shows = [await _show(app) for _ in range(3)]
    judy = await login("judy")
    first = await _hold(client, judy, shows[0].showtime_id, seats=["A-1"])
    assert (await _hold(client, judy, shows[1].showtime_id, seats=["A-1"])).status_code == 201
    capped = _refused(await _hold(client, judy, shows[2].showtime_id, seats=["A-1"]), 409, "hold_limit")
    assert capped["details"]["live_holds"] == 2
    assert (await client.delete(f"/api/v1/holds/{first.json()['id']}", headers=judy)).status_code == 204
    assert (await _hold(client, judy, shows[2].showtime_id, seats=["A-1"])).status_code == 201


@pytest.mark.seat_settings(hold_ttl_s=1, hold_max_life_s=1)
async def test_expired_hold_answers_hold_expired(
    app: Starlette, client: httpx.AsyncClient, login: Login
) -> None:
    show = await _show(app)
    kate = await login("kate")
    hold = (await _hold(client, kate, show.showtime_id, seats=["A-1", "A-2"])).json()
    await asyncio.sleep(1.1)
    for method, path in (
        ("GET", f"/api/v1/holds/{hold['id']}"),
        ("POST", f"/api/v1/holds/{hold['id']}/extend"),
        ("DELETE", f"/api/v1/holds/{hold['id']}"),
    ):
        _refused(await client.request(method, path, headers=kate), 409, "hold_expired")
    seat_map = (await client.get(f"/api/v1/showtimes/{show.showtime_id}/seats", headers=kate)).json()
    assert seat_map["states"]["A-1"] == "free" and seat_map["my_hold"] is None


async def test_openapi_documents_the_seat_endpoints(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert set(paths["/api/v1/showtimes/{id}/holds"]["post"]["responses"]) >= {"201", "404", "409", "429"}
    assert "delete" in paths["/api/v1/holds/{hold_id}"]
    assert "extend" in paths["/api/v1/holds/{hold_id}/extend"]["post"]["operationId"]


async def test_listings_count_free_seats_from_live_state(
    app: Starlette, client: httpx.AsyncClient, login: Login
) -> None:
    show = await _show(app)
    detail = f"/api/v1/showtimes/{show.showtime_id}"
    assert (await client.get(detail)).json()["free_seats"] == 50  # not loaded: counted in MySQL
    hold = await _hold(client, await login("lily"), show.showtime_id, seats=["A-1", "A-2", "A-3"])
    assert hold.status_code == 201
    assert (await client.get(detail)).json()["free_seats"] == 47
