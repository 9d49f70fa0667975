"""Staff API: order look-up, one order's payment and refund history, and refunds by staff.

Search filters combine (all must match): order id, the moviegoer's phone or openid, a showtime, a
cinema, and the local day the order was placed. Staff refunds ignore the moviegoer refund deadline
(the cinema decides) and are written to the audit trail with the reason given.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field
from starlette.requests import Request

from seatcore.api._cursor import decode_cursor, encode_cursor
from seatcore.api._http import Answer, Body, Day, Endpoints
from seatcore.api.orders import SnackLineOut
from seatcore.api.staff._access import Scope, runtime_of, staff_scope
from seatcore.api.staff._query import PageQuery
from seatcore.api.staff.audit import AuditEntryOut, entry_out
from seatcore.api.staff.refunds import refund_orders
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.errors import NotFound
from seatcore.store import audit, boxoffice, staff_orders
from seatcore.store.staff_orders import MoneyEvent, OrderFilter, OrderSummary

endpoints = Endpoints("staff: orders")

ORDER_ID = r"^[A-Za-z0-9_-]{1,32}$"


class OrderSearch(PageQuery):
    order_id: str | None = Field(None, pattern=ORDER_ID)
    phone: str | None = Field(None, max_length=32)
    openid: str | None = Field(None, max_length=128)
    showtime_id: int | None = Field(None, ge=1, lt=MAX_ID)
    cinema_id: int | None = Field(None, ge=1, lt=MAX_ID)
    date: Day | None = Field(None, description="the local day the order was placed")


class StaffRefundBody(Body):
    reason: str = Field(min_length=1, max_length=300, description="why: kept in the audit trail")


class OrderSummaryOut(Answer):
    id: str
    status: str
    amount_fen: int
    seat_count: int
    created_at: dt.datetime
    paid_at: dt.datetime | None
    user_id: int
    openid: str
    phone: str | None
    kind: Literal["tickets", "snacks"] = Field(description="snacks: an order of snacks alone")
    showtime_id: int | None = Field(description="null for snacks alone, as are hall, movie and start")
    cinema_id: int
    cinema_name: str
    hall_name: str | None
    movie_title: str | None
    starts_at: dt.datetime | None


class OrderPage(Answer):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class TicketOut(Answer):
    seat_id: str
    price_fen: int
    code: str
    live: bool


class MoneyEventOut(Answer):
    id: int
    amount_fen: int
    status: str
    by: str = Field(description="payments: the provider; refunds: who asked for it")
    reference: str | None = Field(description="the provider's transaction or refund id")
    reason: str
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderDetailOut(OrderSummaryOut):
    hold_id: str
    nickname: str
    updated_at: dt.datetime
    tickets: list[TicketOut]
    payments: list[MoneyEventOut]
    refunds: list[MoneyEventOut]
    snacks: list[SnackLineOut] = Field(description="the snacks bought, as priced then")
    pickup_code: str | None = Field(description="the counter's code of an order with snacks")
    picked_up_at: dt.datetime | None
    audit: list[AuditEntryOut] = Field(description="what staff did to this order, newest first")


class StaffRefundAnswer(Answer):
    order: OrderDetailOut


def _summary_fields(order: OrderSummary) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": order.status,
        "amount_fen": order.amount_fen,
        "seat_count": order.seat_count,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "user_id": order.user_id,
        "openid": order.openid,
        "phone": order.phone,
        "kind": "tickets" if order.showtime_id is not None else "snacks",
        "showtime_id": order.showtime_id,
        "cinema_id": order.cinema_id,
        "cinema_name": order.cinema_name,
        "hall_name": order.hall_name,
        "movie_title": order.movie_title,
        "starts_at": order.starts_at,
    }


def _local(moment: dt.datetime, like: dt.datetime) -> dt.datetime:
    """``moment`` in the time zone of ``like`` (the order's times are in its cinema's)."""
    return moment.astimezone(like.tzinfo)


def _money(event: MoneyEvent) -> MoneyEventOut:
    return MoneyEventOut(
        id=event.id,
        amount_fen=event.amount_fen,
        status=event.status,
        by=event.provider,
        reference=event.reference,
        reason=event.reason,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


def _order_id(request: Request) -> str:
    order_id = str(request.path_params["order_id"])
    if not 1 <= len(order_id) <= 32 or not all(c.isalnum() or c in "-_" for c in order_id):
        raise NotFound("no such order")
    return order_id


async def _day_windows(request: Request, scope: Scope, query: OrderSearch) -> tuple[Any, ...]:
    """The asked-for local day as UTC windows, one per time zone among the cinemas searched."""
    if query.date is None:
        return ()
    zones = await staff_orders.cinema_zones(runtime_of(request).db, scope.narrowed(query.cinema_id))
    by_zone: dict[str, list[int]] = defaultdict(list)
    for cinema_id, zone in zones.items():
        by_zone[zone].append(int(cinema_id))
    windows = []
    for zone, ids in sorted(by_zone.items()):
        start = dt.datetime.combine(query.date, dt.time(), ZoneInfo(zone)).astimezone(dt.UTC)
        end = dt.datetime.combine(query.date + dt.timedelta(days=1), dt.time(), ZoneInfo(zone)).astimezone(
            dt.UTC
        )
        windows.append((ids, start.replace(tzinfo=None), end.replace(tzinfo=None)))
    return tuple(windows) or (((), dt.datetime.min, dt.datetime.min),)


def _after(cursor: str | None) -> staff_orders.OrderKey | None:
    if cursor is None:
        return None
    at, order_id = decode_cursor(cursor, ("moment", "text"))
    return at, order_id


async def order_detail(request: Request, scope: Scope, order_id: str) -> OrderDetailOut:
    runtime = runtime_of(request)
    found = await staff_orders.detail(runtime.reports_db, order_id)
    if found is None or not scope.can_see(found.summary.cinema_id):
        raise NotFound("no such order")
    trail = await audit.entries(runtime.db, cinema_ids=None, target=("order", order_id), limit=50)
    return OrderDetailOut(
        **_summary_fields(found.summary),
        hold_id=found.hold_id,
        nickname=found.nickname,
        updated_at=found.updated_at,
        tickets=[
            TicketOut(seat_id=t.seat_id, price_fen=t.price_fen, code=t.code, live=t.live)
            for t in found.tickets
        ],
        payments=[_money(p) for p in found.payments],
        refunds=[_money(r) for r in found.refunds],
        snacks=[
            SnackLineOut(id=i, name=name, qty=qty, price_fen=price) for i, name, qty, price in found.snacks
        ],
        pickup_code=found.pickup.code if found.pickup else None,
        picked_up_at=_local(found.pickup.picked_up_at, found.summary.created_at)
        if found.pickup and found.pickup.picked_up_at
        else None,
        audit=[entry_out(e) for e in trail],
    )


@endpoints.get(
    "/api/v1/staff/orders",
    "Search orders of the caller's cinemas, newest first (filters combine)",
    auth="staff",
    query=OrderSearch,
    answer=OrderPage,
)
async def staff_search_orders(request: Request, principal: Principal, query: OrderSearch) -> OrderPage:
    scope = await staff_scope(request, principal)
    if query.cinema_id is not None:
        scope.require_cinema(query.cinema_id)
    criteria = OrderFilter(
        order_id=query.order_id,
        phone=query.phone,
        openid=query.openid,
        showtime_id=query.showtime_id,
        cinema_id=query.cinema_id,
        created_windows=await _day_windows(request, scope, query),
    )
    found = await staff_orders.search(
        runtime_of(request).reports_db,
        criteria,
        cinema_ids=scope.cinema_ids,
        after=_after(query.cursor),
        limit=query.limit + 1,
    )
    page = found[: query.limit]
    more = len(found) > query.limit
    return OrderPage(
        items=[OrderSummaryOut(**_summary_fields(order)) for order in page],
        next_cursor=encode_cursor((page[-1].key[0].isoformat(), page[-1].key[1])) if more else None,
    )


@endpoints.get(
    "/api/v1/staff/orders/{order_id}",
    "One order with its tickets, payments, refunds and audit trail",
    auth="staff",
    answer=OrderDetailOut,
)
async def staff_get_order(request: Request, principal: Principal) -> OrderDetailOut:
    scope = await staff_scope(request, principal)
    return await order_detail(request, scope, _order_id(request))


@endpoints.post(
    "/api/v1/staff/orders/{order_id}/refund",
    "Refund a paid order in full, with a reason (any time before or after the screening)",
    auth="staff",
    body=StaffRefundBody,
    answer=StaffRefundAnswer,
    errors=(409, 503),
)
async def staff_refund_order(
    request: Request, principal: Principal, body: StaffRefundBody
) -> StaffRefundAnswer:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    order = await order_detail(request, scope, _order_id(request))
    outcome = await refund_orders(runtime, scope.actor, [order.id], body.reason, cinema_id=order.cinema_id)
    if outcome.failed:
        raise outcome.failed[0][1]
    if order.showtime_id is not None:
        await boxoffice.mark_changed(runtime.redis, [order.showtime_id])
    return StaffRefundAnswer(order=await order_detail(request, scope, order.id))
