"""A premiere's waiting room at the edge: staff open and close it, fans take their place and,
once admitted, get the token their holds on that showtime must carry (``X-Admission-Token``).
The rules live in seatcore.waitingroom."""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from seatcore.api._http import Answer, Body, Endpoints, path_id
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.api.staff.showtimes import load_showtime
from seatcore.auth.principal import Principal
from seatcore.errors import NotFound
from seatcore.waitingroom.line import RoomRules

endpoints = Endpoints("waiting room")

ROOM_PATH = "/api/v1/staff/showtimes/{id:int}/waiting-room"


class RoomBody(Body):
    opens_at: dt.datetime  # the on-sale moment; fans who come before it get a random place
    per_minute: int = Field(ge=1, le=1_000_000)  # admissions a minute
    window_s: int = Field(default=600, ge=60, le=7200)  # how long an admitted fan may shop


class RoomOut(Answer):
    showtime_id: int
    opens_at: dt.datetime
    per_minute: int
    window_s: int


class PlaceOut(Answer):
    showtime_id: int
    place: int  # 0-based; before the opening it is provisional (early places are drawn then)
    admitted: bool
    estimated_wait_s: int
    token: str | None  # send as X-Admission-Token with holds of this showtime
    token_expires_at: dt.datetime | None


def _moment(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


@endpoints.put(
    ROOM_PATH, "Open a waiting room for the showtime's on-sale", auth="staff", body=RoomBody, answer=RoomOut
)
async def staff_open_room(request: Request, principal: Principal, body: RoomBody) -> RoomOut:
    scope = await staff_scope(request, principal)
    show = await load_showtime(request, scope, path_id(request))
    opens_at_ms = int(body.opens_at.timestamp() * 1000)
    await runtime_of(request).waiting_rooms.open(
        show.id, RoomRules(opens_at_ms, body.per_minute, body.window_s)
    )
    return RoomOut(
        showtime_id=show.id, opens_at=_moment(opens_at_ms), per_minute=body.per_minute, window_s=body.window_s
    )


@endpoints.delete(ROOM_PATH, "Close the waiting room: holds no longer need a token", auth="staff", status=204)
async def staff_close_room(request: Request, principal: Principal) -> Response:
    scope = await staff_scope(request, principal)
    show = await load_showtime(request, scope, path_id(request))
    await runtime_of(request).waiting_rooms.close(show.id)
    return Response(status_code=204)


@endpoints.post(
    "/api/v1/showtimes/{id:int}/waiting-room",
    "Take (or look at) my place in the showtime's waiting room; admitted fans get their token",
    auth="user",
    answer=PlaceOut,
    errors=(404,),
)
async def join_room(request: Request, principal: Principal) -> PlaceOut:
    showtime_id = path_id(request)
    place = await runtime_of(request).waiting_rooms.join(showtime_id, principal.id)
    if place is None:
        raise NotFound("this showtime has no waiting room", code="no_waiting_room")
    return PlaceOut(
        showtime_id=showtime_id,
        place=place.place,
        admitted=place.admitted,
        estimated_wait_s=place.wait_s,
        token=place.token,
        token_expires_at=None if place.token_expires_ms is None else _moment(place.token_expires_ms),
    )
