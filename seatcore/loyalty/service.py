"""The loyalty service: member tiers and points, coupons, and what an order takes from them.

The money path calls it in the order things happen (docs/loyalty.md):

1. ``price`` when an order is made: the member's tier, the coupon and the points through the
   pricing pipeline (seatcore.domain.pricing);
2. ``reserve``: the points and the coupon are taken in MySQL, all or nothing, before the order
   exists in Redis (``release`` gives them back if the order is then not made);
3. ``on_landed``: the writer landed the order paid: the reservation is committed and the order
   earns points; landed without tickets (a late payment): the reservation comes back;
4. ``release`` when an order ends unpaid; ``seatcore.store.loyalty.give_back`` in the refund's own
   transaction when a paid order is refunded.

Paying itself needs nothing here, so it keeps working through a MySQL outage; so does ordering
at a member price, read through Redis like the payer's openid (seatcore.orders.paydetails).
Ordering with points or a coupon needs MySQL (503 while it is away).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import orjson
from sqlalchemy.exc import DBAPIError

from seatcore import keys
from seatcore.domain.coupons import check_usable
from seatcore.domain.members import Progress, Tier, opens_for, prices_at_showtime, progress
from seatcore.domain.orders import OrderStatus
from seatcore.domain.points import EarnRule, earned
from seatcore.domain.pricing import (
    Breakdown,
    CouponTerms,
    MemberPrices,
    PointsRule,
    points_cap_fen,
    price_order,
)
from seatcore.errors import Conflict, NotFound, UpstreamUnavailable
from seatcore.store import coupons as coupon_store
from seatcore.store import loyalty as store
from seatcore.store import quotas
from seatcore.store._time import utcnow
from seatcore.types import Fen, SeatId

if TYPE_CHECKING:
    from seatcore.orders.records import Order
    from seatcore.runtime import Runtime

log = logging.getLogger(__name__)

# A member's level and the tiers are kept in Redis without expiry (written at every change), so
# that a member's price needs no MySQL; "not a member" is kept for an hour.
NON_MEMBER_KEEP_S = 3600
MYSQL_DOWN = (DBAPIError, OSError)


@dataclass(frozen=True, slots=True)
class Membership:
    member: store.Member
    tier: Tier
    progress: Progress
    free_left: dict[quotas.Kind, int]  # free exchanges and refunds left this month


class Loyalty:
    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.db = runtime.db
        self.redis = runtime.redis
        self.points_rule = PointsRule(settings.points_fen_per_100, settings.points_max_share_percent)
        self.earn_rule = EarnRule(settings.points_per_yuan, settings.points_expire_days)
        self.timezone = settings.analytics_timezone  # the chain's calendar, for "this month"

    # ------------------------------------------------------------------------------- members

    async def join(self, user_id: int) -> Membership:
        await store.join(self.db, user_id)
        found = await self.membership(user_id)
        if found is None:
            raise NotFound("this account no longer exists")
        return found

    async def membership(self, user_id: int) -> Membership | None:
        """The member's tier, points (after expiring what is due) and progress; None: not a member."""
        await store.expire_due(self.db, user_id, utcnow())
        member = await store.get_member(self.db, user_id)
        await self._keep_level(user_id, member)
        if member is None:
            return None
        tiers = await self.tiers()
        tier = next((t for t in tiers if t.level == member.level), tiers[0])
        month = quotas.month_of(datetime.now(UTC), self.timezone)
        left = await quotas.left(self.db, user_id, month)
        return Membership(member, tier, progress(tiers, member.spend_12m_fen), left)

    async def tiers(self) -> list[Tier]:
        tiers = await store.get_tiers(self.db)
        await self.redis.set(keys.MEMBER_TIERS, orjson.dumps([tier.to_dict() for tier in tiers]))
        return tiers

    async def _keep_level(self, user_id: int, member: store.Member | None) -> None:
        if member is None:
            await self.redis.set(keys.member_level(user_id), 0, ex=NON_MEMBER_KEEP_S)
        else:
            await self.redis.set(keys.member_level(user_id), member.level)

    async def set_tiers(self, tiers: Sequence[Tier]) -> list[Tier]:
        await store.set_tiers(self.db, tiers)
        # Levels may have moved: each member's is read from MySQL again at their next order.
        async for key in self.redis.scan_iter(match=keys.MEMBER_LEVELS, count=1000):
            await self.redis.delete(key)
        return await self.tiers()

    async def member_tier(self, user_id: int) -> Tier | None:
        """The caller's tier, through Redis; None for a non-member.

        Every member's level is in Redis, so one Redis does not know, while MySQL is away, is
        priced as a non-member (only after Redis lost its data would that be a member: logged).
        UpstreamUnavailable when the level is known and the tiers are not."""
        # Two keys in different slots on a Redis Cluster: a pipeline, one round trip on one Redis.
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(keys.member_level(user_id))
            pipe.get(keys.MEMBER_TIERS)
            level_raw, tiers_raw = await pipe.execute()
        try:
            if level_raw is None:
                try:
                    member = await store.get_member(self.db, user_id)
                except MYSQL_DOWN:
                    log.warning("user %s priced as a non-member: MySQL is not answering", user_id)
                    return None
                await self._keep_level(user_id, member)
                level = member.level if member else 0
            else:
                level = int(level_raw)
            if level == 0:
                return None
            if tiers_raw:
                tiers = [Tier.from_dict(item) for item in orjson.loads(tiers_raw)]
            else:
                tiers = await self.tiers()
        except MYSQL_DOWN:
            raise UpstreamUnavailable(
                "member prices are briefly unavailable; try again in a minute", retry_after_s=30
            ) from None
        return next((t for t in tiers if t.level == level), tiers[0])

    async def opens_for(self, user_id: int, on_sale_at: datetime) -> datetime:
        """When a showtime going on sale at ``on_sale_at`` opens to this moviegoer: their tier's
        early-booking hours before everyone (seatcore.domain.members.opens_for)."""
        return opens_for(on_sale_at, await self.member_tier(user_id))

    # -------------------------------------------------------------------------------- orders

    async def price(
        self,
        user_id: int,
        showtime_id: int | None,
        seats: dict[SeatId, tuple[str, Fen]],
        *,
        coupon_id: int | None,
        points: int,
        overrides: Mapping[str, MemberPrices] | None = None,
        snacks_fen: Fen = 0,
    ) -> Breakdown:
        """The order's price for this caller, coupon and points (checked, not yet taken), with
        the snacks' total added (member price and coupons are for tickets only; ``showtime_id``
        None: snacks alone, no seats and no coupon); ``overrides``:
        the showtime's own member prices, by tier (seatcore.domain.members)."""
        tier = await self.member_tier(user_id)
        member = None if tier is None else prices_at_showtime(tier, overrides or {})
        terms: CouponTerms | None = None
        try:
            if coupon_id is not None:
                if showtime_id is None:
                    raise Conflict("coupons are for tickets", code="coupon_not_applicable")
                terms = await self._coupon_terms(user_id, showtime_id, coupon_id)
            if points > 0:
                if member is None:
                    raise Conflict("only members can pay with points", code="not_a_member")
                await store.expire_due(self.db, user_id, utcnow())
        except MYSQL_DOWN:
            raise UpstreamUnavailable(
                "coupons and points are briefly unavailable; order without them or try again",
                retry_after_s=30,
            ) from None
        return price_order(
            seats, member=member, coupon=terms, points=points, rule=self.points_rule, snacks_fen=snacks_fen
        )

    def max_points(self, price: Breakdown) -> int:
        """The most points this order could take, whatever it takes now."""
        after_coupon = price.paid_fen + price.points_fen
        return self.points_rule.points_for(points_cap_fen(after_coupon, self.points_rule))

    async def _coupon_terms(self, user_id: int, showtime_id: int, coupon_id: int) -> CouponTerms:
        coupon = await coupon_store.user_coupon(self.db, user_id, coupon_id)
        if coupon is None:
            raise NotFound("you have no such coupon", code="coupon_not_found", coupon_id=coupon_id)
        if coupon.state != "available":
            raise Conflict("this coupon is used or on another order", code="coupon_unavailable")
        showing = await coupon_store.showing(self.db, showtime_id)
        if showing is None:
            raise NotFound("no such showtime", showtime_id=showtime_id)
        check_usable(coupon.campaign, showing, datetime.now(UTC))
        return coupon.campaign.terms

    async def reserve(self, order_id: str, user_id: int, price: Breakdown, coupon_id: int | None) -> None:
        """Take the order's points and coupon (nothing to take: nothing written)."""
        if price.points_used == 0 and coupon_id is None:
            return
        try:
            await store.reserve(self.db, order_id, user_id, price.points_used, coupon_id)
        except MYSQL_DOWN:
            raise UpstreamUnavailable(
                "coupons and points are briefly unavailable; order without them or try again",
                retry_after_s=30,
            ) from None

    async def release_order(self, order: Order) -> None:
        """``release`` for an order that took points or a coupon (the others cost nothing here, and
        end unpaid with MySQL away without a word)."""
        if order.coupon_id is not None or order.breakdown.points_used > 0:
            await self.release(order.id)

    async def release(self, order_id: str) -> None:
        """Give back an unpaid order's points and coupon (once; nothing if it took none). With MySQL
        away the reservation stays, and the loyalty sweep gives it back later."""
        try:
            async with self.db.begin() as conn:
                await store.give_back(conn, order_id, refunded=False)
        except MYSQL_DOWN:
            log.warning("order %s: points and coupon not given back yet, MySQL is not answering", order_id)

    async def on_landed(self, orders: Sequence[Order]) -> None:
        """Orders are in MySQL (now or already): settle what each took and earned, once."""
        now = utcnow()
        expires = now + timedelta(days=self.earn_rule.expire_days)
        users: set[int] = set()
        async with self.db.begin() as conn:
            # Two reads for the batch, so that the writer's path costs nothing more for orders
            # of non-members without points or a coupon.
            member_ids = await store.members_among(conn, {order.user_id for order in orders})
            discounted = await store.discounted_among(conn, [order.id for order in orders])
            for order in orders:
                if order.status in (OrderStatus.PAID, OrderStatus.TICKETED):
                    if order.id in discounted:
                        await store.commit(conn, order.id)
                    if order.user_id in member_ids:
                        points = earned(self.earn_rule, order.amount_fen)
                        await store.earn(conn, order.user_id, order.id, points, expires)
                        users.add(order.user_id)
                elif order.id in discounted:  # landed without tickets (a late payment)
                    await store.give_back(conn, order.id, refunded=False)
            for user_id in users:
                await store.recompute_spend(conn, user_id, now)
        for user_id in users:  # their tier may have moved
            await self._keep_level(user_id, await store.get_member(self.db, user_id))
