"""Orders, payment and refunds for moviegoers; the payment provider's callbacks.

Money-changing calls (create, pay, refund) need an ``Idempotency-Key`` header: the same key with
the same request answers the stored answer, with a different request 409 ``idempotency_conflict``.
The rules live in seatcore.orders; this edge parses, calls and answers. The WeChat Pay callbacks
answer in WeChat Pay's own shape (204 when taken, else ``{"code": "FAIL", "message": ...}``).
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo

import segno
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from seatcore.analytics import events as analytics
from seatcore.api._cursor import cursor_field
from seatcore.api._http import Answer, Body, Endpoints, HeaderParam, JSONResponse, Query
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.orders import REASON_TEXT, OrderStatus, Reason
from seatcore.domain.snacks import MAX_LINES, MAX_QTY, merged
from seatcore.door.passes import PassIssuer, issuer_of
from seatcore.door.service import qr_text
from seatcore.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, SeatcoreError, ValidationFailed
from seatcore.orders import idempotency, store
from seatcore.orders.ids import is_order_id, is_ticket_code
from seatcore.orders.records import Order
from seatcore.orders.service import OrderService
from seatcore.orders.store import CinemaInfo, ShowtimeInfo
from seatcore.payments.wechatpay import WeChatPayProvider
from seatcore.runtime import Runtime
from seatcore.snacks.pickup import pickup_qr

endpoints = Endpoints("orders")
log = logging.getLogger(__name__)
PAGE_DEFAULT = 20
PAGE_MAX = 50
QR_SCALE = 8
ORDER_ERRORS = (404, 409, 503)
IDEMPOTENCY_KEY = HeaderParam(
    idempotency.HEADER,
    "A unique token per attempt, sent again unchanged on a retry: the call then runs once and the "
    "retry gets the first answer (24 hours; the same key with another request is 409).",
    max_length=idempotency.MAX_KEY_CHARS,
    pattern=r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$",  # printable ASCII, no spaces around it
)
NEVER_TICKETED = (Reason.LATE_PAYMENT, Reason.SEAT_CONFLICT, Reason.SHOWTIME_CANCELLED)


class SnackAsk(Body):
    id: int = Field(ge=1, lt=MAX_ID, description="a snack of the cinema (/api/v1/cinemas/{id}/snacks)")
    qty: int = Field(ge=1, le=MAX_QTY)


SNACKS_FIELD: Any = Field(
    default_factory=list,
    max_length=MAX_LINES,
    description="snacks bought with the order (docs/snacks.md); member price and coupons are for tickets",
)


def snack_lines(asked: list[SnackAsk]) -> dict[int, int]:
    """The body's snack lines as snack id -> qty (the same snack on two lines: added up)."""
    return merged((line.id, line.qty) for line in asked)


class CreateOrderBody(Body):
    hold_id: Annotated[str, Field(min_length=1, max_length=64)]
    coupon_id: int | None = Field(
        default=None, ge=1, lt=MAX_ID, description="one of my coupons (/api/v1/me/coupons)"
    )
    points: int = Field(default=0, ge=0, le=10_000_000, description="points to spend (members)")
    snacks: list[SnackAsk] = SNACKS_FIELD


class PriceOut(Answer):
    """The price step by step (docs/loyalty.md): amounts taken off are positive fen."""

    list_fen: int
    member_discount_fen: int
    coupon_fen: int
    points_fen: int
    points_used: int
    snacks_fen: int = Field(default=0, description="the snacks' total, added after the coupon")
    paid_fen: int = Field(description="what is paid: the order's amount_fen")


class ShowtimeBrief(Answer):
    id: int
    movie_title: str
    cinema_name: str
    hall_name: str
    starts_at: datetime


class CinemaBrief(Answer):
    id: int
    name: str


class SeatLine(Answer):
    seat: str
    price_fen: int


class TicketOut(Answer):
    code: str
    seat: str
    price_fen: int
    live: bool
    qr_url: str
    qr: str | None = Field(description="live tickets: the signed text the QR code shows (docs/door.md)")


class SnackLineOut(Answer):
    id: int
    name: str
    qty: int
    price_fen: int = Field(description="each, as priced when the order was made")


class PickupOut(Answer):
    code: str = Field(description="what the moviegoer tells the counter")
    qr: str | None = Field(description="the signed text the pickup QR code shows (docs/snacks.md)")
    picked_up_at: datetime | None


class RefundOut(Answer):
    status: str
    amount_fen: int
    reason: str
    reason_text: str


class OrderOut(Answer):
    id: str
    kind: Literal["tickets", "snacks"] = Field(description="snacks: an order of snacks alone, no showtime")
    status: OrderStatus
    reason: str | None = Field(description="why the order left the happy path, when it did")
    reason_text: str | None
    showtime: ShowtimeBrief | None
    cinema: CinemaBrief | None = Field(description="where the order was bought (null while MySQL is away)")
    seats: list[SeatLine]
    amount_fen: int = Field(description="what is paid, after member price, coupon and points")
    price: PriceOut
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = Field(
        description="while unpaid: when the seats' hold ends (snacks alone: the time to pay)"
    )
    paid_at: datetime | None
    tickets: list[TicketOut]
    refund: RefundOut | None
    refundable_until: datetime | None = Field(description="ticketed orders: the refund deadline")
    snacks: list[SnackLineOut] = Field(description="the snacks bought with the order")
    pickup: PickupOut | None = Field(description="paid orders with snacks: the counter's pickup code")


class OrderPage(Answer):
    items: list[OrderOut]
    next_cursor: str | None


class PayAnswer(Answer):
    order_id: str
    provider: str
    amount_fen: int
    params: dict[str, str] = Field(description="what wx.requestPayment takes")


class OrderListQuery(Query):
    cursor: str | None = cursor_field(200)
    limit: int = Field(default=PAGE_DEFAULT, ge=1, le=PAGE_MAX)


def order_service(request: Request) -> OrderService:
    runtime: Runtime = request.app.state.runtime
    return cast(OrderService, runtime.extras["orders"])


def pass_issuer(request: Request) -> PassIssuer:
    return issuer_of(request.app.state.runtime)


def order_id_in(request: Request) -> str:
    """The path's order id (404 when it is not an order id of either form)."""
    order_id = str(request.path_params["order_id"])
    if not is_order_id(order_id):
        raise NotFound("no such order", order_id=order_id)
    return order_id


def _local(moment: datetime | None, timezone: str) -> datetime | None:
    return None if moment is None else moment.astimezone(ZoneInfo(timezone))


def order_out(
    order: Order,
    show: ShowtimeInfo | None,
    service: OrderService,
    passes: PassIssuer | None = None,
    cinema: CinemaInfo | None = None,
) -> OrderOut:
    """The answer for ``order``: ``show`` its showtime, ``cinema`` (snacks alone) its cinema;
    either None while MySQL is away."""
    zone = show.timezone if show else cinema.timezone if cinema else "UTC"
    where = CinemaBrief(id=show.cinema_id, name=show.cinema_name) if show else None
    if cinema is not None:
        where = CinemaBrief(id=cinema.id, name=cinema.name)
    issued = order.status in (OrderStatus.TICKETED, OrderStatus.REFUND_REQUESTED, OrderStatus.REFUNDED)
    if order.reason in NEVER_TICKETED:
        issued = False
    refundable_until = None
    if show is not None and order.status is OrderStatus.TICKETED:
        policy = service.policy.with_overrides(None, show.refund_until_before_min)
        refundable_until = _local(policy.refund_deadline(show.starts_at), zone)
    refund = order.refund
    return OrderOut(
        id=order.id,
        kind="snacks" if order.snacks_only else "tickets",
        status=order.status,
        reason=order.reason.value if order.reason else None,
        reason_text=REASON_TEXT[order.reason] if order.reason else None,
        showtime=None
        if show is None
        else ShowtimeBrief(
            id=show.id,
            movie_title=show.movie_title,
            cinema_name=show.cinema_name,
            hall_name=show.hall_name,
            starts_at=show.starts_at.astimezone(ZoneInfo(zone)),
        ),
        cinema=where,
        seats=[SeatLine(seat=seat, price_fen=price) for seat, price in order.seats.items()],
        amount_fen=order.amount_fen,
        price=PriceOut(**order.breakdown.to_dict()),
        created_at=order.created_at.astimezone(ZoneInfo(zone)),
        updated_at=order.updated_at.astimezone(ZoneInfo(zone)),
        expires_at=_local(order.expires_at, zone) if order.status is OrderStatus.PENDING_PAYMENT else None,
        paid_at=_local(order.payment.paid_at, zone) if order.payment else None,
        tickets=[
            TicketOut(
                code=t.code,
                seat=t.seat_id,
                price_fen=t.price_fen,
                live=t.live,
                qr_url=f"/api/v1/tickets/{t.code}/qr.png",
                qr=None
                if passes is None or show is None or not t.live
                else passes.qr(
                    code=t.code,
                    seat=t.seat_id,
                    showtime_id=show.id,
                    cinema_id=show.cinema_id,
                    hall=show.hall_name,
                    starts_at=show.starts_at,
                ),
            )
            for t in (order.tickets if issued else ())
        ],
        refund=None
        if refund is None
        else RefundOut(
            status=refund.status,
            amount_fen=refund.amount_fen,
            reason=refund.reason.value,
            reason_text=REASON_TEXT[refund.reason],
        ),
        refundable_until=refundable_until,
        snacks=[
            SnackLineOut(id=line.id, name=line.name, qty=line.qty, price_fen=line.price_fen)
            for line in order.snacks
        ],
        pickup=_pickup(order, zone, passes),
    )


def _pickup(order: Order, zone: str, passes: PassIssuer | None) -> PickupOut | None:
    """Shown once the order is paid (and kept once picked up), never before or after a refund."""
    live = order.status in (OrderStatus.PAID, OrderStatus.TICKETED) and order.reason not in NEVER_TICKETED
    if order.pickup_code is None or order.cinema_id is None or not (live or order.picked_up_at):
        return None
    qr = None
    if passes is not None and live:
        qr = pickup_qr(passes.keyring, code=order.pickup_code, order_id=order.id, cinema_id=order.cinema_id)
    return PickupOut(code=order.pickup_code, qr=qr, picked_up_at=_local(order.picked_up_at, zone))


async def answers(service: OrderService, orders: list[Order], passes: PassIssuer) -> list[OrderOut]:
    """The orders as the API shows them. While MySQL is unreachable an order still in Redis is
    shown without its showtime's or cinema's details (and times in UTC) rather than not at all."""
    show_ids = {order.showtime_id for order in orders if order.showtime_id is not None}
    cinema_ids = {order.cinema_id for order in orders if order.snacks_only and order.cinema_id is not None}
    try:
        shows = await store.showtime_info(service.db, show_ids)
        cinemas = await store.cinema_info(service.db, cinema_ids)
    except (DBAPIError, OSError):
        log.warning("details of %d orders are unavailable: MySQL is not answering", len(orders))
        shows, cinemas = {}, {}
    return [
        order_out(
            order,
            shows.get(order.showtime_id) if order.showtime_id is not None else None,
            service,
            passes,
            cinemas.get(order.cinema_id) if order.snacks_only and order.cinema_id is not None else None,
        )
        for order in orders
    ]


async def _answer(service: OrderService, order: Order, passes: PassIssuer) -> OrderOut:
    return (await answers(service, [order], passes))[0]


async def idempotent(
    request: Request,
    principal: Principal,
    body: BaseModel | None,
    status: int,
    work: Callable[[], Awaitable[BaseModel]],
    resume: Callable[[], Awaitable[BaseModel]] | None = None,
) -> Response:
    """Run ``work`` once per Idempotency-Key; answer what it answered (then, or now again).
    ``resume`` answers a retry whose first call died with its process before it had answered."""
    key = idempotency.check_key(request.headers.get(idempotency.HEADER))
    raw = body.model_dump_json().encode() if body is not None else b""
    request_fingerprint = idempotency.fingerprint(request.method, request.url.path, raw)

    def answering(step: Callable[[], Awaitable[BaseModel]]) -> Callable[[], Awaitable[idempotency.Answer]]:
        async def call() -> idempotency.Answer:
            return idempotency.Answer(status, (await step()).model_dump(mode="json"))

        return call

    answer = await order_service(request).idempotency.run(
        principal.id, key, request_fingerprint, answering(work), resume=answering(resume or work)
    )
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


@endpoints.post(
    "/api/v1/orders",
    "Make an order from my live hold (price computed by the server; needs Idempotency-Key)",
    body=CreateOrderBody,
    answer=OrderOut,
    status=201,
    auth="user",
    errors=ORDER_ERRORS,
    headers=(IDEMPOTENCY_KEY,),
)
async def create_order(request: Request, principal: Principal, body: CreateOrderBody) -> Response:
    service = order_service(request)

    async def work() -> OrderOut:
        order = await service.create(
            principal.id,
            body.hold_id,
            coupon_id=body.coupon_id,
            points=body.points,
            snacks=snack_lines(body.snacks),
        )
        analytics.record_placed(request, order)
        return await _answer(service, order, pass_issuer(request))

    resume = made_first(request, principal, work, lambda made: made.hold_id == body.hold_id)
    return await idempotent(request, principal, body, 201, work, resume)


def made_first(
    request: Request,
    principal: Principal,
    work: Callable[[], Awaitable[OrderOut]],
    same: Callable[[Order], bool] = lambda _: True,
) -> Callable[[], Awaitable[OrderOut]]:
    """The retry of an order-making call whose first call died with its process: ``work`` again,
    or the caller's order the first call made (``order_exists``, and ``same`` of it), if it got
    that far."""

    async def resume() -> OrderOut:
        service = order_service(request)
        try:
            return await work()
        except Conflict as exc:
            made = (
                await service.find(str(exc.details.get("order_id"))) if exc.code == "order_exists" else None
            )
            if made is None or made.user_id != principal.id or not same(made):
                raise
            return await _answer(service, made, pass_issuer(request))

    return resume


@endpoints.get(
    "/api/v1/orders/{order_id}",
    "One of my orders, with its tickets",
    answer=OrderOut,
    auth="user",
    errors=(404,),
)
async def get_order(request: Request, principal: Principal) -> OrderOut:
    service = order_service(request)
    order = await service.find(order_id_in(request))
    if order is None or order.user_id != principal.id:
        raise NotFound("no such order")
    return await _answer(service, order, pass_issuer(request))


@endpoints.post(
    "/api/v1/orders/{order_id}/pay",
    "Start paying: the parameters for wx.requestPayment (needs Idempotency-Key)",
    answer=PayAnswer,
    auth="user",
    errors=ORDER_ERRORS,
    headers=(IDEMPOTENCY_KEY,),
)
async def pay_order(request: Request, principal: Principal) -> Response:
    service = order_service(request)
    order_id = order_id_in(request)

    async def work() -> PayAnswer:
        order = await service.pay(principal.id, order_id)
        return PayAnswer(
            order_id=order.id,
            provider=service.provider.name,
            amount_fen=order.amount_fen,
            params=dict(order.prepay or {}),
        )

    return await idempotent(request, principal, None, 200, work)


@endpoints.post(
    "/api/v1/orders/{order_id}/cancel",
    "Give up an unpaid order (its seats are released)",
    answer=OrderOut,
    auth="user",
    errors=(404, 409),
)
async def cancel_order(request: Request, principal: Principal) -> OrderOut:
    service = order_service(request)
    return await _answer(
        service, await service.cancel(principal.id, order_id_in(request)), pass_issuer(request)
    )


@endpoints.post(
    "/api/v1/orders/{order_id}/refund",
    "Refund a ticketed order under the cinema's policy (needs Idempotency-Key)",
    answer=OrderOut,
    auth="user",
    errors=ORDER_ERRORS,
    headers=(IDEMPOTENCY_KEY,),
)
async def refund_order(request: Request, principal: Principal) -> Response:
    service = order_service(request)
    order_id = order_id_in(request)

    async def work() -> OrderOut:
        return await _answer(service, await service.refund(principal.id, order_id), pass_issuer(request))

    async def resume() -> OrderOut:
        """After a crash: the refund the first call finished, if it got that far."""
        try:
            return await work()
        except Conflict as exc:
            done = await service.find(order_id) if exc.code == "illegal_transition" else None
            if (
                done is None
                or done.status is not OrderStatus.REFUNDED
                or done.refund is None
                or done.refund.created_by != f"user:{principal.id}"
            ):
                raise
            return await _answer(service, done, pass_issuer(request))

    return await idempotent(request, principal, None, 200, work, resume)


def _cursor(order: Order) -> str:
    raw = f"{int(order.created_at.timestamp())}|{order.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:  # ?cursor= : the first page
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        seconds, order_id = raw.split("|", 1)
        return datetime.fromtimestamp(int(seconds), UTC), order_id
    except (ValueError, binascii.Error, OverflowError, OSError):
        raise ValidationFailed(
            "invalid cursor", problems=[{"field": "cursor", "problem": "not a cursor"}]
        ) from None


@endpoints.get(
    "/api/v1/me/orders",
    "My orders, newest first",
    query=OrderListQuery,
    answer=OrderPage,
    auth="user",
)
async def my_orders(request: Request, principal: Principal, query: OrderListQuery) -> OrderPage:
    service = order_service(request)
    found = await service.history(principal.id, before=_after(query.cursor), limit=query.limit + 1)
    page = found[: query.limit]
    return OrderPage(
        items=await answers(service, page, pass_issuer(request)),
        next_cursor=_cursor(page[-1]) if len(found) > query.limit else None,
    )


@endpoints.get(
    "/api/v1/tickets/{code}/qr.png",
    "The QR image of my live ticket, for the cinema's gate",
    auth="user",
    errors=(404, 409),
)
async def ticket_qr(request: Request, principal: Principal) -> Response:
    code = str(request.path_params["code"])
    owner = await store.ticket_owner(order_service(request).db, code) if is_ticket_code(code) else None
    if owner is None or owner[0] != principal.id:
        raise NotFound("no such ticket")
    if not owner[2]:
        raise Conflict("this ticket is no longer valid (refunded)", code="ticket_not_live")
    image = io.BytesIO()
    signed = await qr_text(request.app.state.runtime, code)  # what the door scans (docs/door.md)
    segno.make_qr(signed, error="m").save(image, kind="png", scale=QR_SCALE, border=2)
    return Response(
        image.getvalue(), media_type="image/png", headers={"Cache-Control": "private, max-age=300"}
    )


# --------------------------------------------------------------------- the provider's callbacks


async def _raw_body(request: Request) -> bytes:
    limit: int = request.app.state.runtime.settings.max_body_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _callback(request: Request, handle: Callable[[bytes], Awaitable[None]]) -> Response:
    """WeChat Pay's callback contract: 204 when taken, else an error it will retry later."""
    try:
        await handle(await _raw_body(request))
    except SeatcoreError as exc:
        failure = {"code": "FAIL", "message": f"{exc.code}: {exc.message}"}
        return JSONResponse(failure, status_code=exc.status)
    return Response(status_code=204)


@endpoints.post(
    "/api/v1/payments/wechatpay/notify",
    "WeChat Pay's payment callback (signature verified; idempotent)",
    status=204,
    errors=(401, 404, 409, 503),
)
async def wechatpay_notify(request: Request) -> Response:
    service = order_service(request)

    async def handle(body: bytes) -> None:
        notice = await service.provider.parse_notification(request.headers, body)
        await service.on_notice(notice)

    return await _callback(request, handle)


@endpoints.post(
    "/api/v1/payments/wechatpay/refund-notify",
    "WeChat Pay's refund callback (signature verified; idempotent)",
    status=204,
    errors=(401, 404, 503),
)
async def wechatpay_refund_notify(request: Request) -> Response:
    service = order_service(request)

    async def handle(body: bytes) -> None:
        provider = service.provider
        if not isinstance(provider, WeChatPayProvider):
            raise BadRequest("WeChat Pay is not the payment provider here", code="notification_invalid")
        await service.on_refund_notice(provider.parse_refund_notification(request.headers, body))

    return await _callback(request, handle)
