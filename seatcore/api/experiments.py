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
from seatcore.runtime import Runtime

endpoints = Endpoints("experiments")

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
)
async def my_assignments(
    request: Request, principal: Principal | None, query: AssignmentsQuery
) -> AssignmentsOut:
    runtime: Runtime = request.app.state.runtime
    user_id = principal.id if principal is not None and principal.kind == "user" else None
    found = await assignments_for(runtime, user_id=user_id, device_id=query.device_id, channel=query.channel)
    return AssignmentsOut(assignments={a.experiment.key: a.variant for a in found})
