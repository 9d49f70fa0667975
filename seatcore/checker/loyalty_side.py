"""Invariants 9 and 10, read from MySQL: points balances and coupon limits.

- points: each member's balance equals the sum of their ledger and is not negative;
- coupons: no campaign handed out more than its stock, nobody holds more of a campaign than its
  per-user limit, and no coupon (a single-use code included) is on more than one order that has
  not given it back.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.checker.invariants import Result
from seatcore.db.schema import coupon_campaigns, coupons, members, order_discounts, points_ledger


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


async def check_loyalty(db: AsyncEngine) -> list[Result]:
    return [await points_balanced(db), await coupons_within_limits(db)]
