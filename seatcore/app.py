"""The Starlette application: routes, middleware, error shape and the lifespan that opens the runtime."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from seatcore.analytics.background import analytics_service
from seatcore.api import ENDPOINT_GROUPS
from seatcore.api._http import JSONResponse
from seatcore.api.openapi import build_document
from seatcore.engine.background import seat_engine_service
from seatcore.errors import SeatcoreError, UpstreamUnavailable
from seatcore.live import live_routes, live_service
from seatcore.observability import RequestContextMiddleware, metrics_endpoint
from seatcore.orders.background import order_service
from seatcore.recommend.service import recommend_service
from seatcore.runtime import Runtime, open_runtime
from seatcore.security import edge_middleware
from seatcore.settings import Settings
from seatcore.waitingroom.lobby import lobby_service
from seatcore.waitingroom.socket import waiting_room_routes

log = logging.getLogger("seatcore")
WEB_DIR = Path(__file__).resolve().parent.parent / "web"

# Long-running tasks (sweepers, writers, fan-out) that live as long as the app: each is given the
# runtime and runs until its context exits.
BackgroundService = Callable[[Runtime], AbstractAsyncContextManager[None]]
# Order matters: the live hub needs the seat engine, started first and stopped last.
BACKGROUND_SERVICES: list[BackgroundService] = [
    analytics_service,  # event writer and upkeep (seatcore.analytics); first, so others can record
    seat_engine_service,  # the seat engine and its hold sweeper (seatcore.engine)
    live_service,  # the seat-map fan-out (seatcore.live)
    lobby_service,  # the waiting rooms' sockets and lines (seatcore.waitingroom)
    order_service,  # order writer, sweeper and recovery (seatcore.orders)
    recommend_service,  # the recommendations' model, rebuilt on a schedule (seatcore.recommend)
]

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}
# Static files are all that answer 405 without naming what they allow (RFC 9110 requires Allow).
_STATIC_METHODS = "GET, HEAD"


async def _seatcore_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SeatcoreError)
    headers = {}
    if "retry_after_s" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after_s"])
    return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = "no such resource" if exc.status_code == 404 else str(exc.detail)
    body = {"error": {"code": code, "message": message, "details": {}}}
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers.setdefault("Allow", _STATIC_METHODS)
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


async def _dependency_down(request: Request, exc: Exception) -> Response:
    """Redis or the database unreachable or out of connections: a clear 503, not a 500."""
    log.warning("dependency unavailable: %s: %s", type(exc).__name__, exc)
    error = UpstreamUnavailable("the service is busy or a dependency is down: try again shortly")
    error.details["retry_after_s"] = 1
    return await _seatcore_error(request, error)


class WebFiles(StaticFiles):
    """The web pages. An /api/ path that reached them matched no endpoint: 405 (with ``Allow``)
    when endpoints have that path with other methods, else 404, both in the error shape."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            allowed = {
                method
                for route in scope["app"].router.routes
                if isinstance(route, Route) and route.matches(scope)[0] is Match.PARTIAL
                for method in route.methods or ()
            }
            if allowed:
                raise HTTPException(status_code=405, headers={"Allow": ", ".join(sorted(allowed))})
            raise HTTPException(status_code=404)
        await super().__call__(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    endpoints = [endpoint for group in ENDPOINT_GROUPS for endpoint in group.items]
    routes: list[BaseRoute] = [endpoint.route() for endpoint in endpoints]
    routes.append(Route("/metrics", metrics_endpoint, include_in_schema=False))
    routes.extend(live_routes())
    routes.extend(waiting_room_routes())
    media = settings.data_dir / "media"
    media.mkdir(parents=True, exist_ok=True)
    routes.append(Mount("/media", StaticFiles(directory=media), name="media"))
    if WEB_DIR.is_dir():
        # follow_symlink: web/js/seat-rules.js is the mini-program's file (one source for both clients).
        routes.append(Mount("/", WebFiles(directory=WEB_DIR, html=True, follow_symlink=True), name="web"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime, contextlib.AsyncExitStack() as stack:
            app.state.runtime = runtime
            for service in BACKGROUND_SERVICES:
                await stack.enter_async_context(service(runtime))
            yield

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            SeatcoreError: _seatcore_error,
            HTTPException: _http_error,
            RedisConnectionError: _dependency_down,
            RedisTimeoutError: _dependency_down,
            SQLAlchemyOperationalError: _dependency_down,
        },
        # Unexpected errors are answered by the request context: a 500 that names the request id.
        middleware=edge_middleware(settings, Middleware(RequestContextMiddleware)),
    )
    app.state.openapi = build_document(endpoints)
    app.state.endpoints = endpoints
    return app


def create_app_from_env() -> Starlette:
    """Factory for uvicorn workers: settings come from the config file and environment."""
    from seatcore.observability import setup_logging
    from seatcore.settings import load_settings

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_json)
    return create_app(settings)
