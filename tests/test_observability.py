"""Request ids, JSON logs and Prometheus metrics by route template."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from seatcore.observability import JSONFormatter, RequestContextMiddleware, request_id, setup_logging


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


async def _metrics(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """What seatcore.access writes, formatted as the service formats it in JSON mode."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    logger = logging.getLogger("seatcore")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "trace-7f3a"})
    assert given.headers["x-request-id"] == "trace-7f3a"

    made = await client.get("/healthz")
    other = await client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    assert made.headers["x-request-id"] != other.headers["x-request-id"]

    too_long = await client.get("/healthz", headers={"X-Request-ID": "x" * 65})
    assert too_long.headers["x-request-id"] != "x" * 65


async def test_access_log_is_json_with_the_request_id(
    client: httpx.AsyncClient, access_log: io.StringIO
) -> None:
    await client.get("/healthz", headers={"X-Request-ID": "log-me-1"})
    [entry] = [e for e in _lines(access_log) if e["request_id"] == "log-me-1"]
    assert entry["logger"] == "seatcore.access"
    assert entry["level"] == "INFO"
    assert entry["method"] == "GET" and entry["path"] == "/healthz" and entry["status"] == 200
    assert isinstance(entry["ms"], float)
    assert entry["msg"].startswith("GET /healthz -> 200 in ")  # type: ignore[union-attr]
    assert "T" in str(entry["ts"])


async def test_metrics_count_requests_and_latency_by_route(client: httpx.AsyncClient) -> None:
    before = await _metrics(client)
    await client.get("/healthz")
    await client.get("/healthz")
    await client.get("/api/v1/no-such-thing-4711")
    after = await _metrics(client)

    def delta(name: str, **labels: str) -> float:
        key = tuple(sorted(labels.items()))
        return _samples(after, name).get(key, 0.0) - _samples(before, name).get(key, 0.0)

    requests = "seatcore_http_requests_total"
    assert delta(requests, method="GET", route="/healthz", status="200") == 2
    assert delta("seatcore_http_request_duration_seconds_count", method="GET", route="/healthz") == 2
    assert "no-such-thing-4711" not in after, "raw paths must not become labels"


async def _logs_inside(request: Request) -> PlainTextResponse:
    logging.getLogger("seatcore.test").info("inside the handler")
    return PlainTextResponse(request_id.get())


async def test_route_templates_and_request_id_inside_handlers(access_log: io.StringIO) -> None:
    """Two ids of one route are one series (a wrong method too); logs written by a handler carry
    the request's id."""
    app = Starlette(routes=[Route("/things/{thing_id:int}", _logs_inside)])
    app.add_middleware(RequestContextMiddleware)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = await client.get("/things/1", headers={"X-Request-ID": "thing-1"})
        await client.get("/things/2")
        assert (await client.delete("/things/3")).status_code == 405
        for made_up in ("BREW", "WHEN"):
            assert (await client.request(made_up, "/things/4")).status_code == 405
    assert first.text == "thing-1"
    inside = [e for e in _lines(access_log) if e["logger"] == "seatcore.test"]
    assert inside[0]["request_id"] == "thing-1" and inside[0]["msg"] == "inside the handler"
    assert inside[1]["request_id"] not in ("thing-1", "-")

    value = REGISTRY.get_sample_value(
        "seatcore_http_requests_total", {"method": "GET", "route": "/things/{thing_id}", "status": "200"}
    )
    assert value is not None and value >= 2
    wrong_method = {"method": "DELETE", "route": "/things/{thing_id}", "status": "405"}
    assert REGISTRY.get_sample_value("seatcore_http_requests_total", wrong_method) == 1
    # Methods a client makes up share one label value, so they cannot grow the series without end.
    made_up = {"method": "OTHER", "route": "/things/{thing_id}", "status": "405"}
    assert REGISTRY.get_sample_value("seatcore_http_requests_total", made_up) == 2
    brewed = {"method": "BREW", "route": "/things/{thing_id}", "status": "405"}
    assert REGISTRY.get_sample_value("seatcore_http_requests_total", brewed) is None


def test_json_formatter_carries_extras_and_exceptions() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("seatcore.x").makeRecord(
            "seatcore.x", logging.ERROR, __file__, 1, "failed %s", ("job",), sys.exc_info()
        )
    record.color_message = "\x1b[31mfailed\x1b[0m"
    record.order_id = 42
    entry = json.loads(JSONFormatter().format(record))
    assert entry["msg"] == "failed job" and entry["order_id"] == 42
    assert "ValueError: boom" in entry["exc"]
    assert "color_message" not in entry and entry["request_id"] == "-"


@pytest.mark.parametrize("json_logs", [True, False])
def test_setup_logging_sends_every_logger_to_stderr(
    json_logs: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging("INFO", json_logs)
        token = request_id.set("rid-123")
        logging.getLogger("uvicorn.error").info("Started server process")
        request_id.reset(token)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    line = capsys.readouterr().err.strip()
    if json_logs:
        entry = json.loads(line)
        assert entry["logger"] == "uvicorn.error" and entry["request_id"] == "rid-123"
    else:
        assert "[rid-123] Started server process" in line


@pytest.mark.parametrize("json_logs", [True, False])
def test_tokens_in_socket_urls_never_reach_the_log(
    json_logs: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyOjEifQ.c2lnbmF0dXJl"
    try:
        setup_logging("INFO", json_logs)
        # What uvicorn writes when it accepts a seat-map socket.
        logging.getLogger("uvicorn.error").info(
            '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", f"/ws/showtimes/7?since=3&token={secret}"
        )
        logging.getLogger("uvicorn.error").info("GET /ws/showtimes/7?token=%s&since=3", secret)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    out = capsys.readouterr().err
    assert secret not in out
    assert "/ws/showtimes/7?since=3&token=[redacted]" in out
    assert "/ws/showtimes/7?token=[redacted]&since=3" in out


async def _boom(request: Request) -> PlainTextResponse:
    raise RuntimeError("a bug")


async def test_a_500_names_its_request_id_in_body_header_and_log(
    app: Starlette, client: httpx.AsyncClient, access_log: io.StringIO
) -> None:
    app.router.routes.insert(0, Route("/boom-4711", _boom))
    response = await client.get("/boom-4711", headers={"X-Request-ID": "trace-500"})
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "something went wrong on our side",
            "details": {"request_id": "trace-500"},
        }
    }
    assert response.headers["x-request-id"] == "trace-500"
    assert response.headers["x-content-type-options"] == "nosniff"
    entries = [e for e in _lines(access_log) if e["request_id"] == "trace-500"]
    error, access = entries
    assert error["logger"] == "seatcore" and "RuntimeError: a bug" in str(error["exc"])
    assert access["logger"] == "seatcore.access" and access["status"] == 500


def test_one_log_line_per_request(capsys: pytest.CaptureFixture[str]) -> None:
    """uvicorn writes its access line only when ``uvicorn.access`` has somewhere to send it
    (``hasHandlers``); seatcore.access already logs each request."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging("INFO", True)
        assert not logging.getLogger("uvicorn.access").hasHandlers()
        logging.getLogger("uvicorn.access").info('127.0.0.1:5000 - "GET /healthz HTTP/1.1" 200')
        logging.getLogger("seatcore.access").info("GET /healthz -> 200 in 0.1 ms")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        logging.getLogger("uvicorn.access").propagate = True
    lines = capsys.readouterr().err.strip().splitlines()
    assert [json.loads(line)["logger"] for line in lines] == ["seatcore.access"]
