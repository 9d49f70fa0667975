"""A premiere's waiting room at the edge: staff open, look at and close it; fans take their
place (and watch it move over ``WS /ws/showtimes/{id}/waiting-room``), leave it, and once admitted
get the token their holds on that showtime must carry (``X-Admission-Token``). The rules live in
seatcore.waitingroom."""

from __future__ import annotations

import datetime as dt
from typing import Self

from pydantic import ConfigDict, Field, model_validator
from starlette.requests import Request
from starlette.responses import Response

from seatcore import keys
from seatcore.api._http import Answer, Body, Endpoints, path_id
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.api.staff.showtimes import load_showtime
from seatcore.auth.principal import Principal
from seatcore.errors import NotFound
from seatcore.waitingroom.line import RoomRules
from seatcore.waitingroom.room import Place

endpoints = Endpoints("waiting room")

ROOM_PATH = "/api/v1/staff/showtimes/{id:int}/waiting-room"
PLACE_PATH = "/api/v1/showtimes/{id:int}/waiting-room"


class RoomBody(Body):
    # The document states the rule too: at least one dial, and on.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["per_minute"], "properties": {"per_minute": {"minimum": 1}}},
                {"required": ["cap"], "properties": {"cap": {"minimum": 1}}},
            ]
        }
    )

    opens_at: dt.datetime  # the on-sale moment; fans who come before it get a random place
    per_minute: int = Field(default=0, ge=0, le=1_000_000)  # admissions a minute; 0: no rate
    cap: int = Field(default=0, ge=0, le=1_000_000)  # fans shopping at once; 0: no cap
    window_s: int = Field(default=600, ge=60, le=7200)  # how long an admitted fan may shop
    grace_s: int | None = Field(default=None, ge=10, le=3600)  # default: the service's setting

    @model_validator(mode="after")
    def _a_dial(self) -> Self:
        if not self.per_minute and not self.cap:
            raise ValueError("give per_minute, cap or both")
        return self


class RoomOut(Answer):
    showtime_id: int
    opens_at: dt.datetime
    per_minute: int
    cap: int
    window_s: int
    grace_s: int


class RoomStateOut(RoomOut):
    waiting: int  # places in line (lost ones included until the front reaches them)
    served: int  # places taken off the front so far (admitted, or skipped: lost places)
    admitted: int  # fans let in so far
    shopping: int  # fans admitted whose shopping is not over


class PlaceOut(Answer):
    showtime_id: int
    place: int  # fans ahead (0: next); before the opening it is provisional (early places are drawn then)
    number: int  # the place's number: admitted once `served` (pushed over the socket) passes it
    served: int
    open: bool  # false before the opening
    admitted: bool
    estimated_wait_s: int
    token: str | None  # send as X-Admission-Token with holds of this showtime
    token_expires_at: dt.datetime | None


def _moment(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def _room_out(showtime_id: int, rules: RoomRules) -> RoomOut:
    return RoomOut(
        showtime_id=showtime_id,
        opens_at=_moment(rules.opens_at_ms),
        per_minute=rules.per_minute,
        cap=rules.cap,
        window_s=rules.window_s,
        grace_s=rules.grace_s,
    )


def place_out(showtime_id: int, place: Place) -> PlaceOut:
    return PlaceOut(
        showtime_id=showtime_id,
        place=place.place,
        number=place.number,
        served=place.served,
        open=place.open,
        admitted=place.admitted,
        estimated_wait_s=place.wait_s,
        token=place.token,
        token_expires_at=None if place.token_expires_ms is None else _moment(place.token_expires_ms),
    )


@endpoints.put(
    ROOM_PATH,
    "Open a waiting room for the showtime's on-sale (or change its dials)",
    auth="staff",
    body=RoomBody,
    answer=RoomOut,
)
async def staff_open_room(request: Request, principal: Principal, body: RoomBody) -> RoomOut:
    scope = await staff_scope(request, principal)
    show = await load_showtime(request, scope, path_id(request))
    runtime = runtime_of(request)
    rules = RoomRules(
        int(body.opens_at.timestamp() * 1000),
        body.per_minute,
        body.window_s,
        cap=body.cap,
        grace_s=body.grace_s or runtime.settings.waiting_room_grace_s,
    )
    await runtime.waiting_rooms.open(show.id, rules)
    return _room_out(show.id, rules)


@endpoints.get(
    ROOM_PATH,
    "The waiting room's dials and how its line stands",
    auth="staff",
    answer=RoomStateOut,
    errors=(404,),
)
async def staff_room_state(request: Request, principal: Principal) -> RoomStateOut:
    scope = await staff_scope(request, principal)
    show = await load_showtime(request, scope, path_id(request))
    rooms = runtime_of(request).waiting_rooms
    progress = await rooms.advance(show.id)
    rules = await rooms.rules(show.id)
    if progress is None or rules is None:
        raise NotFound("this showtime has no waiting room", code="no_waiting_room")
    redis = runtime_of(request).redis
    waiting = await redis.zcard(keys.waiting_room(show.id, "line"))
    admitted = int(await redis.hget(keys.waiting_room(show.id, "state"), "admitted") or 0)
    return RoomStateOut(
        **_room_out(show.id, rules).model_dump(),
        waiting=waiting,
        served=progress.served,
        admitted=admitted,
        shopping=progress.shopping,
    )


@endpoints.delete(ROOM_PATH, "Close the waiting room: holds no longer need a token", auth="staff", status=204)
async def staff_close_room(request: Request, principal: Principal) -> Response:
    scope = await staff_scope(request, principal)
    show = await load_showtime(request, scope, path_id(request))
    await runtime_of(request).waiting_rooms.close(show.id)
    return Response(status_code=204)


@endpoints.post(
    PLACE_PATH,
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
    return place_out(showtime_id, place)


@endpoints.delete(
    PLACE_PATH,
    "Leave the waiting room: my place in line, or my shopping slot, goes to the next fan",
    auth="user",
    status=204,
    errors=(404,),
)
async def leave_room(request: Request, principal: Principal) -> Response:
    showtime_id = path_id(request)
    rooms = runtime_of(request).waiting_rooms
    if await rooms.rules(showtime_id) is None:
        raise NotFound("this showtime has no waiting room", code="no_waiting_room")
    await rooms.leave(showtime_id, principal.id)
    return Response(status_code=204)
