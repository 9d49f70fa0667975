"""Events in: batches from the mini-program and the web pages (docs/analytics.md has the schema).

A batch is checked whole (one bad event refuses the batch with 422 and its problems: a client that
sends it is broken, and half a batch would count half a journey), rate-limited per device and per
address, and answered 202 once it is on the event stream; the writer lands it in the event store.
The moviegoer comes from the token, never from the body, and only as the user id.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, JsonValue
from starlette.requests import Request

from seatcore.analytics.background import event_log
from seatcore.analytics.events import EventLog, Row
from seatcore.api._http import Answer, Body, Endpoints
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.analytics import (
    CHANNELS,
    CLIENT_EVENTS,
    MAX_CLOCK_SKEW,
    MAX_DWELL_MS,
    MAX_EVENT_AGE,
    REQUIRED_FIELDS,
    actor,
    missing_fields,
    time_problem,
)
from seatcore.errors import ValidationFailed
from seatcore.ratelimit import check_rates
from seatcore.runtime import Runtime

endpoints = Endpoints("events")

Token = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_./-]+$")]
Id = Annotated[int, Field(ge=1, lt=MAX_ID)]
HARD_MAX_BATCH = 1000  # the schema's bound; the setting analytics_max_batch is the one applied
RATE_WINDOW_S = 60


def _required_by_type(schema: dict[str, JsonValue]) -> None:
    """The document says which fields each type of event needs (as ``_rows`` checks), so that
    generated clients send them: one ``if type is T then required`` per type."""
    schema["allOf"] = [
        {"if": {"properties": {"type": {"const": name}}}, "then": {"required": list(fields)}}
        for name, fields in REQUIRED_FIELDS.items()
    ]


class ClientEvent(Body):
    model_config = ConfigDict(json_schema_extra=_required_by_type)

    type: Literal[CLIENT_EVENTS]  # type: ignore[valid-type]
    # AwareDatetime: a time without an offset is refused inside pydantic-core, not by Python code.
    at: AwareDatetime = Field(description="when it happened on the device, ISO 8601 with offset")
    page: Name | None = Field(None, description="page_view: the page's route, e.g. pages/seats")
    dwell_ms: int | None = Field(None, ge=0, le=MAX_DWELL_MS, description="page_view: time on the page")
    movie_id: Id | None = None
    cinema_id: Id | None = None
    showtime_id: Id | None = None
    order_id: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    code: Name | None = Field(None, description="error: the error code the user saw")

    # What each type must carry is checked per batch, in the one pass that builds the rows
    # (``_rows``): a Python validator on every event costs a fifth of the endpoint's time.


DETAILS = tuple(name for name in ClientEvent.model_fields if name not in ("type", "at"))


class EventBatch(Body):
    device_id: Token = Field(description="an anonymous id the client made up once and keeps")
    visit_id: Token = Field(description="a new id each time the app or page is opened")
    channel: Literal[CHANNELS]  # type: ignore[valid-type]
    events: list[ClientEvent] = Field(min_length=1, max_length=HARD_MAX_BATCH)


class Accepted(Answer):
    accepted: int


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@endpoints.post(
    "/api/v1/events",
    "Send a batch of analytics events (page views, funnel steps, errors seen); stored asynchronously",
    auth="optional",
    body=EventBatch,
    answer=Accepted,
    status=202,
    errors=(413, 422, 429),
)
async def post_events(request: Request, principal: Principal | None, body: EventBatch) -> Accepted:
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    if len(body.events) > settings.analytics_max_batch:
        raise ValidationFailed(
            f"at most {settings.analytics_max_batch} events per batch",
            problems=[{"field": "events", "problem": f"more than {settings.analytics_max_batch} events"}],
        )
    received_ms = int(time.time() * 1000)
    log = event_log(runtime)
    rows, problems = _rows(body, principal, received_ms, log)
    if problems:
        raise ValidationFailed(
            "some events lack what their type needs or have times the server cannot believe",
            problems=problems,
        )
    await check_rates(
        runtime.redis,
        [
            ("events-device", body.device_id, settings.analytics_device_batches_per_minute),
            ("events-ip", _client_ip(request), settings.analytics_ip_batches_per_minute),
        ],
        window_s=RATE_WINDOW_S,
    )
    await log.append(rows)
    return Accepted(accepted=len(rows))


def _rows(
    body: EventBatch, principal: Principal | None, received_ms: int, log: EventLog
) -> tuple[list[Row], list[dict[str, str]]]:
    """The batch's events as the store keeps them, and the problems of events that cannot be
    taken: a field their type needs is missing, or their time cannot be believed.

    One pass over the events, building each row directly: this runs for every event taken
    (docs/analytics.md, "Benchmark", has the profile that led here)."""
    user_id = principal.id if principal is not None and principal.kind == "user" else None
    shared = {
        "source": "client",
        "channel": body.channel,
        "device": body.device_id,
        "visit": body.visit_id,
        "user_id": user_id,
        "actor": actor(user_id, body.device_id),
    }
    latest_ms = received_ms + int(MAX_CLOCK_SKEW.total_seconds() * 1000)
    earliest_ms = received_ms - int(MAX_EVENT_AGE.total_seconds() * 1000)
    day_of = log.day_of
    rows: list[Row] = []
    problems: list[dict[str, str]] = []
    for i, event in enumerate(body.events):
        values = event.__dict__
        needs = REQUIRED_FIELDS.get(values["type"], ())
        if needs and any(values[name] is None for name in needs):
            missing = missing_fields(values["type"], lambda name: values[name] is not None)  # noqa: B023
            problems.append(
                {"field": f"events.{i}", "problem": f"a {values['type']} event needs {', '.join(missing)}"}
            )
            continue
        at_ms = int(values["at"].timestamp() * 1000)
        if not earliest_ms <= at_ms <= latest_ms:
            now = datetime.fromtimestamp(received_ms / 1000, UTC)
            problem = time_problem(values["at"], now) or "cannot be believed"
            problems.append({"field": f"events.{i}.at", "problem": problem})
            continue
        at_ms = min(at_ms, received_ms)  # a clock ahead counts as now
        row = {name: value for name in DETAILS if (value := values[name]) is not None}
        row.update(shared, ts=at_ms, day=day_of(at_ms), name=values["type"])
        rows.append(row)
    return rows, problems
