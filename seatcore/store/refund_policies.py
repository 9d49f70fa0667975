"""Cinemas' refund and exchange policies, and the showtime facts a refund or an exchange is judged on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import cinemas, movies, refund_policies, showtimes
from seatcore.domain.refunds import RefundPolicy, default_policy, is_premiere, policy_from_dict
from seatcore.store import audit
from seatcore.store._time import utcnow
from seatcore.store.audit import Actor


@dataclass(frozen=True, slots=True)
class ShowFacts:
    id: int
    cinema_id: int
    movie_id: int
    starts_at: datetime  # aware UTC
    timezone: str
    premiere: bool  # on its movie's release day, in the cinema's calendar
    cancelled: bool


async def show_facts(db: AsyncEngine, ids: Iterable[int]) -> dict[int, ShowFacts]:
    wanted = sorted(set(ids))
    query = (
        select(
            showtimes.c.id,
            showtimes.c.cinema_id,
            showtimes.c.movie_id,
            showtimes.c.starts_at,
            showtimes.c.status,
            cinemas.c.timezone,
            movies.c.release_date,
        )
        .join(cinemas, cinemas.c.id == showtimes.c.cinema_id)
        .join(movies, movies.c.id == showtimes.c.movie_id)
        .where(showtimes.c.id.in_(wanted))
    )
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all() if wanted else []
    found = {}
    for row in rows:
        starts_at = row.starts_at.replace(tzinfo=UTC)
        release: date | None = row.release_date.date() if row.release_date is not None else None
        local_day = starts_at.astimezone(ZoneInfo(row.timezone)).date()
        found[row.id] = ShowFacts(
            id=row.id,
            cinema_id=row.cinema_id,
            movie_id=row.movie_id,
            starts_at=starts_at,
            timezone=row.timezone,
            premiere=is_premiere(local_day, release),
            cancelled=row.status == "cancelled",
        )
    return found


async def policy_for(
    db: AsyncEngine, cinema_id: int, refund_until_before_min: int
) -> tuple[RefundPolicy, bool]:
    """The cinema's policy and whether it set one (else the default from the service's
    ``refund_until_before_min`` or the cinema's own override of it)."""
    async with db.connect() as conn:
        row = (
            await conn.execute(
                select(refund_policies.c.document, cinemas.c.refund_until_before_min)
                .select_from(cinemas)
                .outerjoin(refund_policies, refund_policies.c.cinema_id == cinemas.c.id)
                .where(cinemas.c.id == cinema_id)
            )
        ).first()
    if row is not None and row.document is not None:
        return policy_from_dict(orjson.loads(row.document)), True
    own = row.refund_until_before_min if row is not None else None
    return default_policy(refund_until_before_min if own is None else own), False


async def set_policy(db: AsyncEngine, actor: Actor, cinema_id: int, policy: RefundPolicy) -> None:
    """Store the cinema's policy, with its audit entry in the same transaction."""
    document = orjson.dumps(policy.to_dict()).decode()
    now = utcnow()
    async with db.begin() as conn:
        await audit.record(
            conn,
            actor,
            "cinema.refund_policy",
            target_type="cinema",
            target_id=cinema_id,
            cinema_id=cinema_id,
            details=policy.to_dict(),
        )
        changed = await conn.execute(
            update(refund_policies)
            .where(refund_policies.c.cinema_id == cinema_id)
            .values(document=document, updated_at=now)
        )
        if not changed.rowcount:
            await conn.execute(
                insert(refund_policies).values(cinema_id=cinema_id, document=document, updated_at=now)
            )
