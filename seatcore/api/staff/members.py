"""Staff API: finding members and a member's coupons, for the console's member look-up. Platform
admins only, like the member page and the points adjustment (seatcore.api.staff.loyalty)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Endpoints, Query, path_id
from seatcore.api.coupons import CouponList, coupon_out
from seatcore.api.members import loyalty_of
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.auth.principal import Principal
from seatcore.errors import NotFound
from seatcore.store import coupons, loyalty, member_search

endpoints = Endpoints("staff: members")


class MemberSearch(Query):
    q: str = Field(min_length=1, max_length=100, description="a user id, a phone, or part of a nickname")
    limit: int = Field(20, ge=1, le=50)


class MemberHit(Answer):
    user_id: int
    nickname: str
    level: int
    tier_name: str
    points: int
    spend_12m_fen: int
    joined_at: datetime


class MemberHits(Answer):
    items: list[MemberHit]


@endpoints.get(
    "/api/v1/staff/members",
    "Find members by user id, phone or part of a nickname (platform admin)",
    query=MemberSearch,
    answer=MemberHits,
    auth="staff",
    errors=(403,),
)
async def find_members(request: Request, principal: Principal, query: MemberSearch) -> MemberHits:
    (await staff_scope(request, principal)).require_admin("look up members")
    found = await member_search.find_members(runtime_of(request).db, query.q, query.limit)
    names = {tier.level: tier.name for tier in await loyalty_of(request).tiers()}
    return MemberHits(
        items=[
            MemberHit(
                user_id=hit.user_id,
                nickname=hit.nickname,
                level=hit.level,
                tier_name=names.get(hit.level, f"level {hit.level}"),
                points=hit.points,
                spend_12m_fen=hit.spend_12m_fen,
                joined_at=hit.joined_at.replace(tzinfo=UTC),
            )
            for hit in found
        ]
    )


@endpoints.get(
    "/api/v1/staff/members/{id:int}/coupons",
    "A member's coupons, newest first, whatever their state (platform admin)",
    answer=CouponList,
    auth="staff",
    errors=(403, 404),
)
async def member_coupons(request: Request, principal: Principal) -> CouponList:
    (await staff_scope(request, principal)).require_admin("look up members")
    user_id = path_id(request)
    db = runtime_of(request).db
    if await loyalty.get_member(db, user_id) is None:
        raise NotFound("no such member", user_id=user_id)
    return CouponList(items=[coupon_out(coupon) for coupon in await coupons.user_coupons(db, user_id)])
