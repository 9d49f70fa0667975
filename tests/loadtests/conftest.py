"""Fixtures for the checker's tests: an app on the sandbox provider with a showtime where one order
is ticketed and one hold is live, the state every planted violation starts from."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from seatcore.checker import Report, check_deployment
from seatcore.runtime import Runtime
from seatcore.settings import Settings
from tests.factories import make_show
from tests.polling import wait_for

Auth = dict[str, str]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The sandbox confirms payments after 20 ms instead of 300."""
    return settings.model_copy(update={"sandbox_pay_delay_ms": 20})


@dataclass
class Sold:
    """A showtime with order ``order_id`` ticketed for A-1 and A-2, and ``hold_id`` live on C-5."""

    app: Starlette
    client: httpx.AsyncClient
    showtime_id: int
    order_id: str
    hold_id: str
    buyer: Auth

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    @property
    def redis(self) -> aioredis.Redis:
        return self.runtime.redis

    @property
    def db(self) -> AsyncEngine:
        return self.runtime.db

    async def check(self, settle_s: float = 0.0) -> Report:
        max_life_ms = self.runtime.settings.hold_max_life_s * 1000
        return await check_deployment(self.redis, self.db, max_life_ms=max_life_ms, settle_s=settle_s)


async def _login(client: httpx.AsyncClient, name: str) -> Auth:
    response = await client.post("/api/v1/auth/wx-login", json={"code": f"dev-{name}"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": secrets.token_hex(8)}


async def _hold(client: httpx.AsyncClient, auth: Auth, showtime_id: int, seats: list[str]) -> str:
    response = await client.post(
        f"/api/v1/showtimes/{showtime_id}/holds", json={"seats": seats}, headers=auth
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
async def sold(app: Starlette, client: httpx.AsyncClient) -> Sold:
    runtime: Runtime = app.state.runtime
    show = await make_show(runtime.db)
    buyer = await _login(client, "buyer")
    hold_id = await _hold(client, buyer, show.showtime_id, ["A-1", "A-2"])
    created = await client.post("/api/v1/orders", json={"hold_id": hold_id}, headers=buyer | _key())
    assert created.status_code == 201, created.text
    order_id = str(created.json()["id"])
    paying = await client.post(f"/api/v1/orders/{order_id}/pay", headers=buyer | _key())
    assert paying.status_code == 200, paying.text

    async def ticketed() -> bool:
        response = await client.get(f"/api/v1/orders/{order_id}", headers=buyer)
        return bool(response.json()["status"] == "ticketed")

    await wait_for(ticketed)
    holder = await _login(client, "holder")
    live_hold = await _hold(client, holder, show.showtime_id, ["C-5"])
    return Sold(app, client, show.showtime_id, order_id, live_hold, buyer)
