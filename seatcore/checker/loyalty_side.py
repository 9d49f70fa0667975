"""Invariants 9 and 10, read from MySQL: points balances and coupon limits, what orders took, and
the members' monthly free exchanges and refunds.

- points: each member's balance equals the sum of their ledger and is not negative;
- coupons: no campaign handed out more than its stock, nobody holds more of a campaign than its
  per-user limit, and no coupon (a single-use code included) is on more than one order that has
  not given it back;
- discounts: no order keeps points or a coupon reserved long after it could still be paid (they
  came back, or the order was paid and committed them), a refunded order's points and coupon
  went back, and a coupon marked used is on an order that committed it;
- free uses: no member used more free exchanges or refunds in a month than their tier's quota, and
  each free use belongs to a refund or an exchange of its order.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.checker.invariants import Result
from seatcore.db.schema import (
    coupon_campaigns,
    coupons,
    exchanges,
    member_free_uses,
    members,
    order_discounts,
    orders,
    points_ledger,
    refunds,
)
from seatcore.domain.orders import OrderStatus
from seatcore.store._time import utcnow

# A reservation is settled by the order path, or by the loyalty sweep once it is older than a
# hold's hard maximum and its grace (seatcore.loyalty.sweep); past this margin it is left behind.
RESERVATION_MARGIN = timedelta(minutes=10)


async def points_balanced(db: AsyncEngine) -> Result:
    result = Result("points", "9 points balance = ledger, never negative", unit="members")
    sums = (
        select(points_ledger.c.user_id, func.sum(points_ledger.c.points).label("total"))
        .group_by(points_ledger.c.user_id)
        .subquery()
    )
    query = select(members.c.user_id, members.c.points, sums.c.total).select_from(
        members.outerjoin(sums, sums.c.user_id == members.c.user_id)
    )
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
        strays = (
            await conn.execute(
                select(func.count(func.distinct(points_ledger.c.user_id))).where(
                    points_ledger.c.user_id.not_in(select(members.c.user_id))
                )
            )
        ).scalar_one()
    result.checked = len(rows)
    for row in rows:
        total = int(row.total or 0)
        if row.points != total:
            result.violations.append(f"member {row.user_id}: balance {row.points}, ledger sums to {total}")
        if row.points < 0 or total < 0:
            result.violations.append(f"member {row.user_id}: negative balance {min(row.points, total)}")
    if strays:
        result.violations.append(f"{strays} user(s) have ledger rows but no membership")
    return result


async def coupons_within_limits(db: AsyncEngine) -> Result:
    result = Result("coupons", "10 coupons within stock, per-user limit, one order", unit="campaigns")
    held = (
        select(coupons.c.campaign_id, func.count().label("held"))
        .where(coupons.c.user_id.is_not(None))
        .group_by(coupons.c.campaign_id)
        .subquery()
    )
    per_user = (
        select(coupons.c.campaign_id, coupons.c.user_id, func.count().label("n"))
        .where(coupons.c.user_id.is_not(None))
        .group_by(coupons.c.campaign_id, coupons.c.user_id)
        .subquery()
    )
    async with db.connect() as conn:
        campaigns = (
            await conn.execute(
                select(
                    coupon_campaigns.c.id, coupon_campaigns.c.stock, coupon_campaigns.c.issued, held.c.held
                ).select_from(coupon_campaigns.outerjoin(held, held.c.campaign_id == coupon_campaigns.c.id))
            )
        ).all()
        over_limit = (
            await conn.execute(
                select(
                    per_user.c.campaign_id,
                    per_user.c.user_id,
                    per_user.c.n,
                    coupon_campaigns.c.per_user_limit,
                )
                .join(coupon_campaigns, coupon_campaigns.c.id == per_user.c.campaign_id)
                .where(per_user.c.n > coupon_campaigns.c.per_user_limit)
            )
        ).all()
        twice = (
            await conn.execute(
                select(order_discounts.c.coupon_id, func.count().label("orders"))
                .where(order_discounts.c.coupon_id.is_not(None), order_discounts.c.state != "returned")
                .group_by(order_discounts.c.coupon_id)
                .having(func.count() > 1)
            )
        ).all()
    result.checked = len(campaigns)
    for row in campaigns:
        if row.issued > row.stock or (row.held or 0) > row.stock:
            result.violations.append(
                f"campaign {row.id}: stock {row.stock}, handed out {row.issued}, held {row.held or 0}"
            )
    for row in over_limit:
        result.violations.append(
            f"campaign {row.campaign_id}: user {row.user_id} holds {row.n}, limit {row.per_user_limit}"
        )
    for row in twice:
        result.violations.append(f"coupon {row.coupon_id} is on {row.orders} orders")
    return result


async def discounts_settled(db: AsyncEngine, *, max_life_ms: int) -> Result:
    result = Result("discounts", "9/10 reserved points and coupons settle with their order", unit="orders")
    stale_before = utcnow() - timedelta(milliseconds=max_life_ms) - RESERVATION_MARGIN
    async with db.connect() as conn:
        counted = await conn.execute(select(func.count()).select_from(order_discounts))
        result.checked = int(counted.scalar_one())
        stale = (
            await conn.execute(
                select(order_discounts.c.order_id).where(
                    order_discounts.c.state == "reserved", order_discounts.c.created_at < stale_before
                )
            )
        ).all()
        kept = (
            await conn.execute(
                select(order_discounts.c.order_id)
                .join(orders, orders.c.id == order_discounts.c.order_id)
                .where(
                    orders.c.status == OrderStatus.REFUNDED.value, order_discounts.c.state != "returned"
                )
            )
        ).all()
        used_loose = (
            await conn.execute(
                select(coupons.c.id, coupons.c.order_id)
                .select_from(
                    coupons.outerjoin(order_discounts, order_discounts.c.order_id == coupons.c.order_id)
                )
                .where(  # returned: a refund that keeps the coupon (its campaign says so)
                    coupons.c.state == "used",
                    func.coalesce(order_discounts.c.state, "reserved") == "reserved",
                )
            )
        ).all()
    for row in stale:
        result.violations.append(f"order {row.order_id}: points or coupon still reserved")
    for row in kept:
        result.violations.append(f"order {row.order_id}: refunded, its points and coupon not given back")
    for row in used_loose:
        result.violations.append(f"coupon {row.id}: used, but order {row.order_id} did not commit it")
    return result


async def free_uses_within_quota(db: AsyncEngine) -> Result:
    result = Result("free_uses", "members' free exchanges and refunds within the monthly quota", unit="uses")
    uses = member_free_uses
    async with db.connect() as conn:
        result.checked = int((await conn.execute(select(func.count()).select_from(uses))).scalar_one())
        over = (
            await conn.execute(
                select(
                    uses.c.user_id,
                    uses.c.kind,
                    uses.c.month,
                    func.count().label("n"),
                    func.max(uses.c.quota).label("quota"),
                )
                .group_by(uses.c.user_id, uses.c.kind, uses.c.month)
                .having(func.count() > func.max(uses.c.quota))
            )
        ).all()
        orphans = (
            await conn.execute(
                select(uses.c.kind, uses.c.order_id)
                .select_from(
                    uses.outerjoin(
                        refunds, and_(uses.c.kind == "refund", refunds.c.order_id == uses.c.order_id)
                    ).outerjoin(
                        exchanges, and_(uses.c.kind == "exchange", exchanges.c.order_id == uses.c.order_id)
                    )
                )
                .where(refunds.c.order_id.is_(None), exchanges.c.order_id.is_(None))
            )
        ).all()
    for row in over:
        result.violations.append(
            f"member {row.user_id}: {row.n} free {row.kind}s in {row.month}, quota {row.quota}"
        )
    for row in orphans:
        result.violations.append(f"order {row.order_id}: a free {row.kind} without its {row.kind}")
    return result


async def check_loyalty(db: AsyncEngine, *, max_life_ms: int) -> list[Result]:
    return [
        await points_balanced(db),
        await coupons_within_limits(db),
        await discounts_settled(db, max_life_ms=max_life_ms),
        await free_uses_within_quota(db),
    ]
