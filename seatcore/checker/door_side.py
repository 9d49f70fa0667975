"""Invariant 12 for the checker: every ticket came in at the door at most once, and only while live.

Read from MySQL's ``tickets`` (``checked_in_at``, ``checked_in_door``, set once by the admitting
UPDATE) and the scan trail ``door_scans`` (one ``admitted`` row per admission, online or synced
from an offline door). A violation is:

- a ticket with more than one ``admitted`` scan (let in twice);
- a ticket marked checked in without its admitted scan, or an admitted scan whose ticket is not
  marked (the two are written in one transaction, so either means a write went around it);
- a ticket checked in that is no longer live (refunded or exchanged after the door let it in, or
  let in while it was not live).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.checker.invariants import Result
from seatcore.db.schema import door_scans, tickets

ADMITTED = "admitted"
SHOWN = 50  # violations of one kind listed before "... and N more"


@dataclass(frozen=True, slots=True)
class DoorState:
    checked_in: int  # tickets marked checked in
    admitted_twice: list[tuple[str, int]]  # (ticket code, admitted scans)
    marked_without_scan: list[str]
    scan_without_mark: list[str]
    not_live: list[tuple[str, str]]  # (ticket code, door)


async def read_door(db: AsyncEngine) -> DoorState:
    admitted = door_scans.c.outcome == ADMITTED
    async with db.connect() as conn:
        checked_in = (
            await conn.execute(select(func.count()).where(tickets.c.checked_in_at.is_not(None)))
        ).scalar_one()
        twice = (
            select(door_scans.c.ticket_code, func.count())
            .where(admitted)
            .group_by(door_scans.c.ticket_code)
            .having(func.count() > 1)
            .order_by(door_scans.c.ticket_code)
        )
        scanned = select(door_scans.c.ticket_code).where(admitted)
        marked_alone = (
            select(tickets.c.code)
            .where(tickets.c.checked_in_at.is_not(None), tickets.c.code.not_in(scanned))
            .order_by(tickets.c.code)
        )
        scan_alone = (
            select(door_scans.c.ticket_code)
            .select_from(door_scans.outerjoin(tickets, tickets.c.code == door_scans.c.ticket_code))
            .where(admitted, tickets.c.checked_in_at.is_(None))
            .order_by(door_scans.c.ticket_code)
        )
        gone = (
            select(tickets.c.code, tickets.c.checked_in_door)
            .where(and_(tickets.c.checked_in_at.is_not(None), tickets.c.live.is_(None)))
            .order_by(tickets.c.code)
        )
        return DoorState(
            checked_in=int(checked_in),
            admitted_twice=[(str(r[0]), int(r[1])) for r in await conn.execute(twice)],
            marked_without_scan=[str(r[0]) for r in await conn.execute(marked_alone)],
            scan_without_mark=[str(r[0]) for r in await conn.execute(scan_alone)],
            not_live=[(str(r[0]), str(r[1])) for r in await conn.execute(gone)],
        )


def admitted_once(state: DoorState) -> Result:
    result = Result(
        "door", "no ticket admitted twice or while not live", checked=state.checked_in, unit="check-ins"
    )
    lines = [f"ticket {code}: admitted {count} times" for code, count in state.admitted_twice]
    lines += [f"ticket {code}: checked in without an admitted scan" for code in state.marked_without_scan]
    lines += [f"ticket {code}: an admitted scan, but not checked in" for code in state.scan_without_mark]
    lines += [f"ticket {code}: admitted at {door}, and no longer live" for code, door in state.not_live]
    result.violations = lines[:SHOWN] + ([f"... and {len(lines) - SHOWN} more"] if len(lines) > SHOWN else [])
    return result
