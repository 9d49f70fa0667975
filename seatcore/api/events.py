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

from pydantic import Field, field_validator, model_validator
from starlette.requests import Request

from seatcore.analytics.background import event_log
from seatcore.api._http import Answer, Body, Endpoints
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.analytics import CHANNELS, CLIENT_EVENTS, MAX_DWELL_MS, missing_fields, time_problem
from seatcore.errors import ValidationFailed
from seatcore.ratelimit import check_rate
from seatcore.runtime import Runtime

endpoints = Endpoints("events")

Token = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_./-]+$")]
Id = Annotated[int, Field(ge=1, lt=MAX_ID)]
HARD_MAX_BATCH = 1000  # the schema's bound; the setting analytics_max_batch is the one applied
RATE_WINDOW_S = 60


class ClientEvent(Body):
    type: Literal[CLIENT_EVENTS]  # type: ignore[valid-type]
    at: datetime = Field(description="when it happened on the device, ISO 8601 with offset")
    page: Name | None = Field(None, description="page_view: the page's route, e.g. pages/seats")
    dwell_ms: int | None = Field(None, ge=0, le=MAX_DWELL_MS, description="page_view: time on the page")
    movie_id: Id | None = None
    cinema_id: Id | None = None
    showtime_id: Id | None = None
    order_id: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    code: Name | None = Field(None, description="error: the error code the user saw")

    @field_validator("at")
    @classmethod
    def _with_offset(cls, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("the time needs an offset (e.g. +08:00 or Z)")
        return at

    @model_validator(mode="after")
    def _complete(self) -> ClientEvent:
        missing = missing_fields(self.type, lambda name: getattr(self, name) is not None)
        if missing:
            raise ValueError(f"a {self.type} event needs {', '.join(missing)}")
        return self


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
    now = datetime.now(UTC)
    problems = [
        {"field": f"events.{i}.at", "problem": problem}
        for i, event in enumerate(body.events)
        if (problem := time_problem(event.at, now)) is not None
    ]
    if problems:
        raise ValidationFailed("some events have times the server cannot believe", problems=problems)
    await check_rate(
        runtime.redis,
        "events-device",
        body.device_id,
        limit=settings.analytics_device_batches_per_minute,
        window_s=RATE_WINDOW_S,
    )
    await check_rate(
        runtime.redis,
        "events-ip",
        _client_ip(request),
        limit=settings.analytics_ip_batches_per_minute,
        window_s=RATE_WINDOW_S,
    )
    log = event_log(runtime)
    user_id = principal.id if principal is not None and principal.kind == "user" else None
    received_ms = int(time.time() * 1000)
    rows = []
    for event in body.events:
        fields = {name: value for name in DETAILS if (value := getattr(event, name)) is not None}
        at_ms = min(int(event.at.timestamp() * 1000), received_ms)  # a clock ahead counts as now
        rows.append(
            log.row(
                event.type,
                at_ms,
                source="client",
                channel=body.channel,
                device=body.device_id,
                visit=body.visit_id,
                user_id=user_id,
                **fields,
            )
        )
    await log.append(rows)
    return Accepted(accepted=len(rows))
