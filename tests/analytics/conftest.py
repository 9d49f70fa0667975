"""Analytics fixtures: the order tests' shop (sandbox payments) and staff accounts, and helpers to
send event batches and wait for the writer to land them."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx
from starlette.applications import Starlette

from seatcore.analytics.background import event_store
from seatcore.analytics.store import EventStore
from tests.orders.conftest import settings, shop  # noqa: F401  (fixtures used here too)
from tests.polling import wait_for
from tests.staff.conftest import runtime, staff_headers  # noqa: F401


def store_of(app: Starlette) -> EventStore:
    return event_store(app.state.runtime)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def batch(events: list[dict[str, Any]], *, device: str | None = None, channel: str = "web") -> dict[str, Any]:
    return {
        "device_id": device or f"dev-{secrets.token_hex(6)}",
        "visit_id": f"visit-{secrets.token_hex(6)}",
        "channel": channel,
        "events": events,
    }


async def send(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    response = await client.post("/api/v1/events", json=body, headers=headers or {})
    assert response.status_code == 202, response.text


async def landed(app: Starlette, count: int) -> None:
    """Wait until the store holds ``count`` events (the service's own arrive a moment later), then
    bring the rollups up to date as the upkeep would."""
    store = store_of(app)

    async def enough() -> bool:
        return await asyncio.to_thread(store.count_events) >= count

    await wait_for(enough)
    await asyncio.to_thread(store.refresh)
