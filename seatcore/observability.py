"""Structured JSON logs with a request id, and Prometheus metrics by route (also handed to the
app's response-time recorder, seatcore.analytics.latency, for the console's dashboard).

Metrics are labelled by route template (``/api/v1/movies/{movie_id}``), never by raw path, so the
number of series stays bounded. With several uvicorn workers, ``seatcore serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder and ``/metrics`` adds up every worker's counters
(prometheus_client's multiprocess mode); with one worker the process's own registry is served.
"""

from __future__ import annotations

import contextvars
import hmac
import itertools
import logging
import os
import re
import secrets
import sys
import time
from functools import lru_cache
from typing import Any

import orjson
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seatcore.errors import Unauthorized

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

REQUESTS = Counter(
    "seatcore_http_requests_total",
    "HTTP requests by route and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "seatcore_http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
# Record attributes that are not the caller's ``extra`` (uvicorn adds an ANSI-coloured copy of its
# messages as ``color_message``).
_RESERVED = {*vars(logging.makeLogRecord({})), "color_message"}


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id.get(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def _add_request_id(record: logging.LogRecord) -> bool:
    record.request_id = request_id.get()
    return True


_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s\"']+")


def _redact_tokens(record: logging.LogRecord) -> bool:
    """Sign-in tokens never reach the logs: a WebSocket URL may carry one as ``?token=`` (the
    seat-map socket accepts it there), and uvicorn logs the URL of each socket it accepts."""
    parts = record.args if isinstance(record.args, tuple) else (record.args,)
    if not any("token=" in str(part) for part in (record.msg, *parts)):
        return True  # the common case: nothing to redact, no message formatted twice
    message = record.getMessage()
    redacted = _TOKEN_IN_QUERY.sub(r"\1[redacted]", message)
    if redacted != message:
        record.msg, record.args = redacted, None
    return True


def setup_logging(level: str, json_logs: bool) -> None:
    """Everything (uvicorn's own messages too) to stderr: one JSON object a line, or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_redact_tokens)
    if json_logs:
        handler.setFormatter(JSONFormatter())
    else:
        handler.addFilter(_add_request_id)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's loggers may carry handlers of their own (from its default log config): route them
    # through ours instead, so that every line has the same shape.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)  # an earlier uvicorn.Config(log_level=...) may have set one
        logger.propagate = True
        logger.disabled = False
    # Each request is logged once, by seatcore.access (with its request id and route). uvicorn
    # writes its access lines only when its logger has somewhere to go: give it nowhere.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False


def _route_template(scope: Scope) -> str:
    """The template of the route that serves this request (a method mismatch still names it)."""
    served = scope.get("route")  # set by the router on the shared scope: no second matching pass
    if served is not None and hasattr(served, "path_format"):
        return str(served.path_format)
    app = scope.get("app")
    router = getattr(app, "router", None)
    partial = None
    for route in getattr(router, "routes", []):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(route.path_format)
        if match == Match.PARTIAL and partial is None:
            partial = str(route.path_format)
    return partial or "unmatched"


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@lru_cache(maxsize=4096)
def _request_metrics(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The labelled counter and histogram of one kind of request (looking labels up is not free).
    Any other method a client makes up counts as OTHER: labels must not grow without bound."""
    method = method if method in _METHODS else "OTHER"
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route)


_ID_PREFIX = secrets.token_hex(8)  # this process's; with a counter: unique without a syscall each
_ID_COUNTER = itertools.count()


def _new_request_id() -> str:
    """32 hex digits: the process's random half, then a count."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


def _incoming_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            incoming = str(value.decode("latin-1"))
            return incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else ""
    return ""


def _internal_error(rid: str) -> Response:
    body = {
        "error": {
            "code": "internal_error",
            "message": "something went wrong on our side",
            "details": {"request_id": rid},
        }
    }
    return Response(orjson.dumps(body), status_code=500, media_type="application/json")


def _record_latency(scope: Scope, route: str, elapsed_s: float) -> None:
    """Hand the duration to the app's response-time recorder (seatcore.analytics.latency), which
    keeps the per-route histograms the console's dashboard draws over days."""
    runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
    recorder = runtime.extras.get("latency") if runtime is not None else None
    if recorder is not None:
        recorder.observe(scope["method"], route, scope["path"], elapsed_s)


class RequestContextMiddleware:
    """Gives each request an id (``X-Request-ID`` in and out), logs it and counts it.

    It sits outside the routes and every other layer but the security headers (seatcore.security),
    so it also answers what nothing inside handled: a 500 in the error shape whose
    ``details.request_id`` and log line carry the request's id (Starlette's own last resort runs
    outside every middleware, where the id is gone).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("seatcore.access")
        self.errors = logging.getLogger("seatcore")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or _new_request_id()
        token = request_id.set(rid)
        status = 500
        answering = False  # the response has started
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, answering
            if message["type"] == "http.response.start":
                status = message["status"]
                answering = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            self.errors.exception("unhandled error")
            if answering:
                raise  # the answer is half sent: only the server can end the connection
            await _internal_error(rid)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            count, latency = _request_metrics(scope["method"], route, status)
            count.inc()
            latency.observe(elapsed)
            _record_latency(scope, route, elapsed)
            if self.log.isEnabledFor(logging.INFO):
                self.log.info(
                    "%s %s -> %s in %.1f ms",
                    scope["method"],
                    scope["path"],
                    status,
                    elapsed * 1000,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    },
                )
            request_id.reset(token)


async def metrics_endpoint(request: Request) -> Response:
    """The Prometheus text; with ``metrics_token`` set, only for ``Authorization: Bearer TOKEN``."""
    wanted: str = request.app.state.runtime.settings.metrics_token
    if wanted:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {wanted}".encode()):
            raise Unauthorized("metrics need the metrics token: Authorization: Bearer TOKEN")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
