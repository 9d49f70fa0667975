"""Staff API: member tiers and coupon campaigns, chain-wide, so changed by platform admins only
(cinema staff read them). Every change is recorded in the audit trail."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from seatcore.api._http import Answer, Body, Endpoints, Moment, path_id
from seatcore.api.coupons import CampaignOut, campaign_out
from seatcore.api.members import (
    LedgerLine,
    MembershipOut,
    TierList,
    ledger_line,
    loyalty_of,
    membership_out,
    tier_out,
)
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain.coupons import Campaign, CouponScope, check_campaign
from seatcore.domain.members import Tier, check_tiers
from seatcore.errors import Conflict, NotFound, ValidationFailed
from seatcore.store import audit
from seatcore.store import coupons as store
from seatcore.store import loyalty as loyalty_store
from seatcore.store._time import utcnow

endpoints = Endpoints("staff: loyalty")
MAX_CODES = 10_000


class TierIn(Body):
    level: int = Field(ge=1, le=20)
    name: str = Field(min_length=1, max_length=50)
    threshold_fen: int = Field(ge=0, le=10**12)
    discount_percent: int = Field(0, ge=0, le=100)
    zone_prices: dict[Annotated[str, Field(max_length=32)], Annotated[int, Field(ge=1, le=10**8)]] = Field(
        default_factory=dict, max_length=20
    )
    free_exchanges_per_month: int = Field(0, ge=0, le=100)
    free_refunds_per_month: int = Field(0, ge=0, le=100)
    early_booking_hours: int = Field(0, ge=0, le=24 * 14)


class TiersIn(Body):
    items: list[TierIn] = Field(min_length=1, max_length=20)


class ScopeIn(Body):
    movie_ids: list[Annotated[int, Field(ge=1, lt=MAX_ID)]] = Field(default_factory=list, max_length=500)
    cinema_ids: list[Annotated[int, Field(ge=1, lt=MAX_ID)]] = Field(default_factory=list, max_length=500)
    formats: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=20)
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(default_factory=list, max_length=7)
    hours: list[Annotated[int, Field(ge=0, le=24)]] | None = Field(None, min_length=2, max_length=2)


class CampaignIn(Body):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["amount", "percent", "voucher"]
    value: int = Field(ge=0, le=10**8)
    cap_fen: int = Field(0, ge=0, le=10**8)
    min_spend_fen: int = Field(0, ge=0, le=10**8)
    scope: ScopeIn = Field(default_factory=ScopeIn)
    valid_from: Moment
    valid_until: Moment
    per_user_limit: int = Field(1, ge=1, le=1000)
    stock: int = Field(ge=1, le=10**7)
    distribution: Literal["claim", "codes", "shared"] = "claim"
    shared_code: str | None = Field(None, pattern=r"^[A-Z0-9]{4,32}$")
    return_on_refund: bool = True


class CampaignStaffOut(CampaignOut):
    status: str
    stock: int
    issued: int
    distribution: str
    shared_code: str | None
    return_on_refund: bool
    redemptions: dict[str, int] = Field(description="coupons held, by state: available, reserved, used")


class CampaignStaffList(Answer):
    items: list[CampaignStaffOut]


class CodesIn(Body):
    count: int = Field(ge=1, le=MAX_CODES)


class CodesOut(Answer):
    codes: list[str]


async def _staff_out(request: Request, campaign: Campaign) -> CampaignStaffOut:
    return CampaignStaffOut(
        **campaign_out(campaign).model_dump(),
        status=campaign.status,
        stock=campaign.stock,
        issued=campaign.issued,
        distribution=campaign.distribution,
        shared_code=campaign.shared_code,
        return_on_refund=campaign.return_on_refund,
        redemptions=await store.redemptions(runtime_of(request).db, campaign.id),
    )


# ------------------------------------------------------------------------------------------- tiers


@endpoints.put(
    "/api/v1/staff/member-tiers",
    "Replace the member tiers (platform admin); members move to the tier their spend reaches",
    body=TiersIn,
    answer=TierList,
    auth="staff",
    errors=(403, 422),
)
async def set_tiers(request: Request, principal: Principal, body: TiersIn) -> TierList:
    scope = await staff_scope(request, principal)
    scope.require_admin("change member tiers")
    tiers = check_tiers([Tier(**item.model_dump()) for item in body.items])
    saved = await loyalty_of(request).set_tiers(tiers)
    async with runtime_of(request).db.begin() as conn:
        await audit.record(
            conn,
            scope.actor,
            "member_tiers.set",
            target_type="member_tiers",
            target_id="all",
            details={"tiers": [tier.to_dict() for tier in saved]},
        )
    return TierList(items=[tier_out(tier) for tier in saved])


# --------------------------------------------------------------------------------------- campaigns


@endpoints.get(
    "/api/v1/staff/campaigns", "Coupon campaigns, newest first", answer=CampaignStaffList, auth="staff"
)
async def list_campaigns(request: Request, principal: Principal) -> CampaignStaffList:
    await staff_scope(request, principal)
    found = await store.list_campaigns(runtime_of(request).db)
    return CampaignStaffList(items=[await _staff_out(request, campaign) for campaign in found])


@endpoints.post(
    "/api/v1/staff/campaigns",
    "Create a coupon campaign (platform admin)",
    body=CampaignIn,
    answer=CampaignStaffOut,
    status=201,
    auth="staff",
    errors=(403, 409, 422),
)
async def create_campaign(request: Request, principal: Principal, body: CampaignIn) -> CampaignStaffOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("create coupon campaigns")
    if body.valid_from.tzinfo is None or body.valid_until.tzinfo is None:
        raise ValidationFailed("times need a time zone offset", code="validation_failed")
    fields = body.model_dump(exclude={"scope"})
    campaign = check_campaign(Campaign(id=0, scope=CouponScope.from_dict(body.scope.model_dump()), **fields))
    made = await store.create_campaign(runtime_of(request).db, campaign, scope.actor.username)
    async with runtime_of(request).db.begin() as conn:
        await audit.record(
            conn,
            scope.actor,
            "campaign.create",
            target_type="campaign",
            target_id=made.id,
            details={"name": made.name, "kind": made.kind, "value": made.value, "stock": made.stock},
        )
    return await _staff_out(request, made)


async def _campaign(request: Request) -> Campaign:
    campaign = await store.get_campaign(runtime_of(request).db, path_id(request))
    if campaign is None:
        raise NotFound("no such campaign")
    return campaign


@endpoints.get(
    "/api/v1/staff/campaigns/{id:int}",
    "One campaign with its redemptions",
    answer=CampaignStaffOut,
    auth="staff",
    errors=(404,),
)
async def get_campaign(request: Request, principal: Principal) -> CampaignStaffOut:
    await staff_scope(request, principal)
    return await _staff_out(request, await _campaign(request))


async def _set_status(request: Request, principal: Principal, status: str) -> CampaignStaffOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("pause or resume campaigns")
    campaign = await store.set_status(runtime_of(request).db, (await _campaign(request)).id, status)
    async with runtime_of(request).db.begin() as conn:
        await audit.record(
            conn, scope.actor, f"campaign.{status}", target_type="campaign", target_id=campaign.id
        )
    return await _staff_out(request, campaign)


@endpoints.post(
    "/api/v1/staff/campaigns/{id:int}/pause",
    "Pause a campaign: no claims, and its coupons pay for no new order",
    answer=CampaignStaffOut,
    auth="staff",
    errors=(403, 404),
)
async def pause_campaign(request: Request, principal: Principal) -> CampaignStaffOut:
    return await _set_status(request, principal, "paused")


@endpoints.post(
    "/api/v1/staff/campaigns/{id:int}/resume",
    "Resume a paused campaign",
    answer=CampaignStaffOut,
    auth="staff",
    errors=(403, 404),
)
async def resume_campaign(request: Request, principal: Principal) -> CampaignStaffOut:
    return await _set_status(request, principal, "active")


@endpoints.post(
    "/api/v1/staff/campaigns/{id:int}/codes",
    "Generate single-use codes for a codes campaign (counted against its stock)",
    body=CodesIn,
    answer=CodesOut,
    status=201,
    auth="staff",
    errors=(403, 404, 409),
)
async def generate_codes(request: Request, principal: Principal, body: CodesIn) -> CodesOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("generate coupon codes")
    campaign = await _campaign(request)
    if campaign.distribution != "codes":
        # The campaign's state refuses it, not the request's shape: 409, as for a campaign out of stock.
        raise Conflict("only a codes campaign has single-use codes", code="not_a_codes_campaign")
    codes = await store.generate_codes(runtime_of(request).db, campaign, body.count)
    async with runtime_of(request).db.begin() as conn:
        await audit.record(
            conn,
            scope.actor,
            "campaign.codes",
            target_type="campaign",
            target_id=campaign.id,
            details={"count": body.count},
        )
    return CodesOut(codes=codes)


@endpoints.get(
    "/api/v1/staff/campaigns/{id:int}/codes.csv",
    "The campaign's single-use codes as CSV (code, redeemed), to print",
    auth="staff",
    errors=(403, 404),
)
async def codes_csv(request: Request, principal: Principal) -> Response:
    scope = await staff_scope(request, principal)
    scope.require_admin("export coupon codes")
    campaign = await _campaign(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "redeemed"])
    for code, redeemed in await store.all_codes(runtime_of(request).db, campaign.id):
        writer.writerow([code, "yes" if redeemed else "no"])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign.id}-codes.csv"'},
    )


# ----------------------------------------------------------------------------------------- members


class AdjustIn(Body):
    points: int = Field(
        ge=-1_000_000,
        le=1_000_000,
        description="signed, not 0; added ones expire as if earned",
        json_schema_extra={"not": {"const": 0}},
    )
    note: str = Field(min_length=1, max_length=200, description="why: kept in the ledger and the audit trail")


class MemberOut(Answer):
    user_id: int
    membership: MembershipOut
    recent: list[LedgerLine]


async def _member_out(request: Request, user_id: int) -> MemberOut:
    loyalty = loyalty_of(request)
    found = await loyalty.membership(user_id)
    if found is None:
        raise NotFound("no such member", user_id=user_id)
    rows = await loyalty_store.history(loyalty.db, user_id, before_id=None, limit=20)
    recent = [ledger_line(row) for row in rows]
    return MemberOut(user_id=user_id, membership=membership_out(found), recent=recent)


@endpoints.get(
    "/api/v1/staff/members/{id:int}",
    "A member's tier, points and latest points lines (platform admin)",
    answer=MemberOut,
    auth="staff",
    errors=(403, 404),
)
async def get_member(request: Request, principal: Principal) -> MemberOut:
    (await staff_scope(request, principal)).require_admin("look up members")
    return await _member_out(request, path_id(request))


@endpoints.post(
    "/api/v1/staff/members/{id:int}/points",
    "Adjust a member's points by hand (platform admin; audited)",
    body=AdjustIn,
    answer=MemberOut,
    auth="staff",
    errors=(403, 404, 409, 422),
)
async def adjust_points(request: Request, principal: Principal, body: AdjustIn) -> MemberOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("adjust points")
    user_id = path_id(request)
    if body.points == 0:
        raise ValidationFailed("an adjustment of 0 points changes nothing", code="validation_failed")
    loyalty = loyalty_of(request)
    expires = utcnow() + timedelta(days=loyalty.earn_rule.expire_days) if body.points > 0 else None
    async with runtime_of(request).db.begin() as conn:
        changed = await loyalty_store.change_points(
            conn,
            user_id,
            body.points,
            "adjust",
            expires_at=expires,
            note=body.note,
            created_by=f"staff:{scope.actor.username}",
        )
        if not changed:
            if await loyalty_store.get_member(loyalty.db, user_id) is None:
                raise NotFound("no such member", user_id=user_id)
            raise Conflict("the balance cannot go below zero", code="points_insufficient")
        await audit.record(
            conn,
            scope.actor,
            "member.points",
            target_type="member",
            target_id=user_id,
            details={"points": body.points, "note": body.note},
        )
    return await _member_out(request, user_id)
