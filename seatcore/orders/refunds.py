"""Refunds of orders: the moviegoer's under the cinema's fee tiers, staff refunds, and the
automatic refunds of payments that bought nothing; the provider's later word on each.

``RefundSteps`` is a part of ``seatcore.orders.service.OrderService`` kept in a module of its own
(the service's docstring walks an order's whole life, step 4 is here). A landed order's refund
walks: quote (``refundfees``, the fee and what comes back) -> ``refund_requested`` in MySQL with
the refund row -> the provider's refund of the amount (the fee kept) -> ``refunded``, tickets no
longer live, seats back on sale.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from seatcore.analytics import events as analytics
from seatcore.domain.orders import REASON_TEXT, OrderStatus, Reason, check_move
from seatcore.errors import Conflict, NotFound, UpstreamUnavailable
from seatcore.orders import refundfees, store
from seatcore.orders.ids import exchanged_order_of, is_order_id, refund_id
from seatcore.orders.inflight import InFlightOrders, OrderGone
from seatcore.orders.records import Order
from seatcore.orders.stream import OrderStream
from seatcore.orders.transitions import late, refund_answered
from seatcore.payments import PaymentProvider, RefundResult

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from seatcore.engine.service import SeatEngine
    from seatcore.runtime import Runtime
    from seatcore.settings import Settings

log = logging.getLogger("seatcore.orders.service")
S = OrderStatus


class RefundSteps:
    """The refund half of the order service (mixed into OrderService, which provides these)."""

    settings: Settings
    db: AsyncEngine
    inflight: InFlightOrders
    stream: OrderStream
    provider: PaymentProvider
    _runtime: Runtime

    if TYPE_CHECKING:

        @property
        def seats(self) -> SeatEngine: ...

        async def _snacks_back(self, order: Order) -> None: ...

    async def _refund_in_flight(self, order: Order) -> Order:
        """Refund a payment that bought nothing; the order records the provider's answer."""
        result = await self._automatic_refund(order)
        return await self.inflight.change(order.id, lambda o: refund_answered(o, result))

    async def _automatic_refund(self, order: Order) -> RefundResult:
        """The provider's answer to a refund nobody asked for. A refusal is recorded as a failed
        refund (the order then lands, and the reconciliation reports it to an operator) rather than
        retried for ever; an unreachable provider raises, and the refund is tried again later."""
        try:
            return await self._provider_refund(order)
        except Conflict as exc:
            log.error("the provider refused the automatic refund of %s: %s", order.id, exc.message)
            return RefundResult(refund_id(order.id), "", "failed")

    async def _provider_refund(self, order: Order) -> RefundResult:
        reason = order.refund.reason if order.refund else Reason.REQUESTED
        return await self.provider.refund(
            order_id=order.id,
            refund_id=refund_id(order.id),
            amount_fen=order.refund.amount_fen if order.refund else order.amount_fen,
            total_fen=order.payment.amount_fen if order.payment else order.amount_fen,
            reason=REASON_TEXT[reason],
        )

    async def on_refund_notice(self, result: RefundResult) -> None:
        """The provider's final word on a refund it had accepted as processing.

        Only landed orders are updated; for one still on its way to MySQL the notice is refused
        with 503, and the provider sends it again later.
        """
        order_id = result.refund_id.removesuffix("-R")
        exchanged = exchanged_order_of(order_id) or exchanged_order_of(result.refund_id.removesuffix("R"))
        if exchanged is not None:
            # An exchange's own refund (its difference, or its second payment): recorded from the
            # provider's answer when it was made; a late failure is for an operator to see.
            log_at = logging.ERROR if result.status == "failed" else logging.INFO
            log.log(log_at, "exchange refund %s of order %s: %s", result.refund_id, exchanged, result.status)
            return
        if refund_id(order_id) != result.refund_id or not is_order_id(order_id):
            raise NotFound("the notice names no refund of ours", code="refund_unknown")
        if await store.set_refund_status(self.db, order_id, result.status, result.provider_refund_id):
            return
        if await self.inflight.get(order_id) is not None:
            raise UpstreamUnavailable("the order is not in MySQL yet; send the notice again later")
        raise NotFound("the notice names no refund of ours", code="refund_unknown")

    async def refund_conflicted(self, order: Order) -> None:
        """The writer's last guard refused the order's tickets: refund it, land it as refunded."""
        refunding = late(order, reason=Reason.SEAT_CONFLICT)
        result = await self._automatic_refund(refunding)
        final = refund_answered(refunding, result)
        assert final is not None
        entry = await self.stream.add(final)
        with contextlib.suppress(OrderGone):
            await self.inflight.change(order.id, lambda o: final.but(stream_id=entry))
        await self._snacks_back(order)
        # Seats another order holds in MySQL stay sold; the order's other seats go back on sale.
        taken = set(await store.taken_seats(self.db, order))
        await self.seats_back(order, [seat for seat in order.seats if seat not in taken])

    async def seats_back(self, order: Order, seats: list[str] | None = None) -> list[str]:
        """The order's ``seats`` (None: all) back on sale; an order of snacks alone has none."""
        if order.showtime_id is None:
            return []
        return await self.seats.unsell(
            order.showtime_id, order.id, list(order.seats) if seats is None else seats
        )

    # ------------------------------------------------------------------------------- refunds

    async def refund(self, user_id: int, order_id: str) -> Order:
        """The moviegoer's refund of a ticketed order under the cinema's fee tiers: the fee is
        kept, the rest goes back (``refund_quote`` tells both before). Refused once the tiers
        have closed (``refund_closed``) and for a premiere whose cinema refunds none."""
        order = await self._landed_or_refuse(order_id, user_id)
        amount_fen = None
        keep = None
        if order.status is S.TICKETED:
            if await refundfees.exchange_under_way(self.db, order.id):
                raise Conflict("this order is being exchanged", code="exchange_in_progress")
            found = await refundfees.quote(self.db, order, self.settings.refund_until_before_min)
            quoted = found.quote
            if quoted.refusal == "refund_premiere":
                raise Conflict("this cinema does not refund premiere tickets", code="refund_premiere")
            if quoted.refusal == "snacks_picked_up":
                raise Conflict("these snacks were picked up already", code="snacks_picked_up")
            if quoted.refusal is not None:
                raise Conflict(
                    "refunds for this showtime have closed",
                    code="refund_closed",
                    deadline=quoted.deadline.isoformat() if quoted.deadline else None,
                )
            amount_fen = quoted.refund_fen
            keep = store.RefundTerms(quoted.points_back, found.month if quoted.free else None)
        return await self._refund_landed(order, Reason.REQUESTED, f"user:{user_id}", amount_fen, keep)

    async def refund_quote(self, user_id: int, order_id: str) -> refundfees.Quoted:
        """What the moviegoer's refund would keep and give back now (a ticketed order only)."""
        order = await self._landed_or_refuse(order_id, user_id)
        if order.status is not S.TICKETED:
            raise Conflict(
                f"an order that is {order.status.value} cannot be refunded",
                code="illegal_transition",
                status=order.status.value,
                wanted=S.REFUND_REQUESTED.value,
            )
        return await refundfees.quote(self.db, order, self.settings.refund_until_before_min)

    async def refund_by_staff(self, order_id: str, *, created_by: str) -> Order:
        """A refund the cinema grants (any time; the caller checked the staff member's scope)."""
        order = await self._landed_or_refuse(order_id, None)
        return await self._refund_landed(order, Reason.STAFF, created_by, None)

    async def _landed_or_refuse(self, order_id: str, user_id: int | None) -> Order:
        order = await store.get(self.db, order_id) if is_order_id(order_id) else None
        if order is not None and (user_id is None or order.user_id == user_id):
            return order
        in_flight = await self.inflight.get(order_id) if is_order_id(order_id) else None
        if in_flight is None or (user_id is not None and in_flight.user_id != user_id):
            raise NotFound("no such order", order_id=order_id)
        if in_flight.status is S.PAID:
            raise Conflict(
                "the tickets are being issued; try again in a moment",
                code="order_not_ticketed",
                retry_after_s=1,
            )
        raise Conflict(
            f"an order that is {in_flight.status.value} cannot be refunded",
            code="illegal_transition",
            status=in_flight.status.value,
            wanted=S.REFUND_REQUESTED.value,
        )

    async def _refund_landed(
        self,
        order: Order,
        reason: Reason,
        created_by: str,
        amount_fen: int | None,
        terms: store.RefundTerms | None = None,
    ) -> Order:
        """Refund ``amount_fen`` (None: everything the order holds, as staff refunds are) on the
        quote's ``terms`` (the points back, the member's free refund; None: everything back)."""
        if order.status is S.REFUNDED:
            # A refund that failed after MySQL and before the seats went back on sale (Redis down)
            # is healed by the next attempt, which is then refused as usual. unsell is idempotent,
            # and so is giving the snacks back.
            await self._snacks_back(order)
            await self.seats_back(order)
        if order.status is not S.REFUND_REQUESTED:
            check_move(order.status, S.REFUND_REQUESTED)
            if amount_fen is None:
                amount_fen = await refundfees.paid_in_all(self.db, order)
            if not await store.begin_refund(
                self.db, order, reason, created_by, amount_fen=amount_fen, terms=terms
            ):
                current = await store.get(self.db, order.id)
                assert current is not None
                if current.status is not S.REFUND_REQUESTED:
                    check_move(current.status, S.REFUND_REQUESTED)
        return await self.finish_refund(order.id)

    async def finish_refund(self, order_id: str) -> Order:
        """Carry a landed order in refund_requested through the provider to refunded."""
        order = await store.get(self.db, order_id)
        if order is None:
            raise NotFound("no such order", order_id=order_id)
        if order.status is not S.REFUND_REQUESTED:
            return order
        try:
            result = await refundfees.refund_at_provider(self.provider, self.db, order)
        except Conflict as exc:  # the provider refused: nothing will change by retrying
            await store.fail_refund(self.db, order_id)
            raise Conflict(
                f"the payment provider refused the refund: {exc.message}", code="refund_failed"
            ) from None
        if result.status == "failed":
            await store.fail_refund(self.db, order_id)
            raise Conflict("the payment provider could not make the refund", code="refund_failed")
        # Tickets stop being live before the seats go back on sale: a crash between the two
        # leaves seats unsold (the reconciliation frees them), never sold twice.
        await store.finish_refund(self.db, order_id, result.status, result.provider_refund_id)
        analytics.record_order(self._runtime, "order_refunded", order)
        await self._snacks_back(order)
        await self.seats_back(order)
        refunded = await store.get(self.db, order_id)
        assert refunded is not None
        return refunded
