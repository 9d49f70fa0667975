"""The funnel counted from a scripted journey equals what happened: three moviegoers walk through the
real API (client events, holds, an order, a sandbox payment) and the staff reports count them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from starlette.applications import Starlette

from seatcore.settings import Settings
from tests.analytics.conftest import batch, landed, now_iso, send
from tests.orders.conftest import Shop
from tests.staff.conftest import StaffHeaders


def step(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "at": now_iso(), **fields}


async def report(
    client: httpx.AsyncClient, name: str, headers: dict[str, str], day: dt.date, **filters: Any
) -> Any:
    params = {"start": day.isoformat(), "end": day.isoformat(), **filters}
    response = await client.get(f"/api/v1/staff/analytics/{name}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_funnel_counts_the_journey(
    app: Starlette, shop: Shop, staff_headers: StaffHeaders, settings: Settings
) -> None:
    show = await shop.show()
    other = await shop.show(city="Beijing")
    ids = {"movie_id": show.movie_id, "cinema_id": show.cinema_id}
    browse = [step("movie_opened", **ids), step("showtimes_opened", **ids)]
    seat_map = [step("seatmap_opened", showtime_id=show.showtime_id)]
    page = [
        step("page_view", page="pages/movie", dwell_ms=4000),
        step("page_view", page="pages/seats", dwell_ms=2000),
    ]

    # Alice: from the movie to paid tickets.
    alice = await shop.login("alice")
    await send(shop.client, batch(browse + seat_map + page, device="alice-phone"), alice)
    hold = await shop.hold(alice, show.showtime_id, ["A-1"])
    order = await shop.order(alice, hold["id"])
    await shop.pay(alice, order["id"])
    await shop.wait_status(alice, order["id"], "ticketed")
    # Bob: the same seat, refused; he leaves.
    bob = await shop.login("bob")
    await send(shop.client, batch(browse + seat_map, device="bob-phone1"), bob)
    refused = await shop.client.post(
        f"/api/v1/showtimes/{show.showtime_id}/holds", json={"seats": ["A-1"]}, headers=bob
    )
    assert refused.status_code == 409
    code = refused.json()["error"]["code"]
    # Carol, not signed in, only looks at the movie, on the mini-program.
    await send(shop.client, batch([step("movie_opened", **ids)], device="carol-phone", channel="miniprogram"))

    await landed(app, 5 + 3 + 1 + 4)  # client events of each, then hold x2, order, paid
    admin = await staff_headers("root", role="admin")
    day = dt.datetime.now(ZoneInfo(settings.analytics_timezone)).date()

    funnel = await report(shop.client, "funnel", admin, day)
    assert {s["step"]: s["journeys"] for s in funnel["steps"]} == {
        "movie": 3,
        "showtimes": 2,
        "seat_map": 2,
        "hold": 1,
        "order": 1,
        "paid": 1,
    }
    assert [s["drop_off"] for s in funnel["steps"]] == [None, round(1 / 3, 4), 0.0, 0.5, 0.0, 0.0]
    assert funnel["hold_refusals"] == {code: 1}
    assert funnel["days"] == [
        {"day": day.isoformat(), "steps": {s["step"]: s["journeys"] for s in funnel["steps"]}}
    ]

    web_only = await report(shop.client, "funnel", admin, day, channel="web")
    assert web_only["steps"][0]["journeys"] == 2
    elsewhere = await report(shop.client, "funnel", admin, day, cinema_id=other.cinema_id)
    assert all(s["journeys"] == 0 for s in elsewhere["steps"])

    payments = await report(shop.client, "payments", admin, day)
    assert (payments["paid"], payments["failed"], payments["success_rate"]) == (1, 0, 1.0)
    assert payments["days"] == [{"day": day.isoformat(), "paid": 1, "failed": 0}]

    visits = await report(shop.client, "visits", admin, day)
    assert visits["days"] == [{"day": day.isoformat(), "visits": 3, "visitors": 3}]
    dwell = await report(shop.client, "dwell", admin, day)
    assert {p["page"]: (p["views"], p["average_dwell_ms"]) for p in dwell["pages"]} == {
        "pages/movie": (1, 4000),
        "pages/seats": (1, 2000),
    }


async def test_staff_see_only_their_cinemas(
    app: Starlette, shop: Shop, staff_headers: StaffHeaders, settings: Settings
) -> None:
    show = await shop.show()
    other = await shop.show(city="Beijing")
    await send(shop.client, batch([step("movie_opened", movie_id=show.movie_id, cinema_id=show.cinema_id)]))
    await landed(app, 1)
    day = dt.datetime.now(ZoneInfo(settings.analytics_timezone)).date()
    theirs = await staff_headers("anna", cinemas=(other.cinema_id,))
    funnel = await report(shop.client, "funnel", theirs, day)
    assert funnel["steps"][0]["journeys"] == 0
    params = {"start": day.isoformat(), "end": day.isoformat()}
    outside = await shop.client.get(
        "/api/v1/staff/analytics/funnel", params=params | {"cinema_id": show.cinema_id}, headers=theirs
    )
    assert outside.status_code == 404
    chain = await shop.client.get("/api/v1/staff/analytics/visits", params=params, headers=theirs)
    assert chain.status_code == 403
    moviegoer = await shop.login("mia")
    assert (
        await shop.client.get("/api/v1/staff/analytics/funnel", params=params, headers=moviegoer)
    ).status_code == 403
