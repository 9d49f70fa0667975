"""Staff API: a cinema's snack menu (items and combos, pictures, stock, on/off sale), the counter
where snacks are picked up, and snack sales for the box office (docs/snacks.md).

Cinema staff see and change the snacks of their cinemas only (outside: 404, as for the rest of
the console). Setting ``stock`` sets what is left now; null means no limit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Body, Day, Endpoints, path_id, read_raw
from seatcore.api.orders import SnackLineOut
from seatcore.api.snacks import SnackOut, snack_out
from seatcore.api.staff._access import Scope, runtime_of, staff_scope
from seatcore.api.staff._query import StaffQuery
from seatcore.api.staff._scanned import QrOrCode
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.snacks import (
    MAX_CONTENTS,
    ComboPart,
    Snack,
    SnackKind,
    check_contents,
    normal_pickup_code,
)
from seatcore.door.keys import keyring_of
from seatcore.errors import NotFound
from seatcore.media.images import IMAGE_REQUEST_BODY
from seatcore.media.snack_pictures import MAIN_SIZE, store_snack_picture
from seatcore.snacks.pickup import code_of, pick_up
from seatcore.snacks.stock import stock_of
from seatcore.store import snacks as store

endpoints = Endpoints("staff: snacks")
DEFAULT_DAYS = 30
MAX_RANGE_DAYS = 366
REPORT_ZONE = "Asia/Shanghai"  # several cinemas at once: the chain's own calendar


class ComboPartIn(Body):
    name: str = Field(min_length=1, max_length=50)
    qty: int = Field(ge=1, le=20)


class SnackFields(Body):
    """A snack's fields; in a PATCH every field is optional and only those sent change."""

    nullable = frozenset({"stock"})

    kind: SnackKind | None = None
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)
    price_fen: int | None = Field(None, ge=1, le=1_000_000)
    stock: int | None = Field(None, ge=0, le=1_000_000, description="what is left now; null: no limit")
    on_sale: bool | None = None
    position: int | None = Field(None, ge=0, le=10_000, description="menu order, smallest first")
    contents: list[ComboPartIn] | None = Field(None, max_length=MAX_CONTENTS, description="combos only")


class NewSnack(SnackFields):
    nullable = frozenset({"stock"})

    kind: SnackKind = "item"
    name: str = Field(min_length=1, max_length=100)
    price_fen: int = Field(ge=1, le=1_000_000)


class StaffSnackOut(SnackOut):
    cinema_id: int
    on_sale: bool
    position: int
    stock: int | None = Field(description="what the staff last set; null: no limit")


class StaffSnackList(Answer):
    items: list[StaffSnackOut]


class PictureOut(Answer):
    snack: StaffSnackOut
    sizes: list[str] = Field(description="the stored sizes' urls")


class PickupBody(QrOrCode):
    code: str | None = Field(None, min_length=1, max_length=20, description="typed at the counter")


class PickupAnswer(Answer):
    order_id: str
    cinema_id: int
    code: str
    snacks: list[SnackLineOut]
    picked_up_at: dt.datetime
    picked_up_by: str


class SnackSalesQuery(StaffQuery):
    cinema_id: int | None = Field(None, ge=1, lt=MAX_ID, description="one cinema; default all of mine")
    from_: Day | None = Field(None, alias="from", description="first local date (default 30 days ago)")
    to: Day | None = Field(
        None, description=f"last local date, inclusive (default today); at most {MAX_RANGE_DAYS} days back"
    )


class SnackSalesLine(Answer):
    snack_id: int
    name: str
    qty: int
    revenue_fen: int


class SnackSalesOut(Answer):
    start: dt.date
    end: dt.date
    revenue_fen: int
    qty: int
    best_sellers: list[SnackSalesLine] = Field(description="by revenue, best first")


def _staff_out(snack: Snack, left: int | None) -> StaffSnackOut:
    return StaffSnackOut(
        **snack_out(snack, left).model_dump(),
        cinema_id=snack.cinema_id,
        on_sale=snack.on_sale,
        position=snack.position,
        stock=snack.stock,
    )


async def _staff_snack(request: Request, snack: Snack) -> StaffSnackOut:
    left = (await stock_of(runtime_of(request)).left(snack.cinema_id, [snack.id])).get(snack.id)
    return _staff_out(snack, left)


async def _my_cinema(request: Request, scope: Scope) -> int:
    """The path's cinema, when it exists and is the caller's (else 404)."""
    cinema_id = path_id(request)
    scope.require_cinema(cinema_id)
    if await store.cinema_timezone(runtime_of(request).db, cinema_id) is None:
        raise NotFound("no such cinema")
    return cinema_id


async def _scoped_snack(request: Request, scope: Scope) -> Snack:
    try:
        snack = await store.get(runtime_of(request).db, path_id(request))
    except NotFound:
        raise NotFound("no such snack") from None
    scope.require_cinema(snack.cinema_id, "snack")
    return snack


def _columns(body: SnackFields, kind: SnackKind, contents: tuple[ComboPart, ...]) -> dict[str, Any]:
    sent = body.sent()
    check_contents(kind, contents)
    return sent


@endpoints.get(
    "/api/v1/staff/cinemas/{id:int}/snacks",
    "The cinema's snacks, on and off sale, with stock",
    auth="staff",
    answer=StaffSnackList,
    errors=(404,),
)
async def staff_list_snacks(request: Request, principal: Principal) -> StaffSnackList:
    cinema_id = await _my_cinema(request, await staff_scope(request, principal))
    runtime = runtime_of(request)
    menu = await store.for_cinema(runtime.db, cinema_id)
    left = await stock_of(runtime).left(cinema_id, [snack.id for snack in menu])
    return StaffSnackList(items=[_staff_out(snack, left.get(snack.id)) for snack in menu])


@endpoints.post(
    "/api/v1/staff/cinemas/{id:int}/snacks",
    "Add a snack (item or combo) to the cinema's menu",
    auth="staff",
    body=NewSnack,
    answer=StaffSnackOut,
    status=201,
    errors=(404, 409),
)
async def staff_create_snack(request: Request, principal: Principal, body: NewSnack) -> StaffSnackOut:
    scope = await staff_scope(request, principal)
    cinema_id = await _my_cinema(request, scope)
    runtime = runtime_of(request)
    contents = tuple(ComboPart(p.name, p.qty) for p in body.contents or ())
    columns = _columns(body, body.kind, contents)
    columns.setdefault("kind", body.kind)
    snack = await store.create(runtime.db, scope.actor, cinema_id, columns)
    await stock_of(runtime).set(cinema_id, snack.id, snack.stock)
    return await _staff_snack(request, snack)


@endpoints.get(
    "/api/v1/staff/snacks/{id:int}", "One snack", auth="staff", answer=StaffSnackOut, errors=(404,)
)
async def staff_get_snack(request: Request, principal: Principal) -> StaffSnackOut:
    scope = await staff_scope(request, principal)
    return await _staff_snack(request, await _scoped_snack(request, scope))


@endpoints.patch(
    "/api/v1/staff/snacks/{id:int}",
    "Change a snack: name, price, stock (what is left now; null: no limit), on/off sale, order...",
    auth="staff",
    body=SnackFields,
    answer=StaffSnackOut,
    errors=(404, 409),
)
async def staff_update_snack(request: Request, principal: Principal, body: SnackFields) -> StaffSnackOut:
    scope = await staff_scope(request, principal)
    snack = await _scoped_snack(request, scope)
    kind = body.kind or snack.kind
    contents = (
        tuple(ComboPart(p.name, p.qty) for p in body.contents)
        if body.contents is not None
        else snack.contents
    )
    if body.kind == "item" and body.contents is None:
        contents = ()
    columns = _columns(body, kind, contents)
    if body.kind == "item":
        columns["contents"] = []
    runtime = runtime_of(request)
    updated = await store.update_snack(runtime.db, scope.actor, snack, columns)
    if "stock" in columns:
        await stock_of(runtime).set(updated.cinema_id, updated.id, updated.stock)
    return await _staff_snack(request, updated)


@endpoints.put(
    "/api/v1/staff/snacks/{id:int}/picture",
    "Upload a snack's picture: the body is the image; 422 image_invalid unless it decodes as a PNG, "
    "JPEG or WebP within the limits; stored re-encoded, square, at each menu size",
    auth="staff",
    answer=PictureOut,
    errors=(400, 404, 413, 422, 503),
    extra={"requestBody": IMAGE_REQUEST_BODY},
)
async def staff_upload_snack_picture(request: Request, principal: Principal) -> PictureOut:
    scope = await staff_scope(request, principal)
    snack = await _scoped_snack(request, scope)
    runtime = runtime_of(request)
    data = await read_raw(request, runtime.settings.poster_max_bytes)
    sizes = await store_snack_picture(runtime.settings, snack.id, data)
    main = next(size for size in sizes if size.name == MAIN_SIZE)
    updated = await store.update_snack(runtime.db, scope.actor, snack, {"picture_url": main.url})
    return PictureOut(snack=await _staff_snack(request, updated), sizes=[size.url for size in sizes])


@endpoints.post(
    "/api/v1/staff/snack-pickups",
    "Hand over an order's snacks at the counter, once: by the pickup code or the scanned pickup QR",
    auth="staff",
    body=PickupBody,
    answer=PickupAnswer,
    errors=(404, 409, 422),
)
async def staff_snack_pickup(request: Request, principal: Principal, body: PickupBody) -> PickupAnswer:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    if body.qr is not None:
        code = code_of(keyring_of(runtime), body.qr)
    else:
        typed = normal_pickup_code(body.code or "")
        if typed is None:  # a typing slip: no order has it, as for a well-formed unknown code
            raise NotFound("no order has this pickup code here")
        code = typed
    done = await pick_up(runtime.db, scope.cinema_ids, code, f"staff:{scope.actor.username}")
    zone = ZoneInfo(await store.cinema_timezone(runtime.db, done.cinema_id) or "UTC")
    return PickupAnswer(
        order_id=done.order_id,
        cinema_id=done.cinema_id,
        code=done.code,
        snacks=[SnackLineOut(id=s.id, name=s.name, qty=s.qty, price_fen=s.price_fen) for s in done.snacks],
        picked_up_at=done.picked_up_at.astimezone(zone),
        picked_up_by=done.picked_up_by,
    )


@endpoints.get(
    "/api/v1/staff/boxoffice/snacks",
    "Snack revenue and best sellers over local dates from..to (paid orders, refunds left out)",
    auth="staff",
    query=SnackSalesQuery,
    answer=SnackSalesOut,
    errors=(404,),
)
async def staff_snack_sales(request: Request, principal: Principal, query: SnackSalesQuery) -> SnackSalesOut:
    scope = await staff_scope(request, principal)
    cinema_ids = scope.narrowed(query.cinema_id)
    runtime = runtime_of(request)
    zone_name = REPORT_ZONE
    if query.cinema_id is not None:
        zone_name = await store.cinema_timezone(runtime.db, query.cinema_id) or REPORT_ZONE
    zone = ZoneInfo(zone_name)
    end = query.to or dt.datetime.now(zone).date()
    start = query.from_ or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    start = max(start, end - dt.timedelta(days=MAX_RANGE_DAYS - 1))  # from after to: nothing sold
    since = dt.datetime.combine(start, dt.time(), zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)
    lines = await store.sales(runtime.reports_db, cinema_ids, since, until)
    return SnackSalesOut(
        start=start,
        end=end,
        revenue_fen=sum(line.revenue_fen for line in lines),
        qty=sum(line.qty for line in lines),
        best_sellers=[
            SnackSalesLine(snack_id=x.snack_id, name=x.name, qty=x.qty, revenue_fen=x.revenue_fen)
            for x in lines
        ],
    )
