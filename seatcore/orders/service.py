"""The order service: from a live hold to paid tickets in MySQL, and back again by refund.

The life of an order (docs/orders.md draws it with its crash windows and faults):

1. ``create``: from the caller's live hold, priced on the server; kept in Redis (``inflight``).
2. ``pay``: the provider's prepay (``wx.requestPayment`` parameters), kept on the order.
3. ``on_notice`` (or ``ask_provider``, when no notice came): the payment is recorded on the order,
   then ``settle`` drives it on: the engine's ``buy``, ``paid`` with ticket codes, the stream
   ``sc:orders``; the writer lands it in MySQL as ``ticketed``. A payment that buys nothing (hold
   gone, showtime cancelled) is refunded at once and lands as ``refunded`` with the reason.
4. ``refund`` (moviegoer, under the cinema's policy) / ``refund_by_staff``: refund_requested in
   MySQL, the provider's refund, refunded with tickets no longer live, seats back on the map
   (these steps, and the automatic refunds, are in seatcore.orders.refunds).

Every step can be retried: ``buy`` is idempotent per order, a re-queued order lands once, the
provider treats our order and refund ids as idempotency keys. The sweeper and the recovery at start
(seatcore.orders.recovery) repeat the steps a crash interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from seatcore import keys
from seatcore.analytics import events as analytics
from seatcore.domain.orders import OrderStatus, Reason, check_move
from seatcore.domain.pricing import Breakdown, quote, zoned
from seatcore.domain.schedule import SalesPolicy
from seatcore.domain.snacks import SnackLine, merged, new_pickup_code, order_lines, snacks_total
from seatcore.engine.background import seat_engine
from seatcore.errors import Conflict, NotFound, SeatError, UpstreamUnavailable
from seatcore.loyalty.service import Loyalty
from seatcore.orders import paydetails, seatstate, store
from seatcore.orders.exchange import Exchanges
from seatcore.orders.idempotency import IdempotencyStore
from seatcore.orders.ids import exchanged_order_of, is_order_id, new_order_id
from seatcore.orders.inflight import ENDED_KEEP_S, InFlightOrders, OrderGone, order_key
from seatcore.orders.records import Order, Payment, now_utc, whole_second
from seatcore.orders.refunds import RefundSteps
from seatcore.orders.snacks_alone import SnackOrders
from seatcore.orders.stream import OrderStream
from seatcore.orders.transitions import check_same_payment, late, mark_paid
from seatcore.payments import PaymentNotice, PaymentProvider, build_provider
from seatcore.replica_ack import ReplicaAck
from seatcore.runtime import Runtime
from seatcore.snacks.stock import stock_of
from seatcore.store import snacks as snack_store

if TYPE_CHECKING:
    from seatcore.engine.service import SeatEngine

log = logging.getLogger(__name__)

PAID_CHECK_S = 30  # a paid order not in MySQL by then gets a look from the sweeper
LANDED_POLL_S = 0.05
PAY_QUERY_EVERY = timedelta(seconds=30)  # a started payment: how often the sweeper asks the provider
PAY_QUERY_GRACE = timedelta(minutes=2)  # an ended order whose payment was started: asked until then
S = OrderStatus


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class OrderService(RefundSteps, SnackOrders):
    def __init__(self, runtime: Runtime, provider: PaymentProvider | None = None) -> None:
        self.settings = runtime.settings
        self.db = runtime.db
        self.redis = runtime.redis
        self._runtime = runtime
        self.inflight = InFlightOrders(runtime.redis)
        self.stream = OrderStream(runtime.redis)
        self.replica_ack = ReplicaAck(runtime.redis, runtime.settings.paid_replica_wait_ms)
        self.idempotency = IdempotencyStore(runtime.redis)
        self.loyalty = Loyalty(runtime)
        self.provider = (
            provider
            if provider is not None
            else build_provider(runtime.settings, self.on_notice, runtime.redis)
        )
        self.exchanges = Exchanges(self)
        self.snack_stock = stock_of(runtime)
        self.policy = SalesPolicy(
            runtime.settings.sales_close_before_min, runtime.settings.refund_until_before_min
        )

    @property
    def seats(self) -> SeatEngine:
        return seat_engine(self._runtime)

    # ------------------------------------------------------------------------------- reading

    async def find(self, order_id: str) -> Order | None:
        """The order wherever it is now: Redis while in flight, else MySQL."""
        if not is_order_id(order_id):
            return None
        order = await self.inflight.get(order_id)
        if order is not None:
            return await self._current(order)
        return await store.get(self.db, order_id)

    async def _current(self, order: Order) -> Order:
        """An unpaid order as it stands now: expired as soon as its hold has ended (expiry is data,
        the sweeper only gets there later), whether by time or because it was released."""
        if order.status is not S.PENDING_PAYMENT or order.payment is not None:
            return order
        if await self._lasts_until(order) is None:
            await self._expire(order.id)
            return await self.inflight.get(order.id) or order
        return order

    async def _lasts_until(self, order: Order) -> datetime | None:
        """When an unpaid order ends (None: it has): its seats' hold, or an order of snacks
        alone its own time to pay."""
        if order.snacks_only:
            ends = order.expires_at
            return ends if ends is not None and ends > now_utc() else None
        try:
            hold = await self.seats.get_hold(order.hold_id, order.user_id)
        except (SeatError, NotFound):
            return None
        return _from_ms(hold.expires_at_ms)

    async def history(self, user_id: int, *, before: tuple[datetime, str] | None, limit: int) -> list[Order]:
        """The moviegoer's orders newest first, from both stores, strictly after ``before``."""
        landed = await store.list_for_user(self.db, user_id, before=before, limit=limit)
        merged = {order.id: await self._current(order) for order in await self.inflight.for_user(user_id)}
        for order in landed:
            merged[order.id] = order  # MySQL is the record once an order has landed
        items = [
            order for order in merged.values() if before is None or (order.created_at, order.id) < before
        ]
        items.sort(key=lambda order: (order.created_at, order.id), reverse=True)
        return items[:limit]

    # ------------------------------------------------------------------------------ ordering

    async def create(
        self,
        user_id: int,
        hold_id: str,
        *,
        coupon_id: int | None = None,
        points: int = 0,
        snacks: Mapping[int, int] | None = None,
    ) -> Order:
        """An order for the caller's live hold: quote (zone prices, member price, coupon, snacks,
        points), reserve (the snacks' stock in Redis, the points and the coupon in MySQL), then
        the order in Redis. ``snacks``: snack id -> qty, of the showtime's cinema."""
        hold = await self.seats.get_hold(hold_id, user_id)
        made_from = keys.hold_order(hold.showtime_id, hold.id)
        existing = await self.inflight.made_from(made_from)  # a retry: before any stock is taken
        if existing is not None:
            raise Conflict("an order was already made from this hold", code="order_exists", order_id=existing)
        info = await self.seats.info(hold.showtime_id)
        if await self.seats.cancelled(hold.showtime_id):
            raise Conflict("this showtime has been cancelled", code="showtime_cancelled")
        if not info.selling(self.seats.now_ms()):
            # Sales closed (the staff switch or the time before the start): no new order; an
            # order made before may still be paid while its hold lasts (docs/orders.md).
            raise SeatError("sales for this showtime are closed", code="sales_closed")
        await paydetails.remember(self.redis, self.db, user_id, hold.showtime_id)
        priced = quote(info.seating.layout, info.seating.prices, hold.seats)
        cinema_id = info.seating.cinema_id
        lines = await self._snack_lines(cinema_id, snacks)
        price = await self.loyalty.price(
            user_id,
            hold.showtime_id,
            zoned(info.seating.layout, priced),
            coupon_id=coupon_id,
            points=points,
            overrides=info.seating.member_prices,
            snacks_fen=snacks_total(lines),
        )
        now = whole_second(now_utc())
        order = Order(
            id=new_order_id(hold.showtime_id),
            user_id=user_id,
            showtime_id=hold.showtime_id,
            hold_id=hold.id,
            status=S.PENDING_PAYMENT,
            seats=dict(priced.seat_prices),
            created_at=now,
            updated_at=now,
            expires_at=_from_ms(hold.expires_at_ms),
            price=price,
            coupon_id=coupon_id,
            snacks=lines,
            cinema_id=cinema_id if lines else None,
            pickup_code=new_pickup_code() if lines else None,
        )
        await self.snack_stock.take(cinema_id, order.snack_qty)
        try:
            await self.loyalty.reserve(order.id, user_id, price, coupon_id)
        except BaseException:
            await self._snacks_back(order)
            raise
        existing = await self.inflight.create(
            order, check_at=_from_ms(hold.expires_at_ms), made_from=made_from
        )
        if existing is not None:
            await self.loyalty.release_order(order)
            await self._snacks_back(order)
            raise Conflict("an order was already made from this hold", code="order_exists", order_id=existing)
        return order

    async def _snack_lines(self, cinema_id: int, asked: Mapping[int, int] | None) -> tuple[SnackLine, ...]:
        """The asked snacks priced from the cinema's menu (read from MySQL: while it is away an
        order with snacks is refused with 503, one without them goes on)."""
        if not asked:
            return ()
        wanted = merged(asked.items())
        try:
            menu = await snack_store.by_ids(self.db, list(wanted))
        except paydetails.MYSQL_DOWN:
            raise UpstreamUnavailable(
                "snacks are briefly unavailable; order without them or try again", retry_after_s=30
            ) from None
        return order_lines(wanted, menu, cinema_id)

    async def _snacks_back(self, order: Order) -> None:
        """The order's snacks back to stock (once per order, however often called)."""
        if order.snacks and order.cinema_id is not None:
            await self.snack_stock.give_back(order.cinema_id, order.id, order.snack_qty)

    async def quote(
        self,
        user_id: int,
        hold_id: str,
        *,
        coupon_id: int | None = None,
        points: int = 0,
        snacks: Mapping[int, int] | None = None,
    ) -> tuple[Breakdown, int]:
        """What an order from this hold would cost, and the most points it could take; nothing is
        reserved (the same refusals as ``create``, but for stock, which is taken by ``create``)."""
        hold = await self.seats.get_hold(hold_id, user_id)
        info = await self.seats.info(hold.showtime_id)
        seats = zoned(info.seating.layout, quote(info.seating.layout, info.seating.prices, hold.seats))
        lines = await self._snack_lines(info.seating.cinema_id, snacks)
        price = await self.loyalty.price(
            user_id,
            hold.showtime_id,
            seats,
            coupon_id=coupon_id,
            points=points,
            snacks_fen=snacks_total(lines),
            overrides=info.seating.member_prices,
        )
        return price, self.loyalty.max_points(price)

    async def pay(self, user_id: int, order_id: str) -> Order:
        """The order with the provider's prepay parameters (made once, then the same each call).

        A repeated call asks the provider first: a payment whose notice was lost (or whose
        confirmation a crash cut short) is settled there and then, and the order answers paid.
        Refused for a cancelled showtime (``showtime_cancelled``) and an ended hold."""
        order = await self._own_in_flight(user_id, order_id)
        if (
            order.payment is None
            and order.showtime_id is not None
            and await self.seats.cancelled(order.showtime_id)
        ):
            await self.end_unpaid(order.id, S.CANCELLED, Reason.SHOWTIME_CANCELLED)
            raise Conflict("this showtime has been cancelled", code="showtime_cancelled")
        check_move(order.status, S.PAID)
        if order.payment is not None:
            return order  # paid already; the tickets are on their way
        try:
            if order.prepay is not None and await self.ask_provider(order):
                return await self.inflight.get(order.id) or order
        except UpstreamUnavailable as exc:  # the stored parameters still let the payer pay
            log.warning("could not ask the provider about %s: %s", order.id, exc.message)
        ends = await self._lasts_until(order)
        if ends is None:
            await self._expire(order.id)
            if order.snacks_only:
                raise Conflict("the time to pay for this order has passed", code="order_expired")
            raise Conflict("the seats' hold has ended; choose seats again", code="hold_expired")
        if order.prepay is not None:
            return order
        openid, title = await paydetails.recall(self.redis, self.db, user_id, order.showtime_id)
        bought = (f"{line.name}x{line.qty}" for line in order.snacks) if order.snacks_only else order.seats
        params = await self.provider.prepay(
            order_id=order.id,
            amount_fen=order.amount_fen,
            description=f"{title} {' '.join(bought)}",
            openid=openid,
            expires_at=ends,
        )
        # From now on the sweeper asks the provider now and then, and once more before expiry.
        await self.inflight.schedule(order.id, min(now_utc() + PAY_QUERY_EVERY, ends))
        return await self.inflight.change(order.id, lambda o: None if o.prepay else o.but(prepay=params))

    async def ask_provider(self, order: Order) -> bool:
        """Ask the provider about an order whose payment was started and settle what it says
        (paid and seats still held: ticketed; paid too late: refunded). True when it was paid."""
        notice = await self.provider.query(order.id)
        if notice is None or notice.status != "paid":
            return False
        log.warning("order %s: paid at the provider without a notice here; settling it", order.id)
        await self.on_notice(notice)
        return True

    async def cancel(self, user_id: int, order_id: str) -> Order:
        """Give up an unpaid order and release its hold."""
        await self._own_in_flight(user_id, order_id)

        def cancelled(o: Order) -> Order | None:
            if o.payment is not None:
                raise Conflict("the payment for this order is being processed", code="payment_in_progress")
            if o.status is S.CANCELLED:
                return None
            check_move(o.status, S.CANCELLED)
            return o.but(status=S.CANCELLED, reason=Reason.CANCELLED, expires_at=None)

        order = await self.inflight.change(order_id, cancelled, keep_s=ENDED_KEEP_S)
        await self.loyalty.release_order(order)
        await self._snacks_back(order)
        if order.prepay is not None:
            await self.inflight.schedule(order_id, now_utc())  # one more look at the provider
        else:
            await self.inflight.unschedule(order_id)
        if not order.snacks_only:
            with contextlib.suppress(SeatError, NotFound):  # the hold may have ended already
                await self.seats.release(order.hold_id, user_id)
        return order

    async def _own_in_flight(self, user_id: int, order_id: str) -> Order:
        order = await self.inflight.get(order_id) if is_order_id(order_id) else None
        if order is None:
            landed = await store.get(self.db, order_id) if is_order_id(order_id) else None
            if landed is None or landed.user_id != user_id:
                raise NotFound("no such order", order_id=order_id)
            raise Conflict(
                f"an order that is {landed.status.value} cannot be paid or cancelled",
                code="illegal_transition",
                status=landed.status.value,
            )
        if order.user_id != user_id:
            raise NotFound("no such order", order_id=order_id)
        return order

    # ------------------------------------------------------------------------------ payments

    async def on_notice(self, notice: PaymentNotice) -> None:
        """Act on a verified payment notice, once however often it comes.

        Refuses (changing nothing) a notice for an unknown order or for another amount.
        """
        if exchanged_order_of(notice.order_id) is not None:
            await self.exchanges.on_payment(notice)  # an exchange's second payment
            return
        if notice.status != "paid":
            analytics.record(self._runtime, "payment_failed", order_id=notice.order_id, code=notice.status)
            log.info("payment notice for %s says %s: nothing to do", notice.order_id, notice.status)
            return
        order = await self.inflight.get(notice.order_id) if is_order_id(notice.order_id) else None
        if order is None:
            landed = await store.get(self.db, notice.order_id) if is_order_id(notice.order_id) else None
            if landed is None:
                raise NotFound("the notice names no order of ours", code="order_unknown")
            check_same_payment(landed, notice)
            return  # a replay of a notice already acted upon
        if notice.amount_fen != order.amount_fen:
            raise Conflict(
                "the notice's amount is not the order's",
                code="amount_mismatch",
                order_amount_fen=order.amount_fen,
                notice_amount_fen=notice.amount_fen,
            )
        payment = Payment(
            provider=self.provider.name,
            transaction_id=notice.transaction_id,
            amount_fen=notice.amount_fen,
            paid_at=notice.paid_at or now_utc(),
        )

        def record(o: Order) -> Order | None:
            if o.payment is not None:
                check_same_payment(o, notice)
                return None
            return o.but(payment=payment)

        try:
            await self.inflight.change(order.id, record)
            await self.inflight.schedule(order.id, now_utc() + timedelta(seconds=PAID_CHECK_S))
            await self.settle(order.id)
            await self._kept_safe(order)
        except OrderGone:
            # A concurrent copy of this notice finished the order and the writer landed it (and
            # tidied it from Redis) while this copy was on its way: a replay, answered the same.
            landed = await store.get(self.db, notice.order_id)
            if landed is None:
                raise
            check_same_payment(landed, notice)

    async def settle(self, order_id: str) -> Order | None:
        """Drive a paid order on from wherever a previous attempt stopped (None: not in Redis)."""
        order = await self.inflight.get(order_id)
        if order is None or order.payment is None:
            return order
        if order.status is S.PENDING_PAYMENT:
            lost = await self._buy(order)
            order = await self.inflight.change(
                order_id, mark_paid if lost is None else lambda o: late(o, reason=lost)
            )
            if lost is None:
                analytics.record_order(self._runtime, "order_paid", order)
                await self._end_shopping(order)
            else:
                await self._snacks_back(order)
                analytics.record_order(self._runtime, "payment_failed", order, code=order.reason)
        elif order.status in (S.EXPIRED, S.CANCELLED):
            order = await self.inflight.change(order_id, late)
            analytics.record_order(self._runtime, "payment_failed", order, code=order.reason)
        if (
            order.status is S.REFUND_REQUESTED
            and order.refund is not None
            and order.refund.status == "pending"
        ):
            order = await self._refund_in_flight(order)
        if order.status in (S.PAID, S.REFUNDED, S.REFUND_REQUESTED):
            order = await self._enqueue(order)
        return order

    async def _kept_safe(self, order: Order) -> None:
        """Before the notice is answered: a Redis replica holds the paid order (its hash, sold seats
        and the sweeper's index entry, which brings back a lost stream entry); when none
        acknowledged in time, the order is in MySQL (waited for up to paid_landed_wait_s)."""
        guarded = [order_key(order.id), keys.ORDERS_IN_FLIGHT]
        if await self.replica_ack.wait(guarded) is not False:
            return
        deadline = asyncio.get_running_loop().time() + self.settings.paid_landed_wait_s
        while await store.get(self.db, order.id) is None:
            if asyncio.get_running_loop().time() >= deadline:
                log.error("order %s: paid, no replica acknowledged and not in MySQL yet", order.id)
                return
            await asyncio.sleep(LANDED_POLL_S)

    async def _end_shopping(self, order: Order) -> None:
        """A fan admitted by the showtime's waiting room has bought: their slot goes to the next
        fan (if this fails, their shopping window still ends it)."""
        if order.showtime_id is None:
            return
        try:
            await self._runtime.waiting_rooms.bought(order.showtime_id, order.user_id)
        except RedisError as exc:
            log.warning("order %s: the waiting room's slot stays until its window ends: %s", order.id, exc)

    async def _buy(self, order: Order) -> Reason | None:
        """Sell the hold's seats to the order; None when sold, else why the payment buys nothing:
        the showtime was cancelled, or the hold is lost (a late payment). Snacks alone have
        nothing more to buy: their stock was taken when the order was made."""
        if order.showtime_id is None:
            return None
        try:
            await self.seats.buy(order.hold_id, order.user_id, order.id)
            return None
        except (SeatError, NotFound):
            # The seats may still be this order's (an earlier buy whose answer was lost, after its
            # hold record was tidied away).
            if await seatstate.all_sold_to(self.redis, order.showtime_id, order.id, list(order.seats)):
                return None
            if await self.seats.cancelled(order.showtime_id):
                return Reason.SHOWTIME_CANCELLED
            return Reason.LATE_PAYMENT

    async def _enqueue(self, order: Order) -> Order:
        """Put the order on the stream unless its last entry is still waiting there."""
        if order.stream_id is not None and await self.stream.waiting(order.stream_id):
            return order
        entry = await self.stream.add(order)
        try:
            return await self.inflight.change(order.id, lambda o: o.but(stream_id=entry))
        except OrderGone:
            return order  # already landed and forgotten

    async def landed(self, orders: Sequence[Order]) -> None:
        """The writer landed these orders: settle their points and coupons, then forget them here."""
        await self.loyalty.on_landed(orders)
        await self.inflight.forget(orders)

    # ------------------------------------------------------------------------------- expiry

    async def check_hold(self, order: Order) -> None:
        """An unpaid order's hold: expire the order if the hold ended, else look again at its end
        (sooner when its payment was started)."""
        expires = await self._lasts_until(order)
        if expires is None:
            await self._expire(order.id)
            return
        if order.prepay is not None:  # a started payment is asked about now and then
            await self.inflight.schedule(order.id, min(expires, now_utc() + PAY_QUERY_EVERY))
        else:
            await self.inflight.schedule(order.id, expires)
        if expires != order.expires_at:
            await self.inflight.change(
                order.id, lambda o: o.but(expires_at=expires) if o.status is S.PENDING_PAYMENT else None
            )

    async def _expire(self, order_id: str) -> None:
        await self.end_unpaid(order_id, S.EXPIRED, Reason.HOLD_EXPIRED)

    async def end_unpaid(self, order_id: str, status: OrderStatus, reason: Reason) -> Order | None:
        """End an unpaid order (expired, or cancelled with the showtime). One whose payment was
        started stays due for the sweeper, which asks the provider once more (PAY_QUERY_GRACE)."""

        def ended(o: Order) -> Order | None:
            if o.status is not S.PENDING_PAYMENT or o.payment is not None:
                return None
            return o.but(status=status, reason=reason, expires_at=None)

        try:
            order = await self.inflight.change(order_id, ended, keep_s=ENDED_KEEP_S)
        except OrderGone:
            return None
        if order.status is S.PENDING_PAYMENT:
            return order
        if order.payment is None:
            await self.loyalty.release_order(order)
            await self._snacks_back(order)
        if order.prepay is not None and order.payment is None:
            await self.inflight.schedule(order_id, now_utc())
        elif order.payment is None:
            await self.inflight.unschedule(order_id)
        return order
