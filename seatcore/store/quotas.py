"""Members' monthly free exchanges and free refunds: each use in MySQL, and the guard on the quota.

A tier grants ``free_exchanges_per_month`` and ``free_refunds_per_month`` (seatcore.domain.members).
A use waives the cinema's fee for one order; it is counted in the calendar month of the cinema's
time zone in which it is taken. The guard (docs/loyalty.md, "Free exchanges and refunds"): the
month's uses take slots 1..quota, one INSERT per slot tried in order, and the unique key (member,
kind, month, slot) lets exactly one of two racing uses have a slot; the loser tries the next slot, and
there is none above the quota. The other unique key (kind, order) makes an order's use one use,
however often its refund or exchange is retried.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import member_free_uses as uses
from seatcore.db.schema import member_tiers, members
from seatcore.domain.members import DEFAULT_TIERS, Tier
from seatcore.store._time import utcnow

Kind = Literal["exchange", "refund"]
KINDS: tuple[Kind, ...] = ("exchange", "refund")


def month_of(moment: datetime, timezone: str) -> str:
    """``YYYY-MM`` of an aware moment in the time zone's calendar."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")


def quota(tier: Tier, kind: Kind) -> int:
    return tier.free_exchanges_per_month if kind == "exchange" else tier.free_refunds_per_month


async def member_tier(conn: AsyncConnection, user_id: int) -> Tier | None:
    """The member's tier as MySQL has it now; None for a non-member."""
    level = (
        await conn.execute(select(members.c.level).where(members.c.user_id == user_id))
    ).scalar_one_or_none()
    if level is None:
        return None
    row = (await conn.execute(select(member_tiers).where(member_tiers.c.level == level))).first()
    if row is None:
        return next((tier for tier in DEFAULT_TIERS if tier.level == level), DEFAULT_TIERS[0])
    return Tier(
        level=row.level,
        name=row.name,
        threshold_fen=row.threshold_fen,
        free_exchanges_per_month=row.free_exchanges_per_month,
        free_refunds_per_month=row.free_refunds_per_month,
    )


async def used(conn: AsyncConnection, user_id: int, kind: Kind, month: str) -> int:
    counted = await conn.execute(
        select(func.count()).where(uses.c.user_id == user_id, uses.c.kind == kind, uses.c.month == month)
    )
    return int(counted.scalar_one())


async def left(db: AsyncEngine, user_id: int, month: str) -> dict[Kind, int]:
    """The member's free uses left this month, per kind (0 each for a non-member)."""
    async with db.connect() as conn:
        tier = await member_tier(conn, user_id)
        if tier is None:
            return {kind: 0 for kind in KINDS}
        return {kind: max(0, quota(tier, kind) - await used(conn, user_id, kind, month)) for kind in KINDS}


async def has_use(conn: AsyncConnection, kind: Kind, order_id: str) -> bool:
    found = await conn.execute(select(uses.c.id).where(uses.c.kind == kind, uses.c.order_id == order_id))
    return found.first() is not None


async def take(conn: AsyncConnection, user_id: int, kind: Kind, month: str, order_id: str) -> bool:
    """Take one of the member's free uses of ``month`` for the order, inside the caller's
    transaction; True when the order has one (now or from an earlier attempt), False when the
    quota is used up or the moviegoer is not a member."""
    if await has_use(conn, kind, order_id):
        return True
    tier = await member_tier(conn, user_id)
    allowed = 0 if tier is None else quota(tier, kind)
    for slot in range(1, allowed + 1):  # from 1: a slot given back is taken again
        try:
            async with conn.begin_nested():
                await conn.execute(
                    insert(uses).values(
                        user_id=user_id, kind=kind, month=month, slot=slot, quota=allowed,
                        order_id=order_id, created_at=utcnow(),
                    )
                )
            return True
        except IntegrityError:
            if await has_use(conn, kind, order_id):  # this order's own use, taken by a retry
                return True
    return False


async def give_back(conn: AsyncConnection, kind: Kind, order_id: str) -> None:
    """The order's use did not happen after all (an exchange abandoned before its swap)."""
    await conn.execute(delete(uses).where(uses.c.kind == kind, uses.c.order_id == order_id))
