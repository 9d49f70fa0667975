"""Staff API: the audit trail of who on the staff did what (admins: everything; staff: their cinemas)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field
from starlette.requests import Request

from seatcore.api._cursor import decode_cursor, encode_cursor
from seatcore.api._http import Answer, Endpoints
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.api.staff._query import PageQuery
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.store import audit
from seatcore.store._time import from_db

endpoints = Endpoints("staff: audit")


class AuditQuery(PageQuery):
    cinema_id: int | None = Field(None, ge=1, lt=MAX_ID)
    target_type: str | None = Field(None, pattern=r"^[a-z_]{1,32}$", description="movie, cinema, hall, ...")
    target_id: str | None = Field(None, max_length=64)


class AuditEntryOut(Answer):
    id: int
    at: dt.datetime = Field(description="UTC")
    staff_id: int | None
    actor: str
    action: str
    cinema_id: int | None
    target_type: str
    target_id: str
    details: dict[str, Any]


class AuditPage(Answer):
    items: list[AuditEntryOut]
    next_cursor: str | None


def entry_out(entry: audit.AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        at=from_db(entry.at),
        staff_id=entry.staff_id,
        actor=entry.actor,
        action=entry.action,
        cinema_id=entry.cinema_id,
        target_type=entry.target_type,
        target_id=entry.target_id,
        details=entry.details,
    )


@endpoints.get(
    "/api/v1/staff/audit",
    "The audit trail, newest first (cinema staff: entries of their cinemas)",
    auth="staff",
    query=AuditQuery,
    answer=AuditPage,
)
async def staff_audit_trail(request: Request, principal: Principal, query: AuditQuery) -> AuditPage:
    scope = await staff_scope(request, principal)
    before = None
    if query.cursor is not None:
        (before,) = decode_cursor(query.cursor, ("id",))
    target = None
    if query.target_type is not None and query.target_id is not None:
        target = (query.target_type, query.target_id)
    found = await audit.entries(
        runtime_of(request).db,
        cinema_ids=scope.narrowed(query.cinema_id),
        target=target,
        before_id=before,
        limit=query.limit + 1,
    )
    page = found[: query.limit]
    return AuditPage(
        items=[entry_out(entry) for entry in page],
        next_cursor=encode_cursor((page[-1].id,)) if len(found) > query.limit else None,
    )
