"""Order fixtures: the app on the sandbox provider (quick to pay), and the app served by a real
uvicorn on a free port with WeChat Pay pointed at the local fake, whose callbacks reach the app
over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import delete
from starlette.applications import Starlette

from seatcore.app import create_app
from seatcore.db.schema import metadata
from seatcore.orders.service import OrderService
from seatcore.runtime import Runtime
from seatcore.settings import Settings
from tests.conftest import flush_redis
from tests.factories import ShowFixture, make_show
from tests.payments.fake_wechatpay import FakeWeChatPay, WeChatPayKeys, running_fake
from tests.polling import wait_for

Auth = dict[str, str]
NOTIFY_PATH = "/api/v1/payments/wechatpay/notify"
REFUND_NOTIFY_PATH = "/api/v1/payments/wechatpay/refund-notify"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The sandbox confirms payments after 20 ms instead of 300."""
    return settings.model_copy(update={"sandbox_pay_delay_ms": 20})


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": secrets.token_hex(8)}


def runtime_of(app: Starlette) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


def orders_of(app: Starlette) -> OrderService:
    service: OrderService = runtime_of(app).extras["orders"]
    return service


@dataclass
class Shop:
    """An app and an HTTP client for it, with the moviegoer's steps as helpers."""

    app: Starlette
    client: httpx.AsyncClient

    @property
    def orders(self) -> OrderService:
        return orders_of(self.app)

    async def login(self, name: str) -> Auth:
        response = await self.client.post("/api/v1/auth/wx-login", json={"code": f"dev-{name}"})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    async def show(self, **values: Any) -> ShowFixture:
        return await make_show(runtime_of(self.app).db, **values)

    async def hold(self, auth: Auth, showtime_id: int, seats: list[str]) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/showtimes/{showtime_id}/holds", json={"seats": seats}, headers=auth
        )
        assert response.status_code == 201, response.text
        hold: dict[str, Any] = response.json()
        return hold

    async def order(self, auth: Auth, hold_id: str) -> dict[str, Any]:
        response = await self.client.post("/api/v1/orders", json={"hold_id": hold_id}, headers=auth | key())
        assert response.status_code == 201, response.text
        order: dict[str, Any] = response.json()
        return order

    async def pay(self, auth: Auth, order_id: str) -> dict[str, Any]:
        response = await self.client.post(f"/api/v1/orders/{order_id}/pay", headers=auth | key())
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def get(self, auth: Auth, order_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/orders/{order_id}", headers=auth)
        assert response.status_code == 200, response.text
        order: dict[str, Any] = response.json()
        return order

    async def wait_status(self, auth: Auth, order_id: str, status: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}

        async def reached() -> bool:
            seen.update(await self.get(auth, order_id))
            return bool(seen["status"] == status)

        await wait_for(reached)
        return seen

    async def states(self, showtime_id: int) -> dict[str, str]:
        response = await self.client.get(f"/api/v1/showtimes/{showtime_id}/seats")
        assert response.status_code == 200, response.text
        states: dict[str, str] = response.json()["states"]
        return states


@pytest.fixture
def shop(app: Starlette, client: httpx.AsyncClient) -> Shop:
    return Shop(app, client)


@dataclass
class LiveShop(Shop):
    """A Shop served over real HTTP, with the fake WeChat Pay service beside it."""

    base_url: str
    fake: FakeWeChatPay


@pytest.fixture(scope="session")
def wechatpay_keys() -> WeChatPayKeys:
    return WeChatPayKeys.generate()


async def _clear(app: Starlette) -> None:
    async with runtime_of(app).db.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(delete(table))


@contextlib.asynccontextmanager
async def _uvicorn_logging_kept() -> AsyncIterator[None]:
    """Put uvicorn's loggers back as they were: a server started with a log level (the fake
    WeChat Pay's) changes them for the whole process, and later tests of logging would see it."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in names}
    try:
        yield
    finally:
        for name, (level, propagate) in saved.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).propagate = propagate


@pytest.fixture
async def live_shop(
    settings: Settings, wechatpay_keys: WeChatPayKeys, tmp_path: Path
) -> AsyncIterator[LiveShop]:
    """The app on a real uvicorn server, paying through the fake WeChat Pay service."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with _uvicorn_logging_kept(), running_fake(wechatpay_keys) as fake:
        overrides = wechatpay_keys.settings_overrides(
            tmp_path / "keys", fake.base_url, base_url + NOTIFY_PATH, base_url + REFUND_NOTIFY_PATH
        )
        flush_redis(settings.redis_url)
        app = create_app(settings.model_copy(update=overrides))
        config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False)  # leaves logging alone
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("the server stopped while starting")
                await asyncio.sleep(0.01)
            await _clear(app)
            async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
                yield LiveShop(app, client, base_url, fake)
        finally:
            server.should_exit = True
            await task
            sock.close()
