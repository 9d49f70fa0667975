"""The edge's protections: security headers, CORS from allowed_origins, forwarded addresses only
from trusted proxies, and the metrics token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from seatcore import cli, observability, ratelimit
from seatcore.app import create_app
from seatcore.security import CONTENT_SECURITY_POLICY
from seatcore.settings import Settings
from tests.servers import free_port
from tests.test_auth import assert_error


@pytest.fixture
async def make_client(settings: Settings) -> AsyncIterator[object]:
    """A client of an app started with some settings changed."""
    stack: list[tuple[Starlette, object]] = []

    async def make(**changes: object) -> httpx.AsyncClient:
        app = create_app(settings.model_copy(update=changes))
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        stack.append((app, lifespan))
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    yield make
    for _, lifespan in reversed(stack):
        await lifespan.__aexit__(None, None, None)  # type: ignore[attr-defined]


class TestHeaders:
    @pytest.mark.parametrize(
        "path", ["/", "/seats.html", "/console/", "/api/v1/movies", "/api/v1/nothing-here", "/healthz"]
    )
    async def test_every_answer_carries_them(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in response.headers  # plain HTTP here

    def test_the_policy_allows_no_inline_script_and_no_framing(self) -> None:
        directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
        assert directives["script-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"

    async def test_hsts_when_serving_https_itself(self, make_client: object, tmp_path: object) -> None:
        client = await make_client(tls_certfile="/etc/cert.pem")  # type: ignore[operator]
        response = await client.get("/healthz")
        assert response.headers["strict-transport-security"] == "max-age=31536000"


class TestCORS:
    async def test_allowed_origins_may_call_the_api(self, make_client: object) -> None:
        client = await make_client(allowed_origins=["https://partner.example"])  # type: ignore[operator]
        preflight = await client.options(
            "/api/v1/orders",
            headers={
                "Origin": "https://partner.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://partner.example"
        assert "idempotency-key" in preflight.headers["access-control-allow-headers"].lower()
        simple = await client.get("/api/v1/movies", headers={"Origin": "https://partner.example"})
        assert simple.headers["access-control-allow-origin"] == "https://partner.example"
        assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
        assert "access-control-allow-credentials" not in simple.headers

        other = await client.get("/api/v1/movies", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        refused = await client.options(
            "/api/v1/orders",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in refused.headers

    async def test_no_cross_origin_calls_by_default(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/movies", headers={"Origin": "https://partner.example"})
        assert "access-control-allow-origin" not in response.headers


class TestForwardedAddresses:
    @pytest.fixture(autouse=True)
    def one_rate_window(self, monkeypatch: pytest.MonkeyPatch) -> None:
        frozen = 1_800_000_000.0
        monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: frozen))

    @staticmethod
    async def _sign_ins(client: httpx.AsyncClient, count: int) -> list[int]:
        statuses = []
        for n in range(count):
            response = await client.post(
                "/api/v1/auth/wx-login",
                json={"code": f"dev-walker{n}"},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            statuses.append(response.status_code)
        return statuses

    async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(self, make_client: object) -> None:
        # The test client connects from 127.0.0.1, which uvicorn trusts by default.
        client = await make_client(wx_login_rate_per_minute=3)  # type: ignore[operator]
        assert await self._sign_ins(client, 4) == [200, 200, 200, 429]

    async def test_a_trusted_proxy_forwards_the_client_address(self, make_client: object) -> None:
        client = await make_client(  # type: ignore[operator]
            wx_login_rate_per_minute=3, trusted_proxies=["127.0.0.0/8"]
        )
        assert await self._sign_ins(client, 4) == [200, 200, 200, 200]

    async def test_seatcore_serve_leaves_forwarded_addresses_to_the_app(
        self, app: Starlette, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """uvicorn started as ``seatcore serve`` starts it, over real HTTP from 127.0.0.1: uvicorn's
        own default would believe that peer's X-Forwarded-For and give each sign-in a new address."""
        captured: dict[str, Any] = {}
        monkeypatch.setattr(uvicorn, "run", lambda *args, **options: captured.update(options))
        monkeypatch.setattr(cli, "_export", lambda settings: None)
        monkeypatch.setattr(observability, "setup_logging", lambda level, json_logs: None)
        cli._run_uvicorn(settings)
        runtime = app.state.runtime
        runtime.settings = runtime.settings.model_copy(update={"wx_login_rate_per_minute": 3})
        port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            proxy_headers=captured["proxy_headers"],
            forwarded_allow_ips=captured.get("forwarded_allow_ips"),
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                assert await self._sign_ins(client, 4) == [200, 200, 200, 429]
        finally:
            server.should_exit = True
            await task

    def test_a_proxy_that_is_no_address_is_refused(self) -> None:
        with pytest.raises(ValueError, match="not an address"):
            Settings(trusted_proxies=["nginx.internal"])


class TestMetricsToken:
    async def test_open_without_a_token(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/metrics")).status_code == 200

    async def test_a_token_is_asked_for_when_set(self, make_client: object) -> None:
        client = await make_client(metrics_token="scrape-me-0123456789")  # type: ignore[operator]
        assert_error(await client.get("/metrics"), 401, "unauthorized")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert_error(wrong, 401, "unauthorized")
        right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me-0123456789"})
        assert right.status_code == 200 and "seatcore_http_requests_total" in right.text
