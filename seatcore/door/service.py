"""Checking tickets in: online scans, the offline scanner's download and its sync.

An online scan is admitted only if its QR carries our signature, its cinema is in the staff
member's scope, the door is open for its showtime, and the ticket is live and not in yet (the
last two in one conditional UPDATE, seatcore.store.door); an admission is recorded as the
analytics event ``checked_in``, as orders record theirs. A door that worked offline has already
let people in: its sync records each scan and reports what the server knows better (a ticket let
in at another door first, a ticket revoked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from seatcore.analytics.events import record
from seatcore.domain.analytics import CHECKED_IN
from seatcore.domain.door import PassRejected, TicketPass, window_problem
from seatcore.door.keys import Keyring
from seatcore.door.passes import issuer_of
from seatcore.errors import BadRequest, Conflict, Forbidden, NotFound, SeatcoreError
from seatcore.runtime import Runtime
from seatcore.store import door as store
from seatcore.store.door import Admission, DoorTicket, Scan

# A device clock this far ahead of ours is wrong, not early: such a scan is refused.
MAX_CLOCK_AHEAD = timedelta(minutes=5)


class TicketInvalid(BadRequest):
    """Not a ticket we signed: malformed, a bad signature, or a key the door does not know."""

    code = "ticket_invalid"
    status = 422


@dataclass(frozen=True, slots=True)
class Staff:
    """Who scans, and the cinemas they may scan for (None: every cinema)."""

    staff_id: int
    cinema_ids: frozenset[int] | None


def read_pass(keyring: Keyring, qr: str) -> TicketPass:
    try:
        return keyring.verify(qr)
    except PassRejected as exc:
        raise TicketInvalid(str(exc), reason=exc.reason) from None


def _require_cinema(staff: Staff, cinema_id: int) -> None:
    if staff.cinema_ids is not None and cinema_id not in staff.cinema_ids:
        raise Forbidden("this ticket is for another cinema", code="wrong_cinema", cinema_id=cinema_id)


async def check_in(
    runtime: Runtime,
    keyring: Keyring,
    staff: Staff,
    *,
    qr: str | None,
    code: str | None,
    door: str,
    now: datetime,
) -> Admission:
    """Admit one ticket now, or raise why not (409 already_checked_in / ticket_not_live, ...).

    ``code`` is the manual fallback for a QR the camera cannot read: the code printed under it,
    typed by a signed-in staff member, checked against the database instead of a signature.
    """
    ticket = await _target(runtime, keyring, qr, code)
    _require_cinema(staff, ticket.cinema_id)
    problem = window_problem(ticket, now)
    if problem is not None:
        raise Conflict(
            "the door is not open for this showtime"
            if problem == "too_early"
            else "this ticket's showtime is over",
            code="outside_door_window",
            reason=problem,
            valid_from=ticket.valid_from.isoformat(),
            valid_until=ticket.valid_until.isoformat(),
        )
    scan = Scan(ticket.code, ticket.showtime_id, ticket.cinema_id, door, now, staff.staff_id, offline=False)
    admission = await store.admit(runtime.db, scan)
    _raise_refusal(admission)
    _record_admitted(runtime, admission.ticket)
    return admission


def _record_admitted(runtime: Runtime, ticket: DoorTicket) -> None:
    """The analytics event of an admission (the service's own; its channel is the order's)."""
    record(
        runtime,
        CHECKED_IN,
        user_id=ticket.user_id,
        showtime_id=ticket.showtime_id,
        cinema_id=ticket.cinema_id,
        order_id=ticket.order_id,
    )


def _raise_refusal(admission: Admission) -> None:
    ticket = admission.ticket
    if admission.outcome == store.ALREADY:
        assert ticket.checked_in_at is not None
        raise Conflict(
            f"already checked in at {ticket.checked_in_door}",
            code="already_checked_in",
            checked_in_at=ticket.checked_in_at.astimezone(ZoneInfo(ticket.timezone)).isoformat(),
            door=ticket.checked_in_door,
            seat=ticket.seat_id,
        )
    if admission.outcome == store.NOT_LIVE:
        raise Conflict("this ticket was refunded or exchanged", code="ticket_not_live", seat=ticket.seat_id)


async def _target(runtime: Runtime, keyring: Keyring, qr: str | None, code: str | None) -> TicketPass:
    """The pass to admit: the signed one, or one built from the database for a typed code."""
    if qr is not None:
        signed = read_pass(keyring, qr)
        if await store.find_ticket(runtime.db, signed.code) is None:
            raise NotFound("no such ticket")  # signed by us, but never landed (or another system's)
        return signed
    assert code is not None
    found = await store.find_ticket(runtime.db, code)
    if found is None:
        raise NotFound("no such ticket")
    return pass_of(found, runtime)


def pass_of(ticket: DoorTicket, runtime: Runtime) -> TicketPass:
    """The pass a ticket's QR shows, rebuilt from the database."""
    return issuer_of(runtime).ticket_pass(
        code=ticket.code,
        seat=ticket.seat_id,
        showtime_id=ticket.showtime_id,
        cinema_id=ticket.cinema_id,
        hall=ticket.hall_name,
        starts_at=ticket.starts_at,
    )


async def qr_text(runtime: Runtime, code: str) -> str:
    """The signed text of a ticket's QR code (the ticket exists: the caller has read it)."""
    found = await store.find_ticket(runtime.db, code)
    if found is None:
        raise NotFound("no such ticket")
    return issuer_of(runtime).keyring.sign(pass_of(found, runtime))


# ------------------------------------------------------------------------------------------ offline


@dataclass(frozen=True, slots=True)
class OfflineScan:
    qr: str | None
    code: str | None
    door: str
    scanned_at: datetime  # aware, the device's clock


@dataclass(frozen=True, slots=True)
class SyncResult:
    """One offline scan as the server took it.

    ``status``: ``admitted``; ``duplicate`` (this very scan was synced before); ``conflict`` with
    ``reason`` ``admitted_elsewhere`` (the ticket came in first at another door or time) or
    ``ticket_not_live`` (refunded or exchanged); ``refused`` with the error code of a scan the
    server cannot take at all (``ticket_invalid``, ``wrong_cinema``, ``not_found``, ...).
    """

    code: str | None
    status: str
    reason: str | None = None
    door: str | None = None  # where the ticket is recorded as admitted
    checked_in_at: datetime | None = None
    seat: str | None = None


async def sync(
    runtime: Runtime, keyring: Keyring, staff: Staff, scans: list[OfflineScan], now: datetime
) -> list[SyncResult]:
    """Record a door's offline scans in the order they were made; one result per scan."""
    ordered = sorted(range(len(scans)), key=lambda i: scans[i].scanned_at)
    results: dict[int, SyncResult] = {}
    for index in ordered:
        try:
            results[index] = await _sync_one(runtime, keyring, staff, scans[index], now)
        except SeatcoreError as exc:
            results[index] = SyncResult(code=scans[index].code, status="refused", reason=exc.code)
    return [results[i] for i in range(len(scans))]


async def _sync_one(
    runtime: Runtime, keyring: Keyring, staff: Staff, offline: OfflineScan, now: datetime
) -> SyncResult:
    if offline.scanned_at > now + MAX_CLOCK_AHEAD:
        raise BadRequest("the scan is dated in the future: check the device's clock", code="bad_scan_time")
    ticket = await _target(runtime, keyring, offline.qr, offline.code)
    _require_cinema(staff, ticket.cinema_id)
    scan = Scan(
        ticket.code,
        ticket.showtime_id,
        ticket.cinema_id,
        offline.door,
        offline.scanned_at,
        staff.staff_id,
        True,
    )
    admission = await store.admit(runtime.db, scan)
    row = admission.ticket
    zone = ZoneInfo(row.timezone)
    if admission.outcome == store.ADMITTED:
        _record_admitted(runtime, row)
        return SyncResult(
            ticket.code,
            "admitted",
            door=offline.door,
            checked_in_at=offline.scanned_at.astimezone(zone),
            seat=row.seat_id,
        )
    if admission.outcome == store.NOT_LIVE:
        return SyncResult(ticket.code, "conflict", reason=store.NOT_LIVE, seat=row.seat_id)
    same = (
        row.checked_in_door == offline.door
        and row.checked_in_at is not None
        and _same_second(row.checked_in_at, offline.scanned_at)
    )
    return SyncResult(
        ticket.code,
        "duplicate" if same else "conflict",
        reason=None if same else "admitted_elsewhere",
        door=row.checked_in_door,
        checked_in_at=row.checked_in_at.astimezone(zone) if row.checked_in_at else None,
        seat=row.seat_id,
    )


def _same_second(a: datetime, b: datetime) -> bool:
    """The database keeps whole seconds."""
    return int(a.timestamp()) == int(b.timestamp())
