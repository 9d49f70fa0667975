"""Orders of snacks alone (卖品 without a ticket): made at a cinema's counter menu, paid and
refunded like any order, picked up with a code.

``SnackOrders`` is a part of ``seatcore.orders.service.OrderService`` kept in a module of its own.
Such an order has no showtime, seats or hold: its id names its cinema (``S<cinema>-<random>``) and
its Redis hash sits in the cinema's snack slot beside the stock it takes; it gives itself the time
to pay a hold would (``hold_ttl_s``), and the sweeper ends it unpaid after that. A request is made
once however often it is retried: its idempotency key names the order it made, in the same slot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from seatcore import keys
from seatcore.domain.orders import OrderStatus
from seatcore.domain.pricing import Breakdown
from seatcore.domain.snacks import SnackLine, new_pickup_code, snacks_total
from seatcore.errors import Conflict, NotFound, UpstreamUnavailable
from seatcore.orders import paydetails
from seatcore.orders.ids import new_snack_order_id
from seatcore.orders.records import Order, now_utc, whole_second
from seatcore.store import snacks as snack_store

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncEngine

    from seatcore.loyalty.service import Loyalty
    from seatcore.orders.inflight import InFlightOrders
    from seatcore.settings import Settings
    from seatcore.snacks.stock import SnackStock


def request_of(idempotency_key: str) -> str:
    """The request's name in its order's key: the moviegoer's idempotency key, hashed (its length
    and characters are the client's)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


class SnackOrders:
    """Making an order of snacks alone (mixed into OrderService, which provides these)."""

    settings: Settings
    db: AsyncEngine
    redis: Redis
    inflight: InFlightOrders
    loyalty: Loyalty
    snack_stock: SnackStock

    if TYPE_CHECKING:

        async def _snack_lines(
            self, cinema_id: int, asked: Mapping[int, int] | None
        ) -> tuple[SnackLine, ...]: ...

        async def _snacks_back(self, order: Order) -> None: ...

    async def create_snacks(
        self, user_id: int, cinema_id: int, snacks: Mapping[int, int], *, points: int = 0, request: str
    ) -> Order:
        """An order of ``snacks`` (snack id -> qty) of one cinema's menu, without a ticket: priced
        (points may pay part; coupons are for tickets), its stock taken, then the order in Redis.
        ``request`` names the call (``request_of``): made once, a retry answers Conflict
        ``order_exists`` with the order's id."""
        made_from = keys.snack_request_order(cinema_id, user_id, request)
        existing = await self.inflight.made_from(made_from)  # a retry: before any stock is taken
        if existing is not None:
            raise Conflict("this request made an order already", code="order_exists", order_id=existing)
        lines, price = await self._priced_snacks(user_id, cinema_id, snacks, points)
        await paydetails.remember(self.redis, self.db, user_id, None)
        now = whole_second(now_utc())
        pay_by = now + timedelta(seconds=self.settings.hold_ttl_s)
        unpaid = keys.snack_unpaid(cinema_id, user_id)
        await self._no_other_unpaid(unpaid)
        order = Order(
            id=new_snack_order_id(cinema_id),
            user_id=user_id,
            showtime_id=None,
            hold_id="",
            status=OrderStatus.PENDING_PAYMENT,
            seats={},
            created_at=now,
            updated_at=now,
            expires_at=pay_by,
            price=price,
            snacks=lines,
            cinema_id=cinema_id,
            pickup_code=new_pickup_code(),
        )
        await self.snack_stock.take(cinema_id, order.snack_qty)
        try:
            await self.loyalty.reserve(order.id, user_id, price, None)
        except BaseException:
            await self._snacks_back(order)
            raise
        outcome, other = await self.inflight.create_alone(
            order,
            check_at=pay_by,
            made_from=made_from,
            unpaid=unpaid,
            unpaid_ttl_ms=self.settings.hold_ttl_s * 1000,
        )
        if outcome != "ok":
            await self.loyalty.release_order(order)
            await self._snacks_back(order)
            if outcome == "made":
                raise Conflict("this request made an order already", code="order_exists", order_id=other)
            raise _unpaid(other)
        return order

    async def quote_snacks(
        self, user_id: int, cinema_id: int, snacks: Mapping[int, int], *, points: int = 0
    ) -> tuple[Breakdown, int]:
        """What ``create_snacks`` would charge now, and the most points it could take; nothing is
        reserved (the same refusals, but for stock, which only the order takes)."""
        _, price = await self._priced_snacks(user_id, cinema_id, snacks, points)
        return price, self.loyalty.max_points(price)

    async def _priced_snacks(
        self, user_id: int, cinema_id: int, snacks: Mapping[int, int], points: int
    ) -> tuple[tuple[SnackLine, ...], Breakdown]:
        """The lines priced from the cinema's menu and the price with ``points`` (checked, not taken)."""
        if not snacks:
            raise Conflict("choose at least one snack", code="no_snacks")
        try:
            known = await snack_store.cinema_timezone(self.db, cinema_id)
        except paydetails.MYSQL_DOWN:
            raise UpstreamUnavailable("snacks are briefly unavailable; try again", retry_after_s=30) from None
        if known is None:
            raise NotFound("no such cinema", cinema_id=cinema_id)
        lines = await self._snack_lines(cinema_id, snacks)
        price = await self.loyalty.price(
            user_id, None, {}, coupon_id=None, points=points, snacks_fen=snacks_total(lines)
        )
        return lines, price

    async def _no_other_unpaid(self, unpaid: str) -> None:
        """Refuse early, before any stock is taken, when the moviegoer's claim names an order
        still unpaid (the claim itself is taken with the order, atomically: ``create_alone``)."""
        held = await self.inflight.made_from(unpaid)
        current = await self.inflight.get(held) if held else None  # not in Redis: landed or gone
        if current is not None and _still_unpaid(current):
            raise _unpaid(current.id)


def _still_unpaid(order: Order) -> bool:
    """Unpaid and within its time to pay (what ``create_alone``'s script reads in the document)."""
    return (
        order.status is OrderStatus.PENDING_PAYMENT
        and order.payment is None
        and order.expires_at is not None
        and order.expires_at > now_utc()
    )


def _unpaid(order_id: str) -> Conflict:
    """One unpaid order of snacks alone per moviegoer and cinema, as one hold per showtime: nobody
    keeps a cinema's limited snacks out of sale with a pile of unpaid orders."""
    return Conflict(
        "you have an unpaid order of snacks at this cinema: pay or cancel it first",
        code="unpaid_order_exists",
        order_id=order_id,
    )
