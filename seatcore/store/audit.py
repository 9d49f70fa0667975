"""The audit trail: who on the staff changed what, and when.

Writers record an entry on the same connection as the change, so a change and its entry commit
(or roll back) together. Entries are never edited or deleted by the service.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import audit_log
from seatcore.store._time import utcnow


@dataclass(frozen=True, slots=True)
class Actor:
    """The member of staff making a change."""

    staff_id: int
    username: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime  # naive UTC
    staff_id: int | None
    actor: str
    action: str
    cinema_id: int | None
    target_type: str
    target_id: str
    details: dict[str, Any]


async def record(
    conn: AsyncConnection,
    actor: Actor,
    action: str,
    *,
    target_type: str,
    target_id: str | int,
    cinema_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one entry on ``conn`` (inside the transaction of the change it describes)."""
    await conn.execute(
        insert(audit_log).values(
            at=utcnow(),
            staff_id=actor.staff_id,
            actor=actor.username,
            action=action,
            cinema_id=cinema_id,
            target_type=target_type,
            target_id=str(target_id),
            details=orjson.dumps(details or {}, default=str).decode(),
        )
    )


async def entries(
    db: AsyncEngine,
    *,
    cinema_ids: Collection[int] | None,
    target: tuple[str, str] | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Newest first. ``cinema_ids`` None: every entry; otherwise only entries of those cinemas."""
    query = select(audit_log)
    if cinema_ids is not None:
        query = query.where(audit_log.c.cinema_id.in_(list(cinema_ids)))
    if target is not None:
        query = query.where(audit_log.c.target_type == target[0], audit_log.c.target_id == target[1])
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    query = query.order_by(audit_log.c.id.desc()).limit(limit)
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [
        AuditEntry(
            id=int(row.id),
            at=row.at,
            staff_id=row.staff_id,
            actor=row.actor,
            action=row.action,
            cinema_id=row.cinema_id,
            target_type=row.target_type,
            target_id=row.target_id,
            details=orjson.loads(row.details),
        )
        for row in rows
    ]
