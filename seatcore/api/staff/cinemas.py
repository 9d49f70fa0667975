"""Staff API: cinemas, their halls and the halls' seat layouts.

A platform admin creates cinemas; staff of a cinema edit it and its halls. Layouts are checked by
seatcore.domain.layout.parse_layout: 422 ``layout_invalid`` lists every problem found.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from pydantic import Field, JsonValue, field_validator
from starlette.requests import Request

from seatcore.api._http import Answer, Body, Endpoints, path_id
from seatcore.api.staff._access import Scope, runtime_of, staff_scope
from seatcore.auth.principal import Principal
from seatcore.domain.layout import Layout, parse_layout
from seatcore.engine.background import seat_engine
from seatcore.errors import NotFound
from seatcore.store import boxoffice, catalogue, staff
from seatcore.store.catalogue import Cinema
from seatcore.store.staff import Hall

endpoints = Endpoints("staff: cinemas and halls")

_ZONES = frozenset(available_timezones())
# The document lists the zones, so that generated clients offer only those the service takes.
_ZONE_SCHEMA: dict[str, JsonValue] = {"enum": list(sorted(_ZONES))}


class CinemaFields(Body):
    """A cinema's fields; in a PATCH only the fields sent change."""

    nullable = frozenset({"sales_close_before_min", "refund_until_before_min", "latitude", "longitude"})

    name: str | None = Field(None, min_length=1, max_length=200)
    city: str | None = Field(None, min_length=1, max_length=100)
    address: str | None = Field(None, max_length=300)
    timezone: str | None = Field(
        None, description="an IANA zone such as Asia/Shanghai", json_schema_extra=_ZONE_SCHEMA
    )
    sales_close_before_min: int | None = Field(
        None, ge=0, le=24 * 60, description="sales close this long before a start; null: service default"
    )
    refund_until_before_min: int | None = Field(
        None, ge=0, le=7 * 24 * 60, description="refunds allowed until this long before; null: default"
    )
    # Where "cinemas near me" finds it; null takes it off the map.
    latitude: float | None = Field(None, ge=-90, le=90, description="WGS-84 degrees")
    longitude: float | None = Field(None, ge=-180, le=180, description="WGS-84 degrees")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in _ZONES:
            raise ValueError("not a known IANA time zone")
        return value

    def columns(self) -> dict[str, Any]:
        """The fields sent; null only resets a policy field to the service default or takes the
        cinema off the map."""
        return self.sent()


class NewCinema(CinemaFields):
    name: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    timezone: str = Field(
        "Asia/Shanghai",
        description="an IANA zone such as Asia/Shanghai",
        json_schema_extra=_ZONE_SCHEMA,
    )


class StaffCinemaOut(Answer):
    id: int
    name: str
    city: str
    address: str
    timezone: str
    sales_close_before_min: int | None
    refund_until_before_min: int | None
    latitude: float | None
    longitude: float | None


class StaffCinemaList(Answer):
    items: list[StaffCinemaOut]


class LayoutBody(Body):
    layout: dict[str, Any] = Field(description="a layout document (docs/layout.md)")


class NewHall(Body):
    name: str = Field(min_length=1, max_length=100)
    layout: dict[str, Any] = Field(description="a layout document (docs/layout.md)")


class HallPatch(Body):
    name: str | None = Field(None, min_length=1, max_length=100)
    layout: dict[str, Any] | None = Field(None, description="a new layout document")


class LayoutCheck(Answer):
    valid: bool
    seat_count: int
    zones: list[str]
    layout: dict[str, Any] = Field(description="the layout as it will be stored (normalised)")


class HallOut(Answer):
    id: int
    cinema_id: int
    name: str
    seat_count: int
    zones: list[str]
    layout: dict[str, Any]


class HallList(Answer):
    items: list[HallOut]


def cinema_out(cinema: Cinema) -> StaffCinemaOut:
    return StaffCinemaOut(
        id=cinema.id,
        name=cinema.name,
        city=cinema.city,
        address=cinema.address,
        timezone=cinema.timezone,
        sales_close_before_min=cinema.sales_close_before_min,
        refund_until_before_min=cinema.refund_until_before_min,
        latitude=cinema.latitude,
        longitude=cinema.longitude,
    )


def hall_out(hall: Hall) -> HallOut:
    return HallOut(
        id=hall.id,
        cinema_id=hall.cinema_id,
        name=hall.name,
        seat_count=hall.seat_count,
        zones=sorted({seat.get("zone", "standard") for row in hall.layout["rows"] for seat in row["seats"]}),
        layout=hall.layout,
    )


async def load_cinema(request: Request, scope: Scope, cinema_id: int) -> Cinema:
    scope.require_cinema(cinema_id)
    cinema = await catalogue.get_cinema(runtime_of(request).db, cinema_id)
    if cinema is None:
        raise NotFound("no such cinema")
    return cinema


async def load_hall(request: Request, scope: Scope, hall_id: int) -> Hall:
    """The hall, when it exists and its cinema is in the caller's scope (else NotFound)."""
    hall = await staff.get_hall(runtime_of(request).db, hall_id)
    if hall is None or not scope.can_see(hall.cinema_id):
        raise NotFound("no such hall")
    return hall


# --------------------------------------------------------------------------------------------- cinemas


@endpoints.get(
    "/api/v1/staff/cinemas",
    "The caller's cinemas (a platform admin: all)",
    auth="staff",
    answer=StaffCinemaList,
)
async def staff_list_cinemas(request: Request, principal: Principal) -> StaffCinemaList:
    scope = await staff_scope(request, principal)
    found = await catalogue.list_cinemas(runtime_of(request).db)
    return StaffCinemaList(items=[cinema_out(c) for c in found if scope.can_see(c.id)])


@endpoints.post(
    "/api/v1/staff/cinemas",
    "Add a cinema (platform admin)",
    auth="staff",
    body=NewCinema,
    answer=StaffCinemaOut,
    status=201,
)
async def staff_create_cinema(request: Request, principal: Principal, body: NewCinema) -> StaffCinemaOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("add cinemas")
    runtime = runtime_of(request)
    cinema_id = await staff.create_cinema(runtime.db, scope.actor, body.columns())
    await catalogue.catalogue_changed(runtime.cache)
    return cinema_out(await load_cinema(request, scope, cinema_id))


@endpoints.get(
    "/api/v1/staff/cinemas/{id:int}", "One of the caller's cinemas", auth="staff", answer=StaffCinemaOut
)
async def staff_get_cinema(request: Request, principal: Principal) -> StaffCinemaOut:
    scope = await staff_scope(request, principal)
    return cinema_out(await load_cinema(request, scope, path_id(request)))


@endpoints.patch(
    "/api/v1/staff/cinemas/{id:int}",
    "Change a cinema's details and sales/refund policy; only the fields sent change",
    auth="staff",
    body=CinemaFields,
    answer=StaffCinemaOut,
)
async def staff_update_cinema(request: Request, principal: Principal, body: CinemaFields) -> StaffCinemaOut:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    cinema = await load_cinema(request, scope, path_id(request))
    await staff.update_cinema(runtime.db, scope.actor, cinema.id, body.columns())
    await catalogue.catalogue_changed(runtime.cache)
    return cinema_out(await load_cinema(request, scope, cinema.id))


# ----------------------------------------------------------------------------------------------- halls


@endpoints.post(
    "/api/v1/staff/layouts/validate",
    "Check a seat layout without saving it: 200 with its seat count and zones, or 422 layout_invalid",
    auth="staff",
    body=LayoutBody,
    answer=LayoutCheck,
    body_limit="layout",
)
async def staff_validate_layout(request: Request, principal: Principal, body: LayoutBody) -> LayoutCheck:
    await staff_scope(request, principal)
    layout = parse_layout(body.layout)
    return LayoutCheck(
        valid=True, seat_count=layout.seat_count, zones=list(layout.zones), layout=layout.to_json()
    )


@endpoints.get("/api/v1/staff/cinemas/{id:int}/halls", "The halls of a cinema", auth="staff", answer=HallList)
async def staff_list_halls(request: Request, principal: Principal) -> HallList:
    scope = await staff_scope(request, principal)
    cinema = await load_cinema(request, scope, path_id(request))
    return HallList(items=[hall_out(h) for h in await staff.list_halls(runtime_of(request).db, cinema.id)])


@endpoints.post(
    "/api/v1/staff/cinemas/{id:int}/halls",
    "Add a hall with its seat layout",
    auth="staff",
    body=NewHall,
    answer=HallOut,
    status=201,
    errors=(409,),
    body_limit="layout",
)
async def staff_create_hall(request: Request, principal: Principal, body: NewHall) -> HallOut:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    cinema = await load_cinema(request, scope, path_id(request))
    layout: Layout = parse_layout(body.layout)
    hall_id = await staff.create_hall(runtime.db, scope.actor, cinema.id, body.name, layout)
    await catalogue.catalogue_changed(runtime.cache)
    return hall_out(await load_hall(request, scope, hall_id))


@endpoints.get("/api/v1/staff/halls/{id:int}", "One hall with its layout", auth="staff", answer=HallOut)
async def staff_get_hall(request: Request, principal: Principal) -> HallOut:
    scope = await staff_scope(request, principal)
    return hall_out(await load_hall(request, scope, path_id(request)))


@endpoints.patch(
    "/api/v1/staff/halls/{id:int}",
    "Rename a hall or give it a new layout (409 layout_in_use if seats sold ahead would disappear)",
    auth="staff",
    body=HallPatch,
    answer=HallOut,
    errors=(409,),
    body_limit="layout",
)
async def staff_update_hall(request: Request, principal: Principal, body: HallPatch) -> HallOut:
    scope = await staff_scope(request, principal)
    runtime = runtime_of(request)
    hall = await load_hall(request, scope, path_id(request))
    layout = parse_layout(body.layout) if body.layout is not None else None
    await staff.update_hall(runtime.db, scope.actor, hall, name=body.name, layout=layout)
    if layout is not None:
        coming = await staff.coming_showtimes(runtime.db, hall.id)
        await boxoffice.mark_changed(runtime.redis, coming)
        engine = seat_engine(runtime)
        for showtime_id in coming:  # those on sale now take the new layout at once
            await engine.relayout(showtime_id)
    await catalogue.catalogue_changed(runtime.cache)
    return hall_out(await load_hall(request, scope, hall.id))
