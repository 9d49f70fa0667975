"""A cinema's snack menu for moviegoers: items and combos on sale, in the cinema's order, with
what is left of each (docs/snacks.md). Bought with tickets (``snacks`` on POST /api/v1/orders) or
alone (POST /api/v1/snack-orders), then paid, refunded and shown as any order."""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from seatcore.analytics import events as analytics
from seatcore.api._http import Answer, Body, Endpoints, path_id
from seatcore.api.orders import (
    IDEMPOTENCY_KEY,
    ORDER_ERRORS,
    OrderOut,
    PriceOut,
    SnackAsk,
    answers,
    idempotent,
    made_first,
    order_service,
    pass_issuer,
    snack_lines,
)
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.snacks import MAX_LINES, Snack, SnackKind
from seatcore.errors import NotFound
from seatcore.orders import idempotency
from seatcore.orders.snacks_alone import request_of
from seatcore.runtime import Runtime
from seatcore.snacks.stock import stock_of
from seatcore.store import snacks as store

endpoints = Endpoints("snacks")


class ComboPartOut(Answer):
    name: str
    qty: int


class SnackOut(Answer):
    id: int
    kind: SnackKind
    name: str
    description: str
    price_fen: int
    picture_url: str | None
    stock_left: int | None = Field(description="what is left now; null: no stock limit")
    contents: list[ComboPartOut] = Field(description="what a combo holds; [] for an item")


class SnackMenu(Answer):
    items: list[SnackOut]


def snack_out(snack: Snack, left: int | None) -> SnackOut:
    return SnackOut(
        id=snack.id,
        kind=snack.kind,
        name=snack.name,
        description=snack.description,
        price_fen=snack.price_fen,
        picture_url=snack.picture_url or None,
        stock_left=left,
        contents=[ComboPartOut(name=part.name, qty=part.qty) for part in snack.contents],
    )


@endpoints.get(
    "/api/v1/cinemas/{id:int}/snacks",
    "The cinema's snacks on sale, in menu order, with the stock left",
    answer=SnackMenu,
    errors=(404,),
)
async def cinema_snacks(request: Request) -> SnackMenu:
    runtime: Runtime = request.app.state.runtime
    cinema_id = path_id(request)
    if await store.cinema_timezone(runtime.db, cinema_id) is None:
        raise NotFound("no such cinema", cinema_id=cinema_id)
    menu = await store.for_cinema(runtime.db, cinema_id, on_sale_only=True)
    left = await stock_of(runtime).left(cinema_id, [snack.id for snack in menu])
    return SnackMenu(items=[snack_out(snack, left.get(snack.id)) for snack in menu])


class SnackOrderBody(Body):
    cinema_id: int = Field(ge=1, lt=MAX_ID, description="the cinema whose menu the snacks are from")
    snacks: list[SnackAsk] = Field(min_length=1, max_length=MAX_LINES, description="what to buy")
    points: int = Field(default=0, ge=0, le=10_000_000, description="points to spend (members)")


@endpoints.post(
    "/api/v1/snack-orders",
    "Buy snacks alone, without a ticket (priced by the server, paid with /orders/{id}/pay; needs "
    "Idempotency-Key)",
    body=SnackOrderBody,
    answer=OrderOut,
    status=201,
    auth="user",
    errors=ORDER_ERRORS,
    headers=(IDEMPOTENCY_KEY,),
)
async def create_snack_order(request: Request, principal: Principal, body: SnackOrderBody) -> Response:
    service = order_service(request)
    request_name = request_of(idempotency.check_key(request.headers.get(idempotency.HEADER)))

    async def work() -> OrderOut:
        order = await service.create_snacks(
            principal.id, body.cinema_id, snack_lines(body.snacks), points=body.points, request=request_name
        )
        analytics.record_placed(request, order)
        return (await answers(service, [order], pass_issuer(request)))[0]

    return await idempotent(request, principal, body, 201, work, made_first(request, principal, work))


class SnackQuoteOut(Answer):
    price: PriceOut
    max_points: int = Field(description="the most points this order could take (members)")


@endpoints.post(
    "/api/v1/snack-orders/quote",
    "What buying these snacks alone would cost with these points, and the most points it could "
    "take (nothing reserved)",
    body=SnackOrderBody,
    answer=SnackQuoteOut,
    auth="user",
    errors=(404, 409, 422, 503),
)
async def quote_snack_order(request: Request, principal: Principal, body: SnackOrderBody) -> SnackQuoteOut:
    price, max_points = await order_service(request).quote_snacks(
        principal.id, body.cinema_id, snack_lines(body.snacks), points=body.points
    )
    return SnackQuoteOut(price=PriceOut(**price.to_dict()), max_points=max_points)
