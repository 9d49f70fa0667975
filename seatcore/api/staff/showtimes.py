"""Staff API: the screening schedule of a cinema's halls, prices per zone and the sales switch.

A new or moved showtime must fit its hall's schedule with the cleaning gap between screenings
(seatcore.domain.schedule): otherwise 409 ``schedule_clash`` names the clashing showtime (its id,
movie and times in ``details``). Cancelling a showtime stops its sales, ends its holds and unpaid
orders at once (seatcore.orders.closing) and refunds every paid order.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import orjson
from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Body, Day, Endpoints, Moment, path_id
from seatcore.api.showtimes import ShowtimeFields
from seatcore.api.staff._access import Scope, runtime_of, staff_scope
from seatcore.api.staff._query import StaffQuery
from seatcore.api.staff.cinemas import hall_out, load_cinema, load_hall
from seatcore.api.staff.refunds import RefundOutcome, refund_orders
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.members import overrides_to_dict, parse_price_overrides
from seatcore.domain.orders import PAID_STATUSES
from seatcore.domain.schedule import SalesPolicy, Screening, showtime_end
from seatcore.errors import Conflict, NotFound, ScheduleClash, ValidationFailed
from seatcore.orders.closing import close_showtime
from seatcore.orders.service import OrderService
from seatcore.runtime import Runtime
from seatcore.store import boxoffice, catalogue, staff
from seatcore.store._time import to_db
from seatcore.store.catalogue import Showtime
from seatcore.store.seating import member_overrides
from seatcore.store.staff import Hall, NewShowtime

endpoints = Endpoints("staff: showtimes")

MAX_WINDOW_DAYS = 14
MAX_PRICE_FEN = 1_000_000
PriceFen = Annotated[int, Field(ge=1, le=MAX_PRICE_FEN)]


class ScheduleQuery(StaffQuery):
    cinema_id: int = Field(ge=1, lt=MAX_ID)
    hall_id: int | None = Field(None, ge=1, lt=MAX_ID, description="only this hall")
    start: Day | None = Field(None, description="first local day; default today in the cinema's zone")
    days: int = Field(7, ge=1, le=MAX_WINDOW_DAYS)


class MemberPricesIO(Body):
    discount_percent: int = Field(0, ge=0, le=100, description="off each seat's list price")
    zone_prices: dict[str, PriceFen] = Field(
        default_factory=dict, description="a fixed member price per zone (when lower than the list)"
    )


MemberOverrides = Annotated[
    dict[str, MemberPricesIO],
    Field(
        max_length=101,
        description='member prices here instead of the tiers\' own, by tier level ("1".."100") or "*" '
        'for every tier not named; {"*": {}} sells without member discount',
    ),
]


class NewShowtimeBody(Body):
    hall_id: int = Field(ge=1, lt=MAX_ID)
    movie_id: int = Field(ge=1, lt=MAX_ID)
    starts_at: Moment = Field(description="ISO 8601 with a UTC offset; the end follows from the film")
    language: str = Field("", max_length=32)
    format: str = Field("2D", max_length=32)
    prices: dict[str, PriceFen] = Field(description="fen per seat for every price zone of the hall")
    sales_open: bool = True
    on_sale_at: Moment | None = Field(
        None, description="on sale to everyone from then; members' tiers earlier by their early booking"
    )
    member_prices: MemberOverrides | None = None


class ShowtimePatch(Body):
    """Only the fields sent change. A new ``starts_at`` or ``hall_id`` moves the screening."""

    nullable = frozenset({"on_sale_at", "member_prices"})

    hall_id: int | None = Field(None, ge=1, lt=MAX_ID)
    starts_at: Moment | None = None
    language: str | None = Field(None, max_length=32)
    format: str | None = Field(None, max_length=32)
    prices: dict[str, PriceFen] | None = None
    sales_open: bool | None = Field(None, description="the staff switch: false stops sales at once")
    on_sale_at: Moment | None = Field(None, description="null: on sale at once")
    member_prices: MemberOverrides | None = Field(None, description="null: the tiers' own prices")


class CancelBody(Body):
    reason: str = Field(min_length=1, max_length=300)


class StaffShowtimeOut(ShowtimeFields):
    prices: dict[str, int]
    seat_count: int
    tickets_sold: int
    sales_open: bool = Field(description="the staff switch")
    selling: bool = Field(description="whether tickets sell now: switch, status and the sales-close time")
    sales_close_at: dt.datetime
    status: Literal["scheduled", "cancelled"]
    on_sale_at: dt.datetime | None = Field(description="on sale to everyone from then (null: at once)")
    member_prices: dict[str, dict[str, Any]] | None = Field(
        description="the tiers' member prices overridden here, by level or * (null: none)"
    )


class StaffShowtimeList(Answer):
    items: list[StaffShowtimeOut]


class RefundFailure(Answer):
    order_id: str
    code: str
    message: str


class CancelAnswer(Answer):
    showtime: StaffShowtimeOut
    refunded: list[str] = Field(description="orders whose refund was started now")
    failed: list[RefundFailure] = Field(description="orders to retry: cancel again to retry them")


def _policy(runtime: Runtime) -> SalesPolicy:
    return SalesPolicy(runtime.settings.sales_close_before_min, runtime.settings.refund_until_before_min)


def _out(runtime: Runtime, show: Showtime, sold: int) -> StaffShowtimeOut:
    zone = ZoneInfo(show.timezone)
    close_at = show.policy(_policy(runtime)).sales_close_at(show.starts_at)
    return StaffShowtimeOut(
        id=show.id,
        movie_id=show.movie_id,
        movie_title=show.movie_title,
        cinema_id=show.cinema_id,
        cinema_name=show.cinema_name,
        hall_id=show.hall_id,
        hall_name=show.hall_name,
        starts_at=show.starts_at.astimezone(zone),
        ends_at=show.ends_at.astimezone(zone),
        language=show.language,
        format=show.format,
        prices=show.prices,
        seat_count=show.seat_count,
        tickets_sold=sold,
        sales_open=show.sales_open,
        selling=show.sales_open and show.status == "scheduled" and dt.datetime.now(dt.UTC) < close_at,
        sales_close_at=close_at.astimezone(zone),
        status="cancelled" if show.status == "cancelled" else "scheduled",
        on_sale_at=show.on_sale_at.astimezone(zone) if show.on_sale_at else None,
        member_prices=overrides_to_dict(member_overrides(show.member_prices)) if show.member_prices else None,
    )


def _member_prices(hall: Hall, sent: dict[str, Any] | None) -> str | None:
    """The overrides as stored (JSON), checked: tier keys, and zones the hall has."""
    if sent is None:
        return None
    overrides = parse_price_overrides(sent)
    zones = set(hall_out(hall).zones)
    problems = [
        {"field": f"member_prices.{key}.zone_prices.{zone}", "problem": "the hall has no such zone"}
        for key, prices in overrides.items()
        for zone in sorted(set(prices.zone_prices) - zones)
    ]
    if problems:
        raise ValidationFailed("member prices name zones the hall does not have", problems=problems)
    return orjson.dumps(overrides_to_dict(overrides)).decode()


async def _answer(runtime: Runtime, showtime_id: int) -> StaffShowtimeOut:
    show = await catalogue.get_showtime(runtime.db, showtime_id)
    if show is None:
        raise NotFound("no such showtime")
    sold = await catalogue.seats_and_live_tickets(runtime.db, [show.id])
    return _out(runtime, show, sold.get(show.id, (0, 0))[1])


async def load_showtime(request: Request, scope: Scope, showtime_id: int) -> Showtime:
    show = await catalogue.get_showtime(runtime_of(request).db, showtime_id)
    if show is None or not scope.can_see(show.cinema_id):
        raise NotFound("no such showtime")
    return show


def _check_zone_prices(hall: Hall, prices: dict[str, int]) -> None:
    """Every zone of the hall priced, and no price for a zone the hall does not have."""
    zones = set(hall_out(hall).zones)
    problems = [
        {"field": f"prices.{zone}", "problem": "the hall has no such zone"}
        for zone in sorted(set(prices) - zones)
    ]
    problems += [
        {"field": f"prices.{zone}", "problem": "every zone of the hall needs a price"}
        for zone in sorted(zones - set(prices))
    ]
    if problems:
        raise ValidationFailed("the prices do not match the hall's zones", problems=problems)


def _check_future(starts_at: dt.datetime) -> None:
    if starts_at <= dt.datetime.now(dt.UTC):
        raise ValidationFailed(
            "a screening can only be scheduled in the future",
            problems=[{"field": "starts_at", "problem": "in the past"}],
        )


async def _name_clash(runtime: Runtime, clash: ScheduleClash) -> ScheduleClash:
    """The clash error with the clashing showtime's movie and local times, for people to read."""
    other_id = clash.details.get("showtime_id")
    other = await catalogue.get_showtime(runtime.db, other_id) if isinstance(other_id, int) else None
    if other is None:
        return clash
    zone = ZoneInfo(other.timezone)
    starts, ends = other.starts_at.astimezone(zone), other.ends_at.astimezone(zone)
    return ScheduleClash(
        f"clashes with showtime {other.id} ({other.movie_title}, {other.hall_name}, "
        f"{starts:%a %d %b %H:%M}-{ends:%H:%M}) with the {clash.details.get('cleaning_gap_min')}-minute "
        "cleaning gap",
        **{
            **clash.details,
            "movie_title": other.movie_title,
            "hall_name": other.hall_name,
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
        },
    )


async def _after_change(runtime: Runtime, showtime_id: int) -> None:
    """After a schedule change: the box office recomputes it, cached catalogue reads are dropped.
    (The seat engine re-reads a showtime's prices and sales state within seconds on its own.)"""
    await boxoffice.mark_changed(runtime.redis, [showtime_id])
    await catalogue.catalogue_changed(runtime.cache)
    engine = runtime.extras.get("seats")
    if engine is not None:  # this process's seat engine reads the new rules at once
        engine.showtimes.forget(showtime_id)


# ---------------------------------------------------------------------------------------- endpoints


@endpoints.get(
    "/api/v1/staff/showtimes",
    f"A cinema's schedule: showtimes starting on `days` local days from `start` (at most {MAX_WINDOW_DAYS})",
    auth="staff",
    query=ScheduleQuery,
    answer=StaffShowtimeList,
    errors=(404,),  # an unknown cinema or hall
)
async def staff_list_showtimes(
    request: Request, principal: Principal, query: ScheduleQuery
) -> StaffShowtimeList:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    cinema = await load_cinema(request, scope, query.cinema_id)
    zone = ZoneInfo(cinema.timezone)
    first = query.start or dt.datetime.now(zone).date()
    start = dt.datetime.combine(first, dt.time(), zone)
    end = dt.datetime.combine(first + dt.timedelta(days=query.days), dt.time(), zone)
    shows = await catalogue.showtimes_between(runtime.db, start, end, cinema_id=cinema.id)
    if query.hall_id is not None:
        shows = [show for show in shows if show.hall_id == query.hall_id]
    sold = await catalogue.seats_and_live_tickets(runtime.db, [show.id for show in shows])
    return StaffShowtimeList(items=[_out(runtime, show, sold.get(show.id, (0, 0))[1]) for show in shows])


@endpoints.post(
    "/api/v1/staff/showtimes",
    "Schedule a screening (409 schedule_clash when the hall is busy, counting the cleaning gap)",
    auth="staff",
    body=NewShowtimeBody,
    answer=StaffShowtimeOut,
    status=201,
    errors=(404, 409),  # 404: an unknown movie or hall
)
async def staff_create_showtime(
    request: Request, principal: Principal, body: NewShowtimeBody
) -> StaffShowtimeOut:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    hall = await load_hall(request, scope, body.hall_id)
    movie = await catalogue.get_movie(runtime.db, body.movie_id)
    if movie is None:
        raise NotFound("no such movie", movie_id=body.movie_id)
    _check_future(body.starts_at)
    _check_zone_prices(hall, body.prices)
    new = NewShowtime(
        hall=hall,
        movie_id=movie.id,
        starts_at=body.starts_at,
        ends_at=showtime_end(body.starts_at, movie.duration_min),
        language=body.language,
        format=body.format,
        prices=body.prices,
        sales_open=body.sales_open,
        on_sale_at=body.on_sale_at,
        member_prices=_member_prices(hall, body.model_dump()["member_prices"]),
    )
    try:
        showtime_id = await staff.create_showtime(
            runtime.db, scope.actor, new, gap_min=runtime.settings.cleaning_gap_min
        )
    except ScheduleClash as clash:
        raise await _name_clash(runtime, clash) from None
    await _after_change(runtime, showtime_id)
    return await _answer(runtime, showtime_id)


@endpoints.get(
    "/api/v1/staff/showtimes/{id:int}",
    "One showtime with tickets sold and whether it sells now",
    auth="staff",
    answer=StaffShowtimeOut,
)
async def staff_get_showtime(request: Request, principal: Principal) -> StaffShowtimeOut:
    scope = await staff_scope(request, principal)
    show = await load_showtime(request, scope, path_id(request))
    return await _answer(runtime_of(request), show.id)


@endpoints.patch(
    "/api/v1/staff/showtimes/{id:int}",
    "Move a screening (time or hall), change its zone prices or open/close its sales",
    auth="staff",
    body=ShowtimePatch,
    answer=StaffShowtimeOut,
    errors=(409,),
)
async def staff_update_showtime(
    request: Request, principal: Principal, body: ShowtimePatch
) -> StaffShowtimeOut:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    show = await load_showtime(request, scope, path_id(request))
    if show.status == "cancelled":
        raise Conflict("this showtime is cancelled", code="showtime_cancelled")
    sent = body.sent()
    hall = await load_hall(request, scope, body.hall_id or show.hall_id)
    if hall.cinema_id != show.cinema_id:
        raise ValidationFailed(
            "a showtime stays in its cinema",
            problems=[{"field": "hall_id", "problem": "a hall of another cinema"}],
        )
    values: dict[str, Any] = {
        name: sent[name] for name in ("language", "format", "sales_open") if name in sent
    }
    if "on_sale_at" in sent:
        values["on_sale_at"] = to_db(body.on_sale_at) if body.on_sale_at is not None else None
    if "member_prices" in sent:
        values["member_prices"] = _member_prices(hall, sent["member_prices"])
    if body.prices is not None or hall.id != show.hall_id:
        prices = body.prices if body.prices is not None else show.prices
        _check_zone_prices(hall, prices)
        values["prices"] = prices
    move_to = None
    if body.starts_at is not None or hall.id != show.hall_id:
        move_to = await _move(runtime, show, hall, body.starts_at)
    try:
        await staff.update_showtime(
            runtime.db,
            scope.actor,
            show.id,
            show.cinema_id,
            values,
            move_to=move_to,
            gap_min=runtime.settings.cleaning_gap_min,
        )
    except ScheduleClash as clash:
        raise await _name_clash(runtime, clash) from None
    await _after_change(runtime, show.id)
    return await _answer(runtime, show.id)


async def _move(
    runtime: Runtime, show: Showtime, hall: Hall, starts_at: dt.datetime | None
) -> tuple[int, Screening]:
    """Where and when the showtime moves to, after the rules for moving it."""
    if show.starts_at <= dt.datetime.now(dt.UTC):
        raise Conflict("a screening that has started cannot move", code="showtime_started")
    if hall.id != show.hall_id and await staff.live_ticket_count(runtime.db, show.id):
        raise Conflict(
            "tickets are sold for this showtime's seats: it cannot change hall (cancel it instead)",
            code="tickets_sold",
        )
    new_start = starts_at or show.starts_at
    _check_future(new_start)
    movie = await catalogue.get_movie(runtime.db, show.movie_id)
    duration = (
        movie.duration_min
        if movie is not None
        else int((show.ends_at - show.starts_at).total_seconds() // 60)
    )
    return hall.id, Screening(new_start, showtime_end(new_start, duration), id=show.id)


@endpoints.post(
    "/api/v1/staff/showtimes/{id:int}/cancel",
    "Cancel a showtime: sales stop, holds and unpaid orders end, every paid order is refunded "
    "(re-run to retry failed refunds)",
    auth="staff",
    body=CancelBody,
    answer=CancelAnswer,
)
async def staff_cancel_showtime(request: Request, principal: Principal, body: CancelBody) -> CancelAnswer:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    show = await load_showtime(request, scope, path_id(request))
    if show.status != "cancelled":
        await staff.cancel_showtime(runtime.db, scope.actor, show.id, show.cinema_id, body.reason)
        await _after_change(runtime, show.id)
    # Holds and unpaid orders end now, in Redis too (run again by every retry: it is idempotent).
    service: OrderService | None = runtime.extras.get("orders")
    landing = await close_showtime(service, show.id) if service is not None else []
    order_ids = await staff.orders_to_refund(runtime.db, show.id, [s.value for s in PAID_STATUSES])
    order_ids += [order_id for order_id in landing if order_id not in order_ids]
    outcome: RefundOutcome = await refund_orders(
        runtime, scope.actor, order_ids, f"showtime cancelled: {body.reason}", cinema_id=show.cinema_id
    )
    await boxoffice.mark_changed(runtime.redis, [show.id])
    return CancelAnswer(
        showtime=await _answer(runtime, show.id),
        refunded=outcome.refunded,
        failed=[RefundFailure(order_id=i, code=e.code, message=e.message) for i, e in outcome.failed],
    )
