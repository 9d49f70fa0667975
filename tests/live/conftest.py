"""Fixtures of the live seat map: the app served by a real uvicorn on a free port, and moviegoers.

A test module may define ``live_overrides`` (a dict of settings) to shorten heartbeats or shrink
queues for its server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from seatcore.auth.principal import Principal
from seatcore.settings import Settings
from seatcore.store import users
from tests.live.serving import LiveServer, serving


@pytest.fixture
def live_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(settings: Settings, live_overrides: dict[str, Any]) -> Settings:
    """The suite's settings with a generous hold rate (tests hold often) and the module's overrides."""
    return settings.model_copy(update={"hold_rate_per_minute": 100_000, **live_overrides})


@pytest.fixture
async def server(app: Any) -> AsyncIterator[LiveServer]:
    """The ``app`` fixture's application (lifespan running) served by uvicorn on 127.0.0.1."""
    async with serving(app) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        yield client


SignIn = Callable[[str], Awaitable[str]]


@pytest.fixture
def sign_in(server: LiveServer) -> SignIn:
    """A moviegoer's token, as wx-login would issue it (without its per-address rate limit)."""

    async def token_for(name: str) -> str:
        runtime = server.runtime
        user = await users.get_or_create_user(runtime.db, f"openid-{name}", name)
        token: str = runtime.tokens.issue(Principal(kind="user", id=user.id, role="moviegoer"))
        return token

    return token_for
