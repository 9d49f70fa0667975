"""Staff API: the box office net of discounts, and what each coupon campaign cost
(seatcore.store.boxoffice_discounts). Same period and cinemas as the other box-office reports."""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Endpoints
from seatcore.api.staff._access import runtime_of
from seatcore.api.staff.boxoffice import PeriodQuery
from seatcore.api.staff.boxoffice import _cinemas_in_period as cinemas_in_period
from seatcore.auth.principal import Principal
from seatcore.store.boxoffice_discounts import discounts

endpoints = Endpoints("staff: box office")


class CampaignCostOut(Answer):
    campaign_id: int
    name: str
    kind: str = Field(description="amount, percent or voucher")
    redemptions: int = Field(description="sold orders that used one of its coupons")
    cost_fen: int = Field(description="what its coupons took off those orders")


class DiscountsAnswer(Answer):
    start: dt.date
    end: dt.date
    orders: int = Field(description="sold orders (paid, tickets live) for showtimes in the period")
    list_fen: int = Field(description="their seats at list price")
    member_discount_fen: int
    coupon_fen: int
    points_fen: int
    points_used: int
    net_fen: int = Field(description="what was paid: list price less every discount")
    campaigns: list[CampaignCostOut] = Field(description="by cost, dearest first")
    replica_lag_s: float | None = None


@endpoints.get(
    "/api/v1/staff/boxoffice/discounts",
    "Revenue net of discounts: list price, member prices, coupons, points, paid; each campaign's cost",
    auth="staff",
    query=PeriodQuery,
    answer=DiscountsAnswer,
)
async def staff_boxoffice_discounts(
    request: Request, principal: Principal, query: PeriodQuery
) -> DiscountsAnswer:
    cinema_ids = await cinemas_in_period(request, principal, query)
    runtime = runtime_of(request)
    found = await discounts(runtime.reports_db, query.start, query.end, cinema_ids)
    return DiscountsAnswer(
        start=query.start,
        end=query.end,
        orders=found.orders,
        list_fen=found.list_fen,
        member_discount_fen=found.member_discount_fen,
        coupon_fen=found.coupon_fen,
        points_fen=found.points_fen,
        points_used=found.points_used,
        net_fen=found.net_fen,
        campaigns=[
            CampaignCostOut(
                campaign_id=c.campaign_id,
                name=c.name,
                kind=c.kind,
                redemptions=c.redemptions,
                cost_fen=c.cost_fen,
            )
            for c in found.campaigns
        ],
        replica_lag_s=await runtime.replica_lag.seconds(),
    )
