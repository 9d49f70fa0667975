"""POST /api/v1/events: a valid batch is taken and lands in the store; bad ones are refused whole."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from seatcore.settings import Settings
from tests.analytics.conftest import batch, landed, now_iso, send, store_of
from tests.conftest import Login


def view(page: str = "pages/index", dwell_ms: int = 1500, **extra: Any) -> dict[str, Any]:
    return {"type": "page_view", "at": now_iso(), "page": page, "dwell_ms": dwell_ms, **extra}


async def refused(client: httpx.AsyncClient, body: Any, status: int = 422) -> dict[str, Any]:
    response = await client.post("/api/v1/events", json=body)
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


async def test_a_batch_is_taken_and_lands(app: Starlette, client: httpx.AsyncClient, login: Login) -> None:
    alice = await login("alice")
    body = batch([view(), {"type": "movie_opened", "at": now_iso(), "movie_id": 7}], device="phone-0001")
    response = await client.post("/api/v1/events", json=body, headers=alice)
    assert response.status_code == 202 and response.json() == {"accepted": 2}
    await landed(app, 2)
    rows = await asyncio.to_thread(
        store_of(app).query,
        "SELECT name, device, user_id, channel, source, actor FROM events ORDER BY name",
        [],
    )
    me = (await client.get("/api/v1/me", headers=alice)).json()
    assert rows == [
        ("movie_opened", "phone-0001", me["id"], "web", "client", f"u{me['id']}"),
        ("page_view", "phone-0001", me["id"], "web", "client", f"u{me['id']}"),
    ]


async def test_no_openid_is_ever_stored(app: Starlette, client: httpx.AsyncClient, login: Login) -> None:
    alice = await login("alice")
    await send(client, batch([view()]), alice)
    await landed(app, 1)
    everything = await asyncio.to_thread(store_of(app).query, "SELECT * FROM events", [])
    assert "alice" not in repr(everything)  # the dev provider's openid is derived from the name


async def test_unknown_fields_are_refused(client: httpx.AsyncClient) -> None:
    error = await refused(client, batch([view(openid="o-123")]))
    assert error["code"] == "validation_failed"
    assert any(p["field"].endswith("openid") for p in error["details"]["problems"])
    assert (await refused(client, {**batch([view()]), "user_id": 5}))["code"] == "validation_failed"


async def test_incomplete_and_unknown_events_are_refused(client: httpx.AsyncClient) -> None:
    await refused(client, batch([{"type": "page_view", "at": now_iso()}]))  # no page, no dwell
    await refused(client, batch([{"type": "bought_popcorn", "at": now_iso()}]))
    await refused(client, batch([{"type": "movie_opened", "at": "2026-01-01T10:00:00"}]))  # no offset
    await refused(client, batch([view(dwell_ms=-1)]))
    await refused(client, batch([]))


async def test_times_in_the_future_or_too_old_are_refused(client: httpx.AsyncClient) -> None:
    ahead = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    error = await refused(client, batch([view(), {**view(), "at": ahead}]))
    assert error["details"]["problems"][0]["field"] == "events.1.at"
    old = (datetime.now(UTC) - timedelta(days=4)).isoformat()
    await refused(client, batch([{**view(), "at": old}]))
    slightly_ahead = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    await send(client, batch([{**view(), "at": slightly_ahead}]))


async def test_a_batch_over_the_limit_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    error = await refused(client, batch([view()] * (settings.analytics_max_batch + 1)))
    assert "at most" in error["message"]
    huge = batch([view(page="p" * 60)] * 90)
    huge["events"] = huge["events"] * 10  # about 100 KiB: over the body limit before any parsing
    assert (await refused(client, huge, status=413))["code"] == "payload_too_large"


async def test_a_flooding_device_is_slowed_down(client: httpx.AsyncClient, settings: Settings) -> None:
    body = batch([view()], device="flooder-01")
    for _ in range(settings.analytics_device_batches_per_minute):
        await send(client, body)
    response = await client.post("/api/v1/events", json=body)
    assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in response.headers
    await send(client, batch([view()], device="someone-else"))  # others are not affected


async def test_nothing_is_stored_from_a_refused_batch(app: Starlette, client: httpx.AsyncClient) -> None:
    ahead = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    await refused(client, batch([view(), {**view(), "at": ahead}]))
    await send(client, batch([view(page="pages/after")]))
    await landed(app, 1)
    pages = await asyncio.to_thread(store_of(app).query, "SELECT page FROM events", [])
    assert pages == [("pages/after",)]
