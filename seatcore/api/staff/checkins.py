"""Staff API: the door. Check a ticket in, the per-showtime counter, the scanner's offline kit
(the day's tickets, the public keys and the revocation list) and the sync of offline scans.

The rules live in seatcore.door.service; docs/door.md tells the whole story.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Body, Day, Endpoints, Moment, Query, path_id
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.api.staff._scanned import QrOrCode
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.door import service
from seatcore.door.keys import keyring_of
from seatcore.door.service import OfflineScan, Staff
from seatcore.errors import NotFound
from seatcore.store import door as store
from seatcore.store.door import DoorTicket

endpoints = Endpoints("staff: door")
MAX_SYNC_SCANS = 200
DoorName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")]
TicketCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{4,32}$")]


class _QrOrCode(QrOrCode):
    code: TicketCode | None = Field(None, description="the code printed under the QR (typed by hand)")


class CheckinBody(_QrOrCode):
    door: DoorName = Field("main", description="which door scans (shown on a second scan)")


class DoorTicketOut(Answer):
    code: str
    seat: str
    showtime_id: int
    movie_title: str
    hall: str
    starts_at: dt.datetime = Field(description="the cinema's time zone")
    checked_in_at: dt.datetime | None
    door: str | None


class CounterOut(Answer):
    showtime_id: int
    admitted: int
    sold: int = Field(description="live tickets")


class CheckinAnswer(Answer):
    status: str = Field(description="admitted")
    ticket: DoorTicketOut
    counter: CounterOut


def ticket_out(ticket: DoorTicket) -> DoorTicketOut:
    zone = ZoneInfo(ticket.timezone)
    return DoorTicketOut(
        code=ticket.code,
        seat=ticket.seat_id,
        showtime_id=ticket.showtime_id,
        movie_title=ticket.movie_title,
        hall=ticket.hall_name,
        starts_at=ticket.starts_at.astimezone(zone),
        checked_in_at=ticket.checked_in_at.astimezone(zone) if ticket.checked_in_at else None,
        door=ticket.checked_in_door,
    )


async def _staff(request: Request, principal: Principal) -> Staff:
    scope = await staff_scope(request, principal)
    return Staff(scope.actor.staff_id, scope.cinema_ids)


async def _counter(request: Request, showtime_id: int) -> CounterOut:
    found = await store.counter(runtime_of(request).db, showtime_id)
    if found is None:
        raise NotFound("no such showtime")
    return CounterOut(showtime_id=showtime_id, admitted=found.admitted, sold=found.sold)


@endpoints.post(
    "/api/v1/staff/checkins",
    "Check a ticket in at a door (its QR text, or its code typed by hand)",
    auth="staff",
    body=CheckinBody,
    answer=CheckinAnswer,
    errors=(403, 404, 409, 422),
)
async def check_in(request: Request, principal: Principal, body: CheckinBody) -> CheckinAnswer:
    runtime = runtime_of(request)
    admission = await service.check_in(
        runtime,
        keyring_of(runtime),
        await _staff(request, principal),
        qr=body.qr,
        code=body.code,
        door=body.door,
        now=dt.datetime.now(dt.UTC),
    )
    return CheckinAnswer(
        status="admitted",
        ticket=ticket_out(admission.ticket),
        counter=await _counter(request, admission.ticket.showtime_id),
    )


@endpoints.get(
    "/api/v1/staff/door/showtimes/{showtime_id:int}",
    "A showtime's door counter: tickets admitted of tickets sold",
    auth="staff",
    answer=CounterOut,
    errors=(404,),
)
async def door_counter(request: Request, principal: Principal) -> CounterOut:
    showtime_id = path_id(request, "showtime_id")
    counter = await store.counter(runtime_of(request).db, showtime_id)
    scope = await staff_scope(request, principal)
    if counter is None or not scope.can_see(counter.cinema_id):
        raise NotFound("no such showtime")
    return CounterOut(showtime_id=showtime_id, admitted=counter.admitted, sold=counter.sold)


class PublicKeyOut(Answer):
    kid: str
    alg: str
    public_key: str = Field(description="raw 32-byte Ed25519 key, base64url (WebCrypto `raw` import)")


class KeysAnswer(Answer):
    signing_key_id: str
    keys: list[PublicKeyOut]


@endpoints.get(
    "/api/v1/staff/door/keys",
    "The public keys that verify ticket QR codes (every key a live ticket may name)",
    auth="staff",
    answer=KeysAnswer,
)
async def door_keys(request: Request, principal: Principal) -> KeysAnswer:
    keyring = keyring_of(runtime_of(request))
    return KeysAnswer(
        signing_key_id=keyring.signing_id, keys=[PublicKeyOut(**key) for key in keyring.public_keys()]
    )


class DayQuery(Query):
    cinema_id: int = Field(ge=1, lt=MAX_ID)
    date: Day | None = Field(None, description="the cinema's local date; default today")


class DayShowtimeOut(CounterOut):
    movie_title: str
    hall: str
    starts_at: dt.datetime
    valid_from: dt.datetime
    valid_until: dt.datetime


class DayAnswer(Answer):
    cinema_id: int
    date: dt.date
    generated_at: dt.datetime
    showtimes: list[DayShowtimeOut]
    tickets: list[DoorTicketOut] = Field(description="live tickets of the day's showtimes")
    revoked: list[str] = Field(description="codes of the day's refunded or exchanged tickets")
    keys: list[PublicKeyOut]


@endpoints.get(
    "/api/v1/staff/door/day",
    "A scanner's offline kit: the day's tickets of a cinema, the public keys and the revocation list",
    auth="staff",
    query=DayQuery,
    answer=DayAnswer,
    errors=(404,),
)
async def door_day(request: Request, principal: Principal, query: DayQuery) -> DayAnswer:
    runtime = runtime_of(request)
    scope = await staff_scope(request, principal)
    scope.require_cinema(query.cinema_id)
    zone_name = await store.cinema_timezone(runtime.db, query.cinema_id)
    if zone_name is None:
        raise NotFound("no such cinema")
    zone = ZoneInfo(zone_name)
    now = dt.datetime.now(dt.UTC)
    day = query.date or now.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(), zone)
    found = await store.tickets_between(runtime.db, (query.cinema_id,), start, start + dt.timedelta(days=1))
    shows: dict[int, DayShowtimeOut] = {}
    for ticket in found:
        show = shows.get(ticket.showtime_id)
        if show is None:
            window = service.pass_of(ticket, runtime)
            show = shows[ticket.showtime_id] = DayShowtimeOut(
                showtime_id=ticket.showtime_id,
                admitted=0,
                sold=0,
                movie_title=ticket.movie_title,
                hall=ticket.hall_name,
                starts_at=ticket.starts_at.astimezone(zone),
                valid_from=window.valid_from.astimezone(zone),
                valid_until=window.valid_until.astimezone(zone),
            )
        if ticket.live:
            show.sold += 1
            show.admitted += ticket.checked_in_at is not None
    keyring = keyring_of(runtime)
    return DayAnswer(
        cinema_id=query.cinema_id,
        date=day,
        generated_at=now.astimezone(zone),
        showtimes=list(shows.values()),
        tickets=[ticket_out(ticket) for ticket in found if ticket.live],
        revoked=[ticket.code for ticket in found if not ticket.live],
        keys=[PublicKeyOut(**key) for key in keyring.public_keys()],
    )


class OfflineScanIn(_QrOrCode):
    door: DoorName
    scanned_at: Moment = Field(description="when the door let the ticket in (ISO 8601 with zone)")


class SyncBody(Body):
    scans: list[OfflineScanIn] = Field(min_length=1, max_length=MAX_SYNC_SCANS)


class SyncResultOut(Answer):
    code: str | None
    status: str = Field(description="admitted | duplicate | conflict | refused")
    reason: str | None = Field(description="admitted_elsewhere | ticket_not_live, or a refusal's error code")
    door: str | None
    checked_in_at: dt.datetime | None
    seat: str | None


class SyncAnswer(Answer):
    results: list[SyncResultOut] = Field(description="one per scan, in the order sent")
    conflicts: int


@endpoints.post(
    "/api/v1/staff/door/sync",
    "Record scans a door made offline; reports conflicts (admitted elsewhere first, revoked)",
    auth="staff",
    body=SyncBody,
    answer=SyncAnswer,
    errors=(422,),
)
async def door_sync(request: Request, principal: Principal, body: SyncBody) -> SyncAnswer:
    for scan in body.scans:
        if scan.scanned_at.tzinfo is None:
            raise service.TicketInvalid("scanned_at needs a time zone", reason="bad_scan_time")
    runtime = runtime_of(request)
    results = await service.sync(
        runtime,
        keyring_of(runtime),
        await _staff(request, principal),
        [OfflineScan(s.qr, s.code, s.door, s.scanned_at) for s in body.scans],
        dt.datetime.now(dt.UTC),
    )
    return SyncAnswer(
        results=[
            SyncResultOut(
                code=r.code,
                status=r.status,
                reason=r.reason,
                door=r.door,
                checked_in_at=r.checked_in_at,
                seat=r.seat,
            )
            for r in results
        ],
        conflicts=sum(r.status == "conflict" for r in results),
    )
