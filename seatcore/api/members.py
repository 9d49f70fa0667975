"""Membership for moviegoers: join for free, my tier, points and progress, my points history,
and the tiers anyone may read. The rules live in seatcore.loyalty and seatcore.domain.members."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from seatcore.api._cursor import MAX_CURSOR_CHARS, bad_cursor, cursor_field, decode_cursor, encode_cursor
from seatcore.api._http import Answer, Endpoints, JSONResponse, Query
from seatcore.auth.principal import Principal
from seatcore.domain.members import Tier
from seatcore.loyalty.service import Loyalty, Membership
from seatcore.runtime import Runtime
from seatcore.store import loyalty as store

endpoints = Endpoints("members")
PAGE_MAX = 50


class TierOut(Answer):
    level: int
    name: str
    threshold_fen: int = Field(description="spend over the last 12 months that reaches this tier")
    discount_percent: int = Field(description="off each seat's list price, unless a zone price is set")
    zone_prices: dict[str, int] = Field(description="fixed member prices per zone, in fen")
    free_exchanges_per_month: int
    free_refunds_per_month: int
    early_booking_hours: int = Field(description="premieres open to this tier this long before everyone")


class ProgressOut(Answer):
    spend_12m_fen: int
    needed_fen: int = Field(description="more spend to reach the next tier (0 at the top)")
    percent: int = Field(description="0..100 of the way from this tier to the next")


class MembershipOut(Answer):
    member: bool
    tier: TierOut | None
    points: int
    next_tier: TierOut | None
    progress: ProgressOut | None
    joined_at: datetime | None
    free_exchanges_left: int = Field(description="free exchanges left this month (the tier's quota)")
    free_refunds_left: int = Field(description="free refunds left this month (the tier's quota)")


class TierList(Answer):
    items: list[TierOut]


class LedgerLine(Answer):
    id: int
    kind: str = Field(description="earn, reserve, return, reverse, expire or adjust")
    points: int = Field(description="signed: what this line added to the balance")
    order_id: str | None
    expires_at: datetime | None = Field(description="earned points: when what is left of them expires")
    note: str
    created_at: datetime


class LedgerPage(Answer):
    items: list[LedgerLine]
    next_cursor: str | None


class HistoryQuery(Query):
    cursor: str | None = cursor_field(MAX_CURSOR_CHARS)
    limit: int = Field(default=20, ge=1, le=PAGE_MAX)


def loyalty_of(request: Request) -> Loyalty:
    runtime: Runtime = request.app.state.runtime
    return Loyalty(runtime)


def tier_out(tier: Tier) -> TierOut:
    return TierOut(**tier.to_dict())


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def membership_out(found: Membership | None) -> MembershipOut:
    if found is None:
        return MembershipOut(
            member=False, tier=None, points=0, next_tier=None, progress=None, joined_at=None,
            free_exchanges_left=0, free_refunds_left=0,
        )
    progress = found.progress
    return MembershipOut(
        member=True,
        tier=tier_out(found.tier),
        points=found.member.points,
        next_tier=tier_out(progress.next_tier) if progress.next_tier else None,
        progress=ProgressOut(
            spend_12m_fen=progress.spend_fen, needed_fen=progress.needed_fen, percent=progress.percent
        ),
        joined_at=_utc(found.member.joined_at),
        free_exchanges_left=found.free_left["exchange"],
        free_refunds_left=found.free_left["refund"],
    )


@endpoints.get("/api/v1/member-tiers", "The member tiers and what each gives", answer=TierList)
async def member_tiers(request: Request) -> TierList:
    return TierList(items=[tier_out(tier) for tier in await loyalty_of(request).tiers()])


@endpoints.get(
    "/api/v1/me/membership",
    "My membership: tier, points, next tier and progress (member false before joining)",
    answer=MembershipOut,
    auth="user",
)
async def my_membership(request: Request, principal: Principal) -> MembershipOut:
    return membership_out(await loyalty_of(request).membership(principal.id))


@endpoints.post(
    "/api/v1/me/membership",
    "Join for free (201; 200 with the membership when already a member)",
    answer=MembershipOut,
    status=201,
    auth="user",
    extra={"also_succeeds": {200: "already a member: the membership as it is"}},
)
async def join(request: Request, principal: Principal) -> Response:
    loyalty = loyalty_of(request)
    before = await store.get_member(loyalty.db, principal.id)
    found = await loyalty.join(principal.id)
    return JSONResponse(membership_out(found).model_dump(mode="json"), status_code=200 if before else 201)


def _before(cursor: str | None) -> int | None:
    if not cursor:  # ``?cursor=``: the first page
        return None
    line_id, kind = decode_cursor(cursor, ("id", "text"))
    if kind != "points":
        raise bad_cursor()
    return int(line_id)


@endpoints.get(
    "/api/v1/me/points",
    "My points history, newest first",
    query=HistoryQuery,
    answer=LedgerPage,
    auth="user",
    errors=(422,),
)
async def my_points(request: Request, principal: Principal, query: HistoryQuery) -> LedgerPage:
    rows = await store.history(
        loyalty_of(request).db, principal.id, before_id=_before(query.cursor), limit=query.limit + 1
    )
    page = rows[: query.limit]
    following = encode_cursor([page[-1].id, "points"]) if len(rows) > query.limit else None
    return LedgerPage(items=[ledger_line(row) for row in page], next_cursor=following)


def ledger_line(row: store.LedgerRow) -> LedgerLine:
    return LedgerLine(
        id=row.id,
        kind=row.kind,
        points=row.points,
        order_id=row.order_id,
        expires_at=_utc(row.expires_at),
        note=row.note,
        created_at=row.created_at.replace(tzinfo=UTC),
    )
