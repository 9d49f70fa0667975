"""Members, tiers and the points ledger in MySQL, and what each order took from them.

The guard of invariant 9 is one conditional UPDATE of the member's row,
``points = points + delta WHERE points + delta >= 0``, in the same transaction as the ledger row
it stands for: MySQL's row lock makes racing spenders queue on that row, and each re-checks the
condition against the balance the one before left (docs/loyalty.md says why not Redis).
``members.points`` is the ledger's sum kept beside it; ``seatcore check`` compares the two.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlalchemy import and_, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import (
    coupon_campaigns,
    coupons,
    member_tiers,
    members,
    order_discounts,
    orders,
    refunds,
)
from seatcore.db.schema import points_ledger as ledger
from seatcore.domain.members import DEFAULT_TIERS, SPEND_WINDOW_DAYS, Tier, tier_for
from seatcore.domain.orders import OrderStatus
from seatcore.domain.points import to_expire
from seatcore.errors import Conflict
from seatcore.store._time import utcnow

EXPIRE_ATTEMPTS = 5
SPENDING_STATUSES = (OrderStatus.TICKETED.value, OrderStatus.REFUND_REQUESTED.value)


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    level: int
    points: int
    spend_12m_fen: int
    joined_at: datetime  # naive UTC


@dataclass(frozen=True, slots=True)
class LedgerRow:
    id: int
    kind: str
    points: int
    order_id: str | None
    expires_at: datetime | None
    note: str
    created_at: datetime


# ------------------------------------------------------------------------------------------- tiers


async def get_tiers(db: AsyncEngine) -> list[Tier]:
    """The tiers by level; the defaults (V1..V5) until staff set their own."""
    async with db.connect() as conn:
        return await tiers_in(conn)


async def tiers_in(conn: AsyncConnection) -> list[Tier]:
    rows = (await conn.execute(select(member_tiers).order_by(member_tiers.c.level))).all()
    if not rows:
        return list(DEFAULT_TIERS)
    return [
        Tier(
            level=row.level,
            name=row.name,
            threshold_fen=row.threshold_fen,
            discount_percent=row.discount_percent,
            zone_prices={str(k): int(v) for k, v in orjson.loads(row.zone_prices).items()},
            free_exchanges_per_month=row.free_exchanges_per_month,
            free_refunds_per_month=row.free_refunds_per_month,
            early_booking_hours=row.early_booking_hours,
        )
        for row in rows
    ]


async def set_tiers(db: AsyncEngine, tiers: Sequence[Tier]) -> None:
    """Replace the tiers (checked by the caller) and move every member to the tier their spend
    reaches under them."""
    now = utcnow()
    async with db.begin() as conn:
        await conn.execute(delete(member_tiers))
        await conn.execute(
            insert(member_tiers),
            [
                {
                    "level": tier.level,
                    "name": tier.name,
                    "threshold_fen": tier.threshold_fen,
                    "discount_percent": tier.discount_percent,
                    "zone_prices": orjson.dumps(dict(tier.zone_prices)).decode(),
                    "free_exchanges_per_month": tier.free_exchanges_per_month,
                    "free_refunds_per_month": tier.free_refunds_per_month,
                    "early_booking_hours": tier.early_booking_hours,
                    "updated_at": now,
                }
                for tier in tiers
            ],
        )
        level = case(
            *[(members.c.spend_12m_fen >= tier.threshold_fen, tier.level) for tier in reversed(tiers)],
            else_=tiers[0].level,
        )
        await conn.execute(update(members).values(level=level, updated_at=now))


# ----------------------------------------------------------------------------------------- members


async def get_member(db: AsyncEngine, user_id: int) -> Member | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(members).where(members.c.user_id == user_id))).first()
    if row is None:
        return None
    return Member(row.user_id, row.level, row.points, row.spend_12m_fen, row.joined_at)


async def join(db: AsyncEngine, user_id: int) -> bool:
    """Make the user a member at the lowest tier; False when they already were. Their spend of the
    last 12 months counts at once."""
    now = utcnow()
    try:
        async with db.begin() as conn:
            tiers = await tiers_in(conn)
            await conn.execute(
                insert(members).values(
                    user_id=user_id,
                    level=tiers[0].level,
                    points=0,
                    version=0,
                    spend_12m_fen=0,
                    joined_at=now,
                    updated_at=now,
                )
            )
            await recompute_spend(conn, user_id, now)
    except IntegrityError:
        return False
    return True


async def recompute_spend(conn: AsyncConnection, user_id: int, now: datetime) -> None:
    """The member's 12-month spend and the tier it reaches (no-op for a non-member)."""
    since = now - timedelta(days=SPEND_WINDOW_DAYS)
    spend = (
        await conn.execute(
            select(func.coalesce(func.sum(orders.c.amount_fen), 0)).where(
                orders.c.user_id == user_id,
                orders.c.status.in_(SPENDING_STATUSES),
                orders.c.paid_at >= since,
            )
        )
    ).scalar_one()
    tier = tier_for(await tiers_in(conn), int(spend))
    await conn.execute(
        update(members)
        .where(members.c.user_id == user_id)
        .values(spend_12m_fen=int(spend), level=tier.level, updated_at=now)
    )


# ------------------------------------------------------------------------------------------ points


async def change_points(
    conn: AsyncConnection,
    user_id: int,
    delta: int,
    kind: str,
    *,
    order_id: str | None = None,
    expires_at: datetime | None = None,
    note: str = "",
    created_by: str = "",
) -> bool:
    """Add ``delta`` (signed) to the member's balance with its ledger row, inside the caller's
    transaction; False (nothing written) when the balance would go below zero or there is no
    such member. The one place the balance changes."""
    moved = await conn.execute(
        update(members)
        .where(members.c.user_id == user_id, members.c.points + delta >= 0)
        .values(points=members.c.points + delta, version=members.c.version + 1, updated_at=utcnow())
    )
    if moved.rowcount != 1:
        return False
    await conn.execute(
        insert(ledger).values(
            user_id=user_id,
            kind=kind,
            points=delta,
            order_id=order_id,
            expires_at=expires_at,
            note=note,
            created_by=created_by,
            created_at=utcnow(),
        )
    )
    return True


async def expire_due(db: AsyncEngine, user_id: int, now: datetime) -> int:
    """Expire what is due, oldest first (seatcore.domain.points); answers how many points.

    Optimistic: the sums are read at the member row's ``version`` and the expiry is written only
    if no other change came in between (else read again)."""
    for _attempt in range(EXPIRE_ATTEMPTS):
        async with db.begin() as conn:
            version = (
                await conn.execute(select(members.c.version).where(members.c.user_id == user_id))
            ).scalar_one_or_none()
            if version is None:
                return 0
            sums = (
                await conn.execute(
                    select(
                        func.coalesce(
                            func.sum(case((ledger.c.expires_at <= now, ledger.c.points), else_=0)), 0
                        ).label("due"),
                        func.coalesce(
                            func.sum(case((ledger.c.expires_at.is_(None), ledger.c.points), else_=0)), 0
                        ).label("others"),
                    ).where(ledger.c.user_id == user_id)
                )
            ).one()
            amount = to_expire(int(sums.due), -int(sums.others))
            if amount == 0:
                return 0
            moved = await conn.execute(
                update(members)
                .where(members.c.user_id == user_id, members.c.version == version, members.c.points >= amount)
                .values(points=members.c.points - amount, version=members.c.version + 1, updated_at=now)
            )
            if moved.rowcount == 1:
                await conn.execute(
                    insert(ledger).values(
                        user_id=user_id, kind="expire", points=-amount, note="expired", created_at=now
                    )
                )
                return amount
    return 0  # busy member: the next read expires them


async def history(db: AsyncEngine, user_id: int, *, before_id: int | None, limit: int) -> list[LedgerRow]:
    query = select(ledger).where(ledger.c.user_id == user_id)
    if before_id is not None:
        query = query.where(ledger.c.id < before_id)
    async with db.connect() as conn:
        rows = (await conn.execute(query.order_by(ledger.c.id.desc()).limit(limit))).all()
    return [LedgerRow(r.id, r.kind, r.points, r.order_id, r.expires_at, r.note, r.created_at) for r in rows]


# ----------------------------------------------------------------------------- what orders took


async def reserve(db: AsyncEngine, order_id: str, user_id: int, points: int, coupon_id: int | None) -> None:
    """Take the order's points and coupon, all or nothing. Raises Conflict ``points_insufficient``
    or ``coupon_unavailable`` (then nothing was taken)."""
    now = utcnow()
    async with db.begin() as conn:
        if points > 0 and not await change_points(conn, user_id, -points, "reserve", order_id=order_id):
            raise Conflict("not enough points", code="points_insufficient", points=points)
        if coupon_id is not None and not await take_coupon(conn, coupon_id, user_id, order_id):
            raise Conflict("this coupon is not yours to use now", code="coupon_unavailable")
        await conn.execute(
            insert(order_discounts).values(
                order_id=order_id,
                user_id=user_id,
                points=points,
                coupon_id=coupon_id,
                state="reserved",
                created_at=now,
                updated_at=now,
            )
        )


async def take_coupon(conn: AsyncConnection, coupon_id: int, user_id: int, order_id: str) -> bool:
    """Reserve the user's coupon for the order unless another order has it (one order per coupon)."""
    taken = await conn.execute(
        update(coupons)
        .where(coupons.c.id == coupon_id, coupons.c.user_id == user_id, coupons.c.state == "available")
        .values(state="reserved", order_id=order_id)
    )
    return taken.rowcount == 1


async def commit(conn: AsyncConnection, order_id: str) -> None:
    """The order was paid: its reservation is spent for good (once)."""
    now = utcnow()
    done = await conn.execute(
        update(order_discounts)
        .where(order_discounts.c.order_id == order_id, order_discounts.c.state == "reserved")
        .values(state="committed", updated_at=now)
    )
    if done.rowcount == 1:
        await conn.execute(
            update(coupons)
            .where(coupons.c.order_id == order_id, coupons.c.state == "reserved")
            .values(state="used", used_at=now)
        )


@dataclass(frozen=True, slots=True)
class Taken:
    """What an order took: ``points`` spent, and its coupon; ``coupon_returns``: a refund would give
    the coupon back now (its campaign's return_on_refund, and still valid)."""

    points: int
    coupon_id: int | None
    coupon_returns: bool


async def taken_by(conn: AsyncConnection, order_id: str, now: datetime) -> Taken | None:
    """What the order took and has not been given back (None: nothing)."""
    row = (
        await conn.execute(
            select(order_discounts).where(
                order_discounts.c.order_id == order_id, order_discounts.c.state != "returned"
            )
        )
    ).first()
    if row is None:
        return None
    returns = False
    if row.coupon_id is not None:
        campaign = (
            await conn.execute(
                select(coupon_campaigns.c.return_on_refund, coupon_campaigns.c.valid_until)
                .join(coupons, coupons.c.campaign_id == coupon_campaigns.c.id)
                .where(coupons.c.id == row.coupon_id)
            )
        ).one()
        returns = bool(campaign.return_on_refund) and campaign.valid_until > now
    return Taken(int(row.points), row.coupon_id, returns)


async def give_back(conn: AsyncConnection, order_id: str, *, refunded: bool) -> None:
    """Return the order's points and coupon, once: an unpaid order's reservation, or (``refunded``)
    a paid order's: the points its refund gives back (``refunds.points_back``: a fee keeps its
    share), the coupon only if its campaign says so and it is still valid."""
    now = utcnow()
    states = ("reserved", "committed") if refunded else ("reserved",)
    taken = await taken_by(conn, order_id, now)
    if taken is None:
        return
    done = await conn.execute(
        update(order_discounts)
        .where(order_discounts.c.order_id == order_id, order_discounts.c.state.in_(states))
        .values(state="returned", updated_at=now)
    )
    if done.rowcount != 1:
        return
    user_id = (
        await conn.execute(select(order_discounts.c.user_id).where(order_discounts.c.order_id == order_id))
    ).scalar_one()
    points = taken.points
    if refunded:
        recorded = (
            await conn.execute(
                select(refunds.c.points_back)
                .where(refunds.c.order_id == order_id)
                .order_by(refunds.c.id.desc())
            )
        ).first()
        if recorded is not None and recorded.points_back is not None:
            points = min(points, int(recorded.points_back))
    if points > 0:
        await change_points(conn, user_id, points, "return", order_id=order_id)
    if taken.coupon_id is not None and (taken.coupon_returns or not refunded):
        back = and_(coupons.c.id == taken.coupon_id, coupons.c.order_id == order_id)
        await conn.execute(update(coupons).where(back).values(state="available", order_id=None, used_at=None))


async def members_among(conn: AsyncConnection, user_ids: Collection[int]) -> set[int]:
    if not user_ids:
        return set()
    rows = await conn.execute(select(members.c.user_id).where(members.c.user_id.in_(sorted(user_ids))))
    return {int(row.user_id) for row in rows}


async def discounted_among(conn: AsyncConnection, order_ids: Collection[str]) -> set[str]:
    """Which of these orders took points or a coupon."""
    if not order_ids:
        return set()
    rows = await conn.execute(
        select(order_discounts.c.order_id).where(order_discounts.c.order_id.in_(sorted(order_ids)))
    )
    return {str(row.order_id) for row in rows}


async def stale_reservations(db: AsyncEngine, older_than: datetime, limit: int = 200) -> list[str]:
    async with db.connect() as conn:
        rows = await conn.execute(
            select(order_discounts.c.order_id)
            .where(order_discounts.c.state == "reserved", order_discounts.c.created_at < older_than)
            .limit(limit)
        )
        return [row.order_id for row in rows]


async def earn(conn: AsyncConnection, user_id: int, order_id: str, points: int, expires_at: datetime) -> None:
    """A paid order's points (members only, once per order)."""
    if points <= 0:
        return
    present = await conn.execute(
        select(ledger.c.id).where(ledger.c.order_id == order_id, ledger.c.kind == "earn")
    )
    if present.first() is None:
        await change_points(conn, user_id, points, "earn", order_id=order_id, expires_at=expires_at)


async def reverse_earned(conn: AsyncConnection, order_id: str) -> None:
    """A refunded order's earned points go again, as many as the balance still holds (the rest
    were spent: the refund does not push the balance below zero)."""
    earned = (
        await conn.execute(select(ledger).where(ledger.c.order_id == order_id, ledger.c.kind == "earn"))
    ).first()
    if earned is None:
        return
    reversed_before = await conn.execute(
        select(ledger.c.id).where(ledger.c.order_id == order_id, ledger.c.kind == "reverse")
    )
    if reversed_before.first() is not None:
        return
    balance = (
        await conn.execute(
            select(members.c.points).where(members.c.user_id == earned.user_id).with_for_update()
        )
    ).scalar_one()
    amount = min(int(earned.points), int(balance))
    await change_points(conn, earned.user_id, -amount, "reverse", order_id=order_id)


async def on_refunded(conn: AsyncConnection, order_id: str) -> None:
    """A paid order was refunded (in the caller's transaction, with the order's own change): its
    points and (per campaign) coupon come back, its earned points go, its spend no longer counts."""
    found = await conn.execute(select(orders.c.user_id).where(orders.c.id == order_id))
    user_id = found.scalar_one_or_none()
    if user_id is None:
        return
    await give_back(conn, order_id, refunded=True)
    await reverse_earned(conn, order_id)
    await recompute_spend(conn, int(user_id), utcnow())
