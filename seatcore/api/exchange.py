"""Refund quotes, exchanges (改签), and the cinemas' refund and exchange policies.

The moviegoer asks what a refund would cost before confirming it (``refund-quote``), and moves a
ticketed order to seats held on another showtime (``exchange``, an Idempotency-Key call like the
other money calls). Staff read and set their cinemas' policies. The rules live in
seatcore.domain.refunds and seatcore.orders.exchange; this edge parses, calls and answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from seatcore.api._http import Answer, Body, Endpoints, JSONResponse, Query, path_id
from seatcore.api.orders import (
    IDEMPOTENCY_KEY,
    ORDER_ERRORS,
    OrderOut,
    order_id_in,
    order_out,
    order_service,
)
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.api.staff.cinemas import load_cinema
from seatcore.auth.principal import Principal
from seatcore.domain.refunds import MAX_MINUTES, MAX_TIERS, RefundPolicy, policy_from_dict
from seatcore.orders import idempotency, store
from seatcore.orders.exchange import Outcome
from seatcore.orders.ids import showtime_of
from seatcore.orders.records import now_utc
from seatcore.orders.service import OrderService
from seatcore.store import quotas, refund_policies

endpoints = Endpoints("exchanges and refund fees")
NEW_AMOUNT = (
    "what the tickets hold at the new seats, before the fee: the difference of the seats at the "
    "caller's member price (the coupon and points keep their value; docs/exchange.md)"
)


class ExchangeBody(Body):
    hold_id: Annotated[str, Field(min_length=1, max_length=64)]


class ExchangeOut(Answer):
    state: str = Field(description="paying (the second payment is due), done, or on its way")
    from_showtime_id: int
    to_showtime_id: int
    old_amount_fen: int = Field(description="what the order's tickets held before (snacks apart)")
    new_amount_fen: int = Field(description=NEW_AMOUNT)
    fee_fen: int
    pay_fen: int = Field(description="the second payment (the new seats and fee cost more)")
    refund_fen: int = Field(description="the difference refunded (they cost less)")
    free_exchange: bool = Field(description="a member's free exchange of the month waived the fee")
    free_exchanges_left: int = Field(description="the member's free exchanges left this month")
    pay_params: dict[str, str] | None = Field(description="while paying: what wx.requestPayment takes")


class ExchangeQuoteQuery(Query):
    hold_id: str = Field(min_length=1, max_length=64, description="my live hold on the new showtime")


class ExchangeQuoteOut(Answer):
    order_id: str
    from_showtime_id: int
    to_showtime_id: int
    seats: list[str] = Field(description="the new seats")
    old_amount_fen: int = Field(description="what the order's tickets hold now (snacks apart)")
    new_amount_fen: int = Field(description=NEW_AMOUNT)
    difference_fen: int = Field(description="new - old, before the fee (negative: cheaper)")
    fee_fen: int = Field(description="the cinema's exchange fee (per seat, times the seats); 0 when waived")
    free_exchange: bool = Field(description="the member's free exchange of the month waives the fee")
    waived_fee_fen: int = Field(description="the fee the free exchange waives")
    free_exchanges_left: int = Field(description="free exchanges left this month, before this one")
    pay_fen: int = Field(description="to pay: the new price and the fee less what the order holds")
    refund_fen: int = Field(description="to get back: what the order holds less the new price and the fee")
    deadline: datetime = Field(description="the exchange cut-off, in the cinema's time zone")


class ExchangedOrderOut(OrderOut):
    exchange: ExchangeOut


class RefundQuoteOut(Answer):
    order_id: str
    refundable: bool
    refusal: str | None = Field(description="why not: refund_closed, refund_premiere")
    paid_fen: int = Field(description="the money the order holds")
    fee_percent: int
    fee_fen: int = Field(description="what the cinema keeps")
    refund_fen: int = Field(description="what comes back")
    deadline: datetime | None = Field(description="when this fee tier ends (or the last one ended)")
    free_refund: bool = Field(description="a member's free refund of the month waives the fee")
    free_refunds_left: int = Field(description="the member's free refunds left this month (before this one)")
    points_back: int = Field(description="of the points the order spent: the fee keeps its share")
    coupon_back: bool = Field(description="the order's coupon comes back (its campaign says so, still valid)")


class FeeTierIO(Body):
    until_before_min: int = Field(ge=0, le=MAX_MINUTES, description="the tier lasts until this long before")
    fee_percent: int = Field(ge=0, le=100)


class PolicyIO(Body):
    tiers: list[FeeTierIO] = Field(max_length=MAX_TIERS, description="no tiers: no refunds at all")
    refuse_premieres: bool = False
    exchange_until_before_min: int = Field(default=30, ge=0, le=MAX_MINUTES)
    exchange_fee_fen: int = Field(default=0, ge=0, le=1_000_000, description="per seat")
    exchange_other_cinemas: bool = False


class PolicyOut(PolicyIO):
    cinema_id: int
    custom: bool = Field(description="false: the default (a full refund until the cinema's deadline)")


async def _exchanged(service: OrderService, outcome: Outcome) -> ExchangedOrderOut:
    ex, order = outcome.exchange, outcome.order
    showtime_id = order.showtime_id or ex.to_showtime_id  # an exchanged order always has one
    show = (await store.showtime_info(service.db, [showtime_id])).get(showtime_id)
    out = order_out(order, show, service)
    month = quotas.month_of(now_utc(), show.timezone if show else "UTC")
    left = await quotas.left(service.db, order.user_id, month)
    async with service.db.connect() as conn:
        free = await quotas.has_use(conn, "exchange", order.id)
    return ExchangedOrderOut(
        **out.model_dump(),
        exchange=ExchangeOut(
            state=ex.state,
            from_showtime_id=ex.from_showtime_id,
            to_showtime_id=ex.to_showtime_id,
            old_amount_fen=ex.old_amount_fen,
            new_amount_fen=ex.new_amount_fen,
            fee_fen=ex.fee_fen,
            pay_fen=ex.pay_fen,
            refund_fen=ex.refund_fen,
            free_exchange=free,
            free_exchanges_left=left["exchange"],
            pay_params=outcome.pay_params,
        ),
    )


@endpoints.post(
    "/api/v1/orders/{order_id}/exchange",
    "Exchange (改签) my ticketed order to the seats of my hold on another showtime of the movie: 200 "
    "with the new tickets, or 202 while a second payment for a dearer exchange is due (pay it with "
    "pay_params, then call again with the same hold); needs Idempotency-Key",
    body=ExchangeBody,
    answer=ExchangedOrderOut,
    auth="user",
    errors=(*ORDER_ERRORS, 403, 422),
    headers=(IDEMPOTENCY_KEY,),
    extra={"also_succeeds": {202: "the second payment is due: pay with exchange.pay_params"}},
)
async def exchange_order(request: Request, principal: Principal, body: ExchangeBody) -> Response:
    service = order_service(request)
    order_id = order_id_in(request)
    key = idempotency.check_key(request.headers.get(idempotency.HEADER))
    fingerprint = idempotency.fingerprint(request.method, request.url.path, body.model_dump_json().encode())

    async def work() -> idempotency.Answer:
        outcome = await service.exchanges.exchange(principal.id, order_id, body.hold_id)
        status = 202 if outcome.exchange.state == "paying" else 200
        return idempotency.Answer(status, (await _exchanged(service, outcome)).model_dump(mode="json"))

    answer = await service.idempotency.run(principal.id, key, fingerprint, work, resume=work)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


@endpoints.get(
    "/api/v1/orders/{order_id}/exchange-quote",
    "What exchanging my ticketed order to the seats of my hold would cost (the difference, the fee or "
    "the member's free exchange), before confirming it; refused with the exchange's own codes",
    query=ExchangeQuoteQuery,
    answer=ExchangeQuoteOut,
    auth="user",
    errors=(*ORDER_ERRORS, 403, 422),
)
async def exchange_quote(
    request: Request, principal: Principal, query: ExchangeQuoteQuery
) -> ExchangeQuoteOut:
    service = order_service(request)
    order_id = order_id_in(request)
    plan = await service.exchanges.quote(principal.id, order_id, query.hold_id)
    ex = plan.exchange
    return ExchangeQuoteOut(
        order_id=order_id,
        from_showtime_id=ex.from_showtime_id,
        to_showtime_id=ex.to_showtime_id,
        seats=ex.seats,
        old_amount_fen=ex.old_amount_fen,
        new_amount_fen=ex.new_amount_fen,
        difference_fen=ex.new_amount_fen - ex.old_amount_fen,
        fee_fen=ex.fee_fen,
        free_exchange=plan.free_month is not None,
        waived_fee_fen=plan.waived_fee_fen,
        free_exchanges_left=plan.free_left,
        pay_fen=ex.pay_fen,
        refund_fen=ex.refund_fen,
        deadline=plan.deadline,
    )


@endpoints.get(
    "/api/v1/orders/{order_id}/refund-quote",
    "What a refund of my ticketed order would keep (the fee) and give back, under the cinema's tiers",
    answer=RefundQuoteOut,
    auth="user",
    errors=(404, 409),
)
async def refund_quote(request: Request, principal: Principal) -> RefundQuoteOut:
    service = order_service(request)
    order_id = order_id_in(request)
    found = await service.refund_quote(principal.id, order_id)
    quoted = found.quote
    shows = await store.showtime_info(service.db, [showtime_of(order_id) or 0])
    zone = next(iter(shows.values())).timezone if shows else "UTC"
    return RefundQuoteOut(
        order_id=order_id,
        refundable=quoted.refusal is None,
        refusal=quoted.refusal,
        paid_fen=quoted.paid_fen,
        fee_percent=quoted.fee_percent,
        fee_fen=quoted.fee_fen,
        refund_fen=quoted.refund_fen,
        deadline=quoted.deadline.astimezone(ZoneInfo(zone)) if quoted.deadline else None,
        free_refund=quoted.free,
        free_refunds_left=found.free_refunds_left,
        points_back=quoted.points_back,
        coupon_back=quoted.coupon_back,
    )


def _policy_out(cinema_id: int, policy: RefundPolicy, custom: bool) -> PolicyOut:
    return PolicyOut(cinema_id=cinema_id, custom=custom, **policy.to_dict())


@endpoints.get(
    "/api/v1/staff/cinemas/{id:int}/refund-policy",
    "The cinema's refund fee tiers and exchange rules",
    auth="staff",
    answer=PolicyOut,
)
async def staff_get_refund_policy(request: Request, principal: Principal) -> PolicyOut:
    scope = await staff_scope(request, principal)
    cinema = await load_cinema(request, scope, path_id(request))
    runtime = runtime_of(request)
    policy, custom = await refund_policies.policy_for(
        runtime.db, cinema.id, runtime.settings.refund_until_before_min
    )
    return _policy_out(cinema.id, policy, custom)


@endpoints.put(
    "/api/v1/staff/cinemas/{id:int}/refund-policy",
    "Set the cinema's refund fee tiers and exchange rules (audited)",
    auth="staff",
    body=PolicyIO,
    answer=PolicyOut,
    errors=(404, 422),
)
async def staff_set_refund_policy(request: Request, principal: Principal, body: PolicyIO) -> PolicyOut:
    scope = await staff_scope(request, principal)
    cinema = await load_cinema(request, scope, path_id(request))
    policy = policy_from_dict(body.model_dump())
    await refund_policies.set_policy(runtime_of(request).db, scope.actor, cinema.id, policy)
    return _policy_out(cinema.id, policy, True)
