"""Coupons for moviegoers: the coupon centre (campaigns to claim), claiming one or redeeming a
code, and my coupons. The guards live in seatcore.store.coupons."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator
from starlette.requests import Request

from seatcore.api._http import Answer, Body, Endpoints, Query
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.coupons import Campaign
from seatcore.errors import Conflict, NotFound
from seatcore.runtime import Runtime
from seatcore.store import coupons as store

endpoints = Endpoints("coupons")
COUPON_ERRORS = (404, 409)


class ScopeOut(Answer):
    movie_ids: list[int]
    cinema_ids: list[int]
    formats: list[str]
    weekdays: list[int] = Field(description="1 (Monday) .. 7 of the showtime's start; empty: any")
    hours: list[int] | None = Field(description="[from, until) hour of the start, cinema's time")


class CampaignOut(Answer):
    id: int
    name: str
    kind: str = Field(description="amount (fen off), percent (off, capped), voucher (a seat at a set price)")
    value: int
    cap_fen: int
    min_spend_fen: int
    scope: ScopeOut
    valid_from: datetime
    valid_until: datetime
    per_user_limit: int
    left: int = Field(description="coupons still to be handed out")


class CampaignList(Answer):
    items: list[CampaignOut]


class CouponOut(Answer):
    id: int = Field(description="what POST /api/v1/orders takes as coupon_id")
    state: str = Field(description="available, reserved (by an unpaid order) or used")
    order_id: str | None
    claimed_at: datetime | None
    campaign: CampaignOut


class CouponList(Answer):
    items: list[CouponOut]


class ClaimBody(Body):
    # The document states the one-of too, so generated clients send one or the other.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["campaign_id"], "not": {"required": ["code"]}},
                {"required": ["code"], "not": {"required": ["campaign_id"]}},
            ]
        }
    )
    nullable = frozenset()

    campaign_id: int | None = Field(None, ge=1, lt=MAX_ID, description="a campaign of the coupon centre")
    code: Annotated[str, Field(min_length=4, max_length=32)] | None = Field(
        None, description="a single-use or shared code"
    )

    @model_validator(mode="after")
    def _one_of(self) -> ClaimBody:
        if (self.campaign_id is None) == (self.code is None):
            raise ValueError("send campaign_id or code, one of them")
        return self


class MyCouponsQuery(Query):
    usable: bool = Field(False, description="only coupons that can pay now")


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def campaign_out(campaign: Campaign) -> CampaignOut:
    scope = campaign.scope.to_dict()
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        kind=campaign.kind,
        value=campaign.value,
        cap_fen=campaign.cap_fen,
        min_spend_fen=campaign.min_spend_fen,
        scope=ScopeOut(**scope),
        valid_from=campaign.valid_from,
        valid_until=campaign.valid_until,
        per_user_limit=campaign.per_user_limit,
        left=max(0, campaign.stock - campaign.issued),
    )


def coupon_out(coupon: store.Coupon) -> CouponOut:
    return CouponOut(
        id=coupon.id,
        state=coupon.state,
        order_id=coupon.order_id,
        claimed_at=coupon.claimed_at,
        campaign=campaign_out(coupon.campaign),
    )


@endpoints.get("/api/v1/coupons", "The coupon centre: campaigns open to claim", answer=CampaignList)
async def coupon_centre(request: Request) -> CampaignList:
    found = await store.list_campaigns(runtime_of(request).db, claimable_only=True)
    return CampaignList(items=[campaign_out(campaign) for campaign in found])


@endpoints.post(
    "/api/v1/coupons/claim",
    "Claim a coupon of a campaign, or redeem a single-use or shared code",
    body=ClaimBody,
    answer=CouponOut,
    status=201,
    auth="user",
    errors=COUPON_ERRORS,
)
async def claim(request: Request, principal: Principal, body: ClaimBody) -> CouponOut:
    db = runtime_of(request).db
    coupon_id: int | None
    if body.code is not None:
        code = body.code.strip().upper()
        shared = await store.campaign_by_shared_code(db, code)
        if shared is not None:
            coupon_id = await store.claim(db, shared, principal.id)
        else:
            coupon_id = await store.redeem_code(db, code, principal.id)
        if coupon_id is None:
            raise NotFound("no such code", code="code_not_found")
    else:
        assert body.campaign_id is not None
        campaign = await store.get_campaign(db, body.campaign_id)
        if campaign is None or campaign.distribution != "claim":
            raise NotFound("no such campaign to claim from", campaign_id=body.campaign_id)
        coupon_id = await store.claim(db, campaign, principal.id)
    coupon = await store.user_coupon(db, principal.id, coupon_id)
    if coupon is None:  # only if the guards were broken: never answer someone else's coupon
        raise Conflict("this code was redeemed already", code="code_used")
    return coupon_out(coupon)


@endpoints.get(
    "/api/v1/me/coupons", "My coupons, newest first", query=MyCouponsQuery, answer=CouponList, auth="user"
)
async def my_coupons(request: Request, principal: Principal, query: MyCouponsQuery) -> CouponList:
    found = await store.user_coupons(runtime_of(request).db, principal.id, usable_only=query.usable)
    return CouponList(items=[coupon_out(coupon) for coupon in found])
