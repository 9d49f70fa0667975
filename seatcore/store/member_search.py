"""Finding members for staff: by user id, phone or part of a nickname (the console's member look-up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.bounds import MAX_ID
from seatcore.db.schema import members, users


@dataclass(frozen=True, slots=True)
class FoundMember:
    user_id: int
    nickname: str
    level: int
    points: int
    spend_12m_fen: int
    joined_at: datetime  # naive UTC


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def find_members(db: AsyncEngine, q: str, limit: int) -> list[FoundMember]:
    """Members whose user id or phone is ``q``, or whose nickname contains it; lowest id first."""
    q = q.strip()
    wanted: list[ColumnElement[bool]] = [users.c.nickname.like(_like(q), escape="\\")]
    if q.isascii() and q.isdigit():  # not "²", which Python counts as a digit
        wanted.append(users.c.phone == q)
        if int(q) < MAX_ID:
            wanted.append(users.c.id == int(q))
    query = (
        select(
            members.c.user_id, users.c.nickname, members.c.level, members.c.points,
            members.c.spend_12m_fen, members.c.joined_at,
        )
        .join(users, users.c.id == members.c.user_id)
        .where(or_(*wanted))
        .order_by(members.c.user_id)
        .limit(limit)
    )
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [
        FoundMember(row.user_id, row.nickname, row.level, row.points, row.spend_12m_fen, row.joined_at)
        for row in rows
    ]
