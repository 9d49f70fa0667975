"""The seat map and holds: read a showtime's seats, hold seats (named or best available), and read,
extend or release my hold. The rules live in the engine (seatcore.engine); this edge parses,
calls and answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, model_validator
from starlette.requests import Request
from starlette.responses import Response

from seatcore.analytics import events as analytics
from seatcore.api._http import Answer, Body, Endpoints, HeaderParam, path_id
from seatcore.auth.principal import Principal
from seatcore.engine.background import seat_engine
from seatcore.engine.loader import ShowInfo
from seatcore.engine.records import Hold
from seatcore.engine.service import SeatEngine
from seatcore.errors import SeatError
from seatcore.loyalty.service import Loyalty
from seatcore.runtime import Runtime
from seatcore.waitingroom.tokens import MAX_TOKEN_CHARS

endpoints = Endpoints("seats")
SeatIdText = Annotated[str, Field(min_length=1, max_length=32)]
SEAT_ERRORS = (403, 404, 409, 429)
ADMISSION_TOKEN = HeaderParam(
    "X-Admission-Token",
    "While the showtime's waiting room is open: the token it gave the caller on admission "
    "(403 admission_required without a valid one; docs/scaling.md).",
    required=False,
    max_length=MAX_TOKEN_CHARS,
    pattern=r"^[0-9a-f.]+$",
)


class HoldBody(Body):
    """Either ``seats`` (the seats to hold) or ``best`` (how many, optionally in ``zone``)."""

    # The document states the one-way rule too, so generated clients send one or the other.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["seats"], "not": {"anyOf": [{"required": ["best"]}, {"required": ["zone"]}]}},
                {"required": ["best"], "not": {"required": ["seats"]}},
            ]
        }
    )
    nullable = frozenset()

    seats: list[SeatIdText] | None = Field(
        default=None, min_length=1, max_length=50, json_schema_extra={"uniqueItems": True}
    )
    best: int | None = Field(default=None, ge=1, le=50)
    zone: str | None = Field(default=None, min_length=1, max_length=32)
    accessible: bool = False  # required to hold wheelchair spaces; best then picks a block with one

    @model_validator(mode="after")
    def _one_way(self) -> HoldBody:
        if (self.seats is None) == (self.best is None):
            raise ValueError("send seats or best, not both or neither")
        if self.zone is not None and self.best is None:
            raise ValueError("zone goes with best")
        if self.seats is not None and len(set(self.seats)) != len(self.seats):
            raise ValueError("a seat is named twice")
        return self


class HoldOut(Answer):
    id: str
    showtime_id: int
    seats: list[str]
    expires_at: datetime
    max_expires_at: datetime
    amount_fen: int


class SeatMap(Answer):
    showtime_id: int
    seq: int
    epoch: str
    layout: dict[str, Any]
    prices: dict[str, int]
    states: dict[str, Literal["free", "held", "sold"]]
    mine: list[str]
    my_hold: HoldOut | None
    sales_open: bool


def _engine(request: Request) -> SeatEngine:
    return seat_engine(request.app.state.runtime)


def hold_doc(hold: Hold, info: ShowInfo) -> dict[str, Any]:
    """A hold as the API answers it: the HoldOut document, built as a dict (no model to validate
    on the hold path; the fuzz test checks answers against the schema), times in the cinema's zone."""
    zone = ZoneInfo(info.seating.timezone)
    return {
        "id": hold.id,
        "showtime_id": hold.showtime_id,
        "seats": list(hold.seats),
        "expires_at": datetime.fromtimestamp(hold.expires_at_ms / 1000, zone),
        "max_expires_at": datetime.fromtimestamp(hold.max_expires_at_ms / 1000, zone),
        "amount_fen": hold.amount_fen,
    }


@endpoints.get(
    "/api/v1/showtimes/{id:int}/seats",
    "The seat map: layout, prices and every seat's state at a sequence number",
    auth="optional",
    answer=SeatMap,
)
async def seat_map(request: Request, principal: Principal | None) -> SeatMap:
    engine = _engine(request)
    showtime_id = path_id(request)
    info = await engine.info(showtime_id)
    user_id = principal.id if principal is not None and principal.kind == "user" else None
    snapshot = await engine.snapshot(showtime_id, user_id)
    return SeatMap(
        showtime_id=showtime_id,
        seq=snapshot.seq,
        epoch=snapshot.epoch,
        layout=info.layout_json,
        prices=info.seating.prices,
        states=snapshot.states,
        mine=snapshot.mine,
        my_hold=None if snapshot.my_hold is None else HoldOut(**hold_doc(snapshot.my_hold, info)),
        sales_open=info.selling(engine.now_ms()),
    )


async def check_on_sale(runtime: Runtime, info: ShowInfo, user_id: int, now: datetime) -> None:
    """Before a showtime's general on-sale moment only members whose tier's early booking has
    begun may hold: others get 409 ``sales_not_open`` with the moment it opens to them."""
    on_sale_at = info.seating.on_sale_at
    if on_sale_at is None or now >= on_sale_at:
        return
    opens_at = await Loyalty(runtime).opens_for(user_id, on_sale_at)
    if now < opens_at:
        raise SeatError(
            "this showtime is not on sale yet",
            code="sales_not_open",
            opens_at=opens_at.astimezone(ZoneInfo(info.seating.timezone)).isoformat(),
        )


@endpoints.post(
    "/api/v1/showtimes/{id:int}/holds",
    "Hold seats: the ones named, or the best block of N",
    auth="user",
    body=HoldBody,
    answer=HoldOut,
    status=201,
    errors=SEAT_ERRORS,
    headers=(ADMISSION_TOKEN,),
)
async def create_hold(request: Request, principal: Principal, body: HoldBody) -> dict[str, Any]:
    engine = _engine(request)
    showtime_id = path_id(request)
    now = datetime.fromtimestamp(engine.now_ms() / 1000, UTC)
    await check_on_sale(request.app.state.runtime, await engine.info(showtime_id), principal.id, now)
    rooms = request.app.state.runtime.waiting_rooms  # a premiere's on-sale: admitted fans only
    await rooms.check_hold(showtime_id, principal.id, request.headers.get("x-admission-token"))
    asking = engine.hold(
        showtime_id,
        principal.id,
        seats=body.seats,
        best=body.best,
        zone=body.zone,
        accessible=body.accessible,
    )
    hold = await analytics.hold_outcome(request, principal.id, showtime_id, asking)
    return hold_doc(hold, await engine.info(showtime_id))


@endpoints.get("/api/v1/holds/{hold_id}", "My hold", auth="user", answer=HoldOut, errors=(403, 404, 409))
async def get_hold(request: Request, principal: Principal) -> dict[str, Any]:
    engine = _engine(request)
    hold = await engine.get_hold(request.path_params["hold_id"], principal.id)
    return hold_doc(hold, await engine.info(hold.showtime_id))


@endpoints.post(
    "/api/v1/holds/{hold_id}/extend",
    "Give my hold more time, up to its hard maximum",
    auth="user",
    answer=HoldOut,
    errors=(403, 404, 409),
)
async def extend_hold(request: Request, principal: Principal) -> dict[str, Any]:
    engine = _engine(request)
    hold = await engine.extend(request.path_params["hold_id"], principal.id)
    return hold_doc(hold, await engine.info(hold.showtime_id))


@endpoints.delete(
    "/api/v1/holds/{hold_id}",
    "Release my hold: its seats are free again",
    auth="user",
    status=204,
    errors=(403, 404, 409),
)
async def release_hold(request: Request, principal: Principal) -> Response:
    await _engine(request).release(request.path_params["hold_id"], principal.id)
    return Response(status_code=204)
