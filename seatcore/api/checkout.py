"""The price of my hold before ordering: what the checkout page shows as the moviegoer picks a
coupon and points. Nothing is reserved; POST /api/v1/orders prices again and reserves."""

from __future__ import annotations

from typing import cast

from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Body, Endpoints
from seatcore.api.orders import SNACKS_FIELD, PriceOut, SnackAsk, snack_lines
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.orders.service import OrderService
from seatcore.runtime import Runtime

endpoints = Endpoints("orders")


class QuoteBody(Body):
    coupon_id: int | None = Field(default=None, ge=1, lt=MAX_ID)
    points: int = Field(default=0, ge=0, le=10_000_000)
    snacks: list[SnackAsk] = SNACKS_FIELD


class QuoteOut(Answer):
    price: PriceOut
    max_points: int = Field(description="the most points this order could take (members)")


@endpoints.post(
    "/api/v1/holds/{hold_id}/quote",
    "The price an order from my hold would have with this coupon and points (nothing reserved)",
    body=QuoteBody,
    answer=QuoteOut,
    auth="user",
    errors=(403, 404, 409, 422, 503),
)
async def quote_hold(request: Request, principal: Principal, body: QuoteBody) -> QuoteOut:
    runtime: Runtime = request.app.state.runtime
    service = cast(OrderService, runtime.extras["orders"])
    price, max_points = await service.quote(
        principal.id,
        str(request.path_params["hold_id"]),
        coupon_id=body.coupon_id,
        points=body.points,
        snacks=snack_lines(body.snacks),
    )
    return QuoteOut(price=PriceOut(**price.to_dict()), max_points=max_points)
