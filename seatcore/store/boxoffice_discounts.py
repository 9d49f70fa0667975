"""The box office net of discounts: what the period's sold orders listed at, what member prices,
coupons and points took off, what was paid, and what each coupon campaign cost.

Read from the orders themselves: each keeps its price breakdown (``orders.price``, docs/loyalty.md);
an order from before breakdowns existed counts at its paid amount with no discount. An order counts
like its tickets in the box office: paid, tickets still live (ticketed, or a refund requested and
not done), attributed to its showtime's local date (``boxoffice_showtimes.show_date``, so the
summary is brought up to date first, as for the other reports).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import boxoffice_showtimes, coupon_campaigns, coupons, order_discounts, orders
from seatcore.domain.orders import OrderStatus
from seatcore.domain.pricing import Breakdown

SOLD = (OrderStatus.TICKETED.value, OrderStatus.REFUND_REQUESTED.value)


@dataclass(frozen=True, slots=True)
class CampaignCost:
    campaign_id: int
    name: str
    kind: str
    redemptions: int  # sold orders that used one of its coupons
    cost_fen: int  # what its coupons took off those orders


@dataclass(slots=True)
class Discounts:
    orders: int = 0
    list_fen: int = 0
    member_discount_fen: int = 0
    coupon_fen: int = 0
    points_fen: int = 0
    points_used: int = 0
    campaigns: list[CampaignCost] = field(default_factory=list)

    @property
    def net_fen(self) -> int:
        """What the moviegoers paid: the list price less every discount."""
        return self.list_fen - self.member_discount_fen - self.coupon_fen - self.points_fen


async def discounts(db: AsyncEngine, start: date, end: date, cinema_ids: Collection[int] | None) -> Discounts:
    """The discounts of the orders sold for showtimes on local dates start..end in these cinemas
    (None: all); campaigns by cost, dearest first."""
    B = boxoffice_showtimes
    query = (
        select(orders.c.id, orders.c.amount_fen, orders.c.price, coupons.c.campaign_id)
        .join(B, B.c.showtime_id == orders.c.showtime_id)
        .outerjoin(order_discounts, order_discounts.c.order_id == orders.c.id)
        .outerjoin(coupons, coupons.c.id == order_discounts.c.coupon_id)
        .where(B.c.show_date >= start, B.c.show_date <= end, orders.c.status.in_(SOLD))
    )
    if cinema_ids is not None:
        query = query.where(B.c.cinema_id.in_(list(cinema_ids)))
    found = Discounts()
    per_campaign: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
        for row in rows:
            price = (
                Breakdown.from_dict(orjson.loads(row.price))
                if row.price
                else Breakdown(int(row.amount_fen), 0, 0, 0, 0)
            )
            found.orders += 1
            found.list_fen += price.list_fen
            found.member_discount_fen += price.member_discount_fen
            found.coupon_fen += price.coupon_fen
            found.points_fen += price.points_fen
            found.points_used += price.points_used
            if row.campaign_id is not None:
                per_campaign[int(row.campaign_id)][0] += 1
                per_campaign[int(row.campaign_id)][1] += price.coupon_fen
        names = {}
        if per_campaign:
            names = {
                int(row.id): (row.name, row.kind)
                for row in await conn.execute(
                    select(coupon_campaigns.c.id, coupon_campaigns.c.name, coupon_campaigns.c.kind).where(
                        coupon_campaigns.c.id.in_(sorted(per_campaign))
                    )
                )
            }
    found.campaigns = sorted(
        (
            CampaignCost(campaign_id, *names.get(campaign_id, (f"campaign {campaign_id}", "")), count, cost)
            for campaign_id, (count, cost) in per_campaign.items()
        ),
        key=lambda c: (-c.cost_fen, c.campaign_id),
    )
    return found
