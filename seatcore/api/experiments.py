"""``GET /api/v1/experiments/assignments``: the caller's variant in every running experiment, in one
call. The unit is the moviegoer when signed in, else the device id the client keeps for analytics
(the same id its events carry), so an assignment sticks across visits; each answer is recorded as an
exposure (docs/analytics.md, "Experiments")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Endpoints, Query
from seatcore.auth.principal import Principal
from seatcore.experiments.assignments import assignments_for
from seatcore.ratelimit import check_rate
from seatcore.runtime import Runtime

endpoints = Endpoints("experiments")

RATE_WINDOW_S = 60
Token = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class AssignmentsQuery(Query):
    device_id: Token | None = Field(None, description="the client's analytics device id")
    channel: Literal["miniprogram", "web"] = "web"


class AssignmentsOut(Answer):
    assignments: dict[str, str] = Field(description="experiment key -> variant key")


@endpoints.get(
    "/api/v1/experiments/assignments",
    "The caller's variant in each running experiment they take part in (each answer is an exposure)",
    auth="optional",
    query=AssignmentsQuery,
    answer=AssignmentsOut,
    errors=(422, 429),
)
async def my_assignments(
    request: Request, principal: Principal | None, query: AssignmentsQuery
) -> AssignmentsOut:
    runtime: Runtime = request.app.state.runtime
    user_id = principal.id if principal is not None and principal.kind == "user" else None
    # Each answer is an exposure: a flood of calls would skew the results, so a device (or an
    # address) gets as many answers a minute as it may send event batches.
    settings = runtime.settings
    if query.device_id is not None:
        await check_rate(
            runtime.redis,
            "assign-device",
            query.device_id,
            limit=settings.analytics_device_batches_per_minute,
            window_s=RATE_WINDOW_S,
        )
    address = request.client.host if request.client else "unknown"
    await check_rate(
        runtime.redis,
        "assign-ip",
        address,
        limit=settings.analytics_ip_batches_per_minute,
        window_s=RATE_WINDOW_S,
    )
    found = await assignments_for(runtime, user_id=user_id, device_id=query.device_id, channel=query.channel)
    return AssignmentsOut(assignments={a.experiment.key: a.variant for a in found})
