"""Coupon campaigns and coupons in MySQL: creating, pausing, handing out, listing.

The guards of invariant 10, each a single statement the database settles:

- stock: ``issued = issued + n WHERE issued + n <= stock`` on the campaign row;
- per user: each coupon a moviegoer holds of a campaign takes the next ``claim_no``, and the
  unique key (campaign, user, claim_no) refuses a second coupon under the same number, so two
  racing claims cannot both be someone's first; numbers above the limit are never taken;
- single-use codes: ``user_id = me WHERE code = :code AND user_id IS NULL``;
- one order per coupon: ``state = 'reserved' WHERE state = 'available'`` (seatcore.store.loyalty).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import cinemas as cinema_table
from seatcore.db.schema import coupon_campaigns as campaigns
from seatcore.db.schema import coupons, showtimes
from seatcore.domain.coupons import Campaign, CouponScope, Showing, kind_of
from seatcore.errors import Conflict, NotFound
from seatcore.store._time import from_db, to_db, utcnow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a counter
CODE_CHARS = 12


@dataclass(frozen=True, slots=True)
class Coupon:
    id: int
    campaign: Campaign
    state: str
    code: str | None
    order_id: str | None
    claimed_at: datetime | None


def _campaign(r: Any) -> Campaign:
    """A campaign from a row holding coupon_campaigns' columns."""
    return Campaign(
        id=r.id,
        name=r.name,
        kind=kind_of(r.kind),
        value=r.value,
        valid_from=r.valid_from.replace(tzinfo=UTC),
        valid_until=r.valid_until.replace(tzinfo=UTC),
        per_user_limit=r.per_user_limit,
        stock=r.stock,
        cap_fen=r.cap_fen,
        min_spend_fen=r.min_spend_fen,
        scope=CouponScope.from_dict(orjson.loads(r.scope)),
        distribution=r.distribution,
        shared_code=r.shared_code,
        return_on_refund=bool(r.return_on_refund),
        status=r.status,
        issued=r.issued,
    )


async def create_campaign(db: AsyncEngine, campaign: Campaign, created_by: str) -> Campaign:
    """Store a checked campaign; Conflict ``code_taken`` when its shared code is another's."""
    try:
        async with db.begin() as conn:
            new_id = (
                await conn.execute(
                    insert(campaigns).values(
                        name=campaign.name,
                        kind=campaign.kind,
                        value=campaign.value,
                        cap_fen=campaign.cap_fen,
                        min_spend_fen=campaign.min_spend_fen,
                        scope=orjson.dumps(campaign.scope.to_dict()).decode(),
                        valid_from=to_db(campaign.valid_from),
                        valid_until=to_db(campaign.valid_until),
                        per_user_limit=campaign.per_user_limit,
                        stock=campaign.stock,
                        issued=0,
                        distribution=campaign.distribution,
                        shared_code=campaign.shared_code,
                        return_on_refund=campaign.return_on_refund,
                        status="active",
                        created_by=created_by,
                        created_at=utcnow(),
                    )
                )
            ).lastrowid
    except IntegrityError:
        raise Conflict("that shared code belongs to another campaign", code="code_taken") from None
    found = await get_campaign(db, int(new_id))
    assert found is not None
    return found


async def get_campaign(db: AsyncEngine, campaign_id: int) -> Campaign | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(campaigns).where(campaigns.c.id == campaign_id))).first()
    return None if row is None else _campaign(row)


async def list_campaigns(db: AsyncEngine, *, claimable_only: bool = False) -> list[Campaign]:
    query = select(campaigns).order_by(campaigns.c.id.desc()).limit(200)
    if claimable_only:
        now = utcnow()
        query = query.where(
            campaigns.c.distribution == "claim",
            campaigns.c.status == "active",
            campaigns.c.valid_until > now,
            campaigns.c.issued < campaigns.c.stock,
        )
    async with db.connect() as conn:
        return [_campaign(row) for row in await conn.execute(query)]


async def set_status(db: AsyncEngine, campaign_id: int, status: str) -> Campaign:
    async with db.begin() as conn:
        await conn.execute(update(campaigns).where(campaigns.c.id == campaign_id).values(status=status))
    found = await get_campaign(db, campaign_id)
    if found is None:
        raise NotFound("no such campaign", campaign_id=campaign_id)
    return found


async def redemptions(db: AsyncEngine, campaign_id: int) -> dict[str, int]:
    """How many of the campaign's coupons are held, reserved by an order, used."""
    async with db.connect() as conn:
        rows = await conn.execute(
            select(coupons.c.state, func.count())
            .where(coupons.c.campaign_id == campaign_id, coupons.c.user_id.is_not(None))
            .group_by(coupons.c.state)
        )
        return {row[0]: int(row[1]) for row in rows}


# --------------------------------------------------------------------------------- handing out


async def _held(conn: AsyncConnection, campaign_id: int, user_id: int) -> int:
    return int(
        (
            await conn.execute(
                select(func.count()).where(coupons.c.campaign_id == campaign_id, coupons.c.user_id == user_id)
            )
        ).scalar_one()
    )


def _refuse_unless_open(campaign: Campaign, now: datetime) -> None:
    if campaign.status != "active":
        raise Conflict("this campaign is paused", code="campaign_paused")
    if not campaign.valid_at(now):
        raise Conflict("this campaign is not running now", code="campaign_not_running")


async def claim(db: AsyncEngine, campaign: Campaign, user_id: int) -> int:
    """One coupon of the campaign for the user (claim or shared code): the new coupon's id.

    Raises Conflict ``coupon_limit_reached`` or ``out_of_stock``."""
    now = datetime.now(UTC)
    _refuse_unless_open(campaign, now)
    for _attempt in range(campaign.per_user_limit):
        try:
            async with db.begin() as conn:
                number = await _held(conn, campaign.id, user_id) + 1
                if number > campaign.per_user_limit:
                    break
                if not await _take_stock(conn, campaign.id, 1):
                    raise Conflict("this campaign has no coupons left", code="out_of_stock")
                return await _insert_coupon(
                    conn,
                    {
                        "campaign_id": campaign.id,
                        "user_id": user_id,
                        "claim_no": number,
                        "state": "available",
                        "claimed_at": to_db(now),
                        "created_at": to_db(now),
                    },
                )
        except IntegrityError:
            continue  # a racing claim of this user took that number: count again
    raise Conflict(
        "you hold as many of these coupons as one person may",
        code="coupon_limit_reached",
        per_user_limit=campaign.per_user_limit,
    )


async def generate_codes(db: AsyncEngine, campaign: Campaign, count: int) -> list[str]:
    """``count`` fresh single-use codes for a ``codes`` campaign, counted against its stock."""
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS)) for _ in range(count)]
    now = utcnow()
    async with db.begin() as conn:
        if not await _take_stock(conn, campaign.id, count, active_only=False):
            raise Conflict("that many codes would pass the campaign's stock", code="out_of_stock")
        await conn.execute(
            insert(coupons),
            [
                {"campaign_id": campaign.id, "code": code, "state": "available", "created_at": now}
                for code in codes
            ],
        )
    return codes


async def all_codes(db: AsyncEngine, campaign_id: int) -> list[tuple[str, bool]]:
    """Each code of the campaign and whether it was redeemed, oldest first."""
    async with db.connect() as conn:
        rows = await conn.execute(
            select(coupons.c.code, coupons.c.user_id)
            .where(coupons.c.campaign_id == campaign_id, coupons.c.code.is_not(None))
            .order_by(coupons.c.id)
        )
        return [(str(row.code), row.user_id is not None) for row in rows]


async def campaign_by_shared_code(db: AsyncEngine, code: str) -> Campaign | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(campaigns).where(campaigns.c.shared_code == code))).first()
    return None if row is None else _campaign(row)


async def redeem_code(db: AsyncEngine, code: str, user_id: int) -> int | None:
    """Make a single-use code the user's coupon: its id; None when there is no such code.

    Raises Conflict ``code_used``, ``coupon_limit_reached``, ``campaign_paused``..."""
    async with db.connect() as conn:
        row = (
            await conn.execute(
                select(coupons.c.id.label("coupon_id"), campaigns)
                .join(campaigns, campaigns.c.id == coupons.c.campaign_id)
                .where(coupons.c.code == code)
            )
        ).first()
    if row is None:
        return None
    campaign = _campaign(row)
    _refuse_unless_open(campaign, datetime.now(UTC))
    for _attempt in range(campaign.per_user_limit):
        try:
            async with db.begin() as conn:
                number = await _held(conn, campaign.id, user_id) + 1
                if number > campaign.per_user_limit:
                    break
                if not await _take_code(conn, code, user_id, number):
                    raise Conflict("this code was redeemed already", code="code_used")
                return int(row.coupon_id)
        except IntegrityError:
            continue
    raise Conflict(
        "you hold as many of these coupons as one person may",
        code="coupon_limit_reached",
        per_user_limit=campaign.per_user_limit,
    )


# ---------------------------------------------------------------------- the guards (invariant 10)
# Each is one statement the database settles; the race tests' controls replace them one at a time.


async def _take_stock(
    conn: AsyncConnection, campaign_id: int, count: int, *, active_only: bool = True
) -> bool:
    """Count ``count`` more coupons as handed out, unless that would pass the stock."""
    query = update(campaigns).where(
        campaigns.c.id == campaign_id, campaigns.c.issued + count <= campaigns.c.stock
    )
    if active_only:
        query = query.where(campaigns.c.status == "active")
    taken = await conn.execute(query.values(issued=campaigns.c.issued + count))
    return taken.rowcount == 1


async def _insert_coupon(conn: AsyncConnection, values: dict[str, Any]) -> int:
    """A claimed coupon; IntegrityError when the holder already has one under its claim_no."""
    return int((await conn.execute(insert(coupons).values(**values))).lastrowid)


async def _take_code(conn: AsyncConnection, code: str, user_id: int, number: int) -> bool:
    """Make a single-use code the user's, unless someone redeemed it first."""
    won = await conn.execute(
        update(coupons)
        .where(coupons.c.code == code, coupons.c.user_id.is_(None))
        .values(user_id=user_id, claim_no=number, claimed_at=utcnow())
    )
    return won.rowcount == 1


# ------------------------------------------------------------------------------------- reading


async def user_coupons(db: AsyncEngine, user_id: int, *, usable_only: bool = False) -> list[Coupon]:
    query = (
        select(
            coupons.c.id.label("coupon_id"),
            coupons.c.state,
            coupons.c.code,
            coupons.c.order_id,
            coupons.c.claimed_at,
            campaigns,
        )
        .join(campaigns, campaigns.c.id == coupons.c.campaign_id)
        .where(coupons.c.user_id == user_id)
        .order_by(coupons.c.id.desc())
        .limit(200)
    )
    if usable_only:
        query = query.where(coupons.c.state == "available")
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [
        Coupon(
            id=row.coupon_id,
            campaign=_campaign(row),
            state=row.state,
            code=row.code,
            order_id=row.order_id,
            claimed_at=row.claimed_at.replace(tzinfo=UTC) if row.claimed_at else None,
        )
        for row in rows
    ]


async def user_coupon(db: AsyncEngine, user_id: int, coupon_id: int) -> Coupon | None:
    return next((c for c in await user_coupons(db, user_id) if c.id == coupon_id), None)


async def showing(db: AsyncEngine, showtime_id: int) -> Showing | None:
    """The showtime as a coupon's scope sees it."""
    async with db.connect() as conn:
        row = (
            await conn.execute(
                select(
                    showtimes.c.movie_id,
                    showtimes.c.cinema_id,
                    showtimes.c.format,
                    showtimes.c.starts_at,
                    cinema_table.c.timezone,
                )
                .join(cinema_table, cinema_table.c.id == showtimes.c.cinema_id)
                .where(showtimes.c.id == showtime_id)
            )
        ).first()
    if row is None:
        return None
    return Showing(row.movie_id, row.cinema_id, row.format, from_db(row.starts_at, row.timezone))
