"""Exchange (改签): a ticketed order moves whole to seats the moviegoer holds on another showtime.

The one rule (invariant 11): seen from outside, the order has exactly one live set of tickets at
every moment, the old or the new, never both and never neither. The exchange therefore walks in
steps that each leave a state a crash may stop in, recorded first in MySQL (seatcore.store.exchanges):

1. ``claim``: the exchange row, with the new seats, their prices and ticket codes, the fee and the
   price difference. Its primary key makes an order exchangeable once; a second exchange racing
   the first is refused (``exchange_in_progress``); so is the moviegoer's refund meanwhile.
2. ``paying -> paid``: when the new seats cost more (fee included) a second payment at the
   provider, id ``ORDER-X``; nothing moves until the provider says it is paid (its notice, the
   moviegoer's repeated call, or the recovery asking). The hold ending first abandons the
   exchange and refunds anything paid.
3. ``paid -> bought``: the engine sells the held seats to the order (the new map shows them sold;
   the order's tickets are still the old ones).
4. ``bought -> swapped``: one MySQL transaction makes the new tickets live and the old ones not.
5. ``swapped -> done``: the engine frees the old seats (the old map shows them free) and a
   cheaper exchange's difference is refunded from the first payment (refund id ``ORDER-XR``).

Every step is idempotent (the engine's buy and unsell per order, the provider's ids, the state
moves as conditional UPDATEs), so ``drive`` simply runs from wherever an exchange stands.
Before the swap an exchange may be abandoned (the hold ended unpaid, the sale lost with Redis, the
order refunded by staff meanwhile): the new seats go back on sale, anything paid is refunded, the
old tickets stay live. ``finish_pending`` (the order sweeper's recovery pass) drives every
unfinished exchange on.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from seatcore.domain.orders import OrderStatus
from seatcore.domain.pricing import Quote, exchange_difference, quote, zoned
from seatcore.domain.refunds import RefundPolicy
from seatcore.errors import Conflict, NotFound, SeatcoreError, SeatError
from seatcore.orders import paydetails, refundfees, seatstate, store
from seatcore.orders.ids import exchange_payment_id, exchange_refund_id, exchanged_order_of, new_ticket_code
from seatcore.orders.ids import refund_id as refund_id_of
from seatcore.orders.records import Order, now_utc
from seatcore.payments import PaymentNotice
from seatcore.store import boxoffice, exchanges, quotas, refund_policies
from seatcore.store.exchanges import Exchange, NewSeat

if TYPE_CHECKING:
    from seatcore.engine.loader import ShowInfo
    from seatcore.orders.service import OrderService
    from seatcore.types import Fen

log = logging.getLogger(__name__)
REASON = "改签 exchange"


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the exchange stands after a call: ``done``, or ``paying`` with the prepay parameters."""

    exchange: Exchange
    order: Order
    pay_params: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """An exchange as the rules allow it now: priced (``exchange``, not yet recorded), the month
    whose free exchange waives its fee (None: the fee applies), the fee the free exchange waives,
    the member's free exchanges left this month before this one, and the cut-off (in the cinema's
    time zone)."""

    exchange: Exchange
    free_month: str | None
    waived_fee_fen: int
    free_left: int
    deadline: datetime


class Exchanges:
    def __init__(self, orders: OrderService) -> None:
        self._orders = orders
        self._db = orders.db

    # ------------------------------------------------------------------------- the request

    async def exchange(self, user_id: int, order_id: str, hold_id: str) -> Outcome:
        """Move the caller's ticketed order to the seats of their hold ``hold_id`` (see the module
        docstring); a repeated call with the same hold carries on where the last one stopped."""
        order = await self._orders.find(order_id)  # one still in flight is refused below
        if order is None or order.user_id != user_id:
            raise NotFound("no such order", order_id=order_id)
        started = await exchanges.get(self._db, order_id)
        if started is None:
            plan = await self._plan(order, user_id, hold_id)
            if await exchanges.claim(self._db, plan.exchange, free_month=plan.free_month):
                started = plan.exchange
            else:  # another exchange of this order was recorded a moment ago
                started = await exchanges.get(self._db, order_id)
                assert started is not None
        _check_same(started, hold_id)
        return await self.drive(started)

    async def quote(self, user_id: int, order_id: str, hold_id: str) -> Plan:
        """What ``exchange`` with this hold would do now, changing nothing: the same refusals and
        the same plan (``_plan``). An exchange of the order already under way with this hold
        answers its recorded figures; one finished or abandoned is ``already_exchanged``."""
        order = await self._orders.find(order_id)
        if order is None or order.user_id != user_id:
            raise NotFound("no such order", order_id=order_id)
        started = await exchanges.get(self._db, order_id)
        if started is None:
            return await self._plan(order, user_id, hold_id)
        if started.state in ("swapped", "done"):
            raise Conflict("this order has already been exchanged once", code="already_exchanged")
        _check_same(started, hold_id)
        return await self._recorded(order, started)

    async def _recorded(self, order: Order, ex: Exchange) -> Plan:
        """The plan of an exchange recorded and still under way, as it was recorded."""
        policy, cutoff, timezone = await self._policy(order)
        async with self._db.connect() as conn:
            free = await quotas.has_use(conn, "exchange", order.id)
        month = quotas.month_of(now_utc(), timezone)
        left = (await quotas.left(self._db, ex.user_id, month))["exchange"]
        waived = policy.exchange_fee_fen * len(ex.new_seats) if free else 0
        return Plan(ex, month if free else None, waived, left, cutoff)

    async def _policy(self, order: Order) -> tuple[RefundPolicy, datetime, str]:
        """The order's cinema's policy, its exchange cut-off and the cinema's time zone."""
        showtime_id = _showtime_of(order)
        old = (await refund_policies.show_facts(self._db, [showtime_id])).get(showtime_id)
        if old is None:
            raise NotFound("no such showtime")
        policy, _ = await refund_policies.policy_for(
            self._db, old.cinema_id, self._orders.settings.refund_until_before_min
        )
        return policy, _local(policy.exchange_cutoff(old.starts_at), old.timezone), old.timezone

    async def _plan(self, order: Order, user_id: int, hold_id: str) -> Plan:
        """The exchange the rules allow, priced, with the month (YYYY-MM, the cinema's calendar)
        whose free exchange waives its fee; refusals carry stable codes. Reads only: ``exchange``
        records the plan, ``quote`` answers it."""
        showtime_id = _showtime_of(order)
        if order.status is not OrderStatus.TICKETED:
            raise Conflict(
                f"only a ticketed order can be exchanged; this one is {order.status.value}",
                code="order_not_ticketed",
                status=order.status.value,
            )
        engine = self._orders.seats
        hold = await engine.get_hold(hold_id, user_id)  # hold_not_owned, hold_expired, not_found
        facts = await refund_policies.show_facts(self._db, [showtime_id, hold.showtime_id])
        old, new = facts.get(showtime_id), facts.get(hold.showtime_id)
        if old is None or new is None:
            raise NotFound("no such showtime")
        policy, _ = await refund_policies.policy_for(
            self._db, old.cinema_id, self._orders.settings.refund_until_before_min
        )
        if new.id == old.id:
            raise Conflict("the new seats are on the same showtime", code="exchange_same_showtime")
        if new.movie_id != old.movie_id:
            raise Conflict("an exchange keeps the movie", code="exchange_other_movie")
        if new.cinema_id != old.cinema_id and not policy.exchange_other_cinemas:
            raise Conflict("this cinema exchanges only to its own showtimes", code="exchange_other_cinema")
        cutoff = policy.exchange_cutoff(old.starts_at)
        if now_utc() >= cutoff:
            raise Conflict(
                "exchanges for this showtime have closed", code="exchange_closed", deadline=cutoff.isoformat()
            )
        if len(hold.seats) != len(order.seats):
            raise Conflict(
                "an exchange moves the whole order: hold as many seats as it has",
                code="seat_count_differs",
                order_seats=len(order.seats),
                hold_seats=len(hold.seats),
            )
        info = await engine.info(hold.showtime_id)
        if new.cancelled or not info.selling(engine.now_ms()):
            raise SeatError("sales for the new showtime are closed", code="sales_closed")
        priced = quote(info.seating.layout, info.seating.prices, hold.seats)
        fee = policy.exchange_fee_fen * len(hold.seats)
        month = quotas.month_of(now_utc(), old.timezone)
        free_left = (await quotas.left(self._db, user_id, month))["exchange"]
        free_month = month if fee and free_left else None
        waived = 0
        if free_month is not None:
            fee, waived = 0, fee  # the member's free exchange, taken when the exchange is recorded
        held = await refundfees.paid_in_all(self._db, order)
        tickets_held = held - order.breakdown.snacks_fen  # the snacks stay as they are
        seats_diff = exchange_difference(
            order.breakdown, await self._member_priced(user_id, hold.showtime_id, info, priced)
        )
        pay, refund = max(seats_diff + fee, 0), min(max(-(seats_diff + fee), 0), tickets_held)
        planned = Exchange(
            order_id=order.id,
            user_id=user_id,
            from_showtime_id=showtime_id,
            to_showtime_id=hold.showtime_id,
            hold_id=hold_id,
            new_seats=tuple(
                NewSeat(seat, price, new_ticket_code()) for seat, price in priced.seat_prices.items()
            ),
            old_amount_fen=tickets_held,
            new_amount_fen=max(tickets_held + seats_diff, 0),
            fee_fen=fee,
            pay_fen=pay,
            refund_fen=refund,
            pay_txn_id=None,
            state="paying" if pay > 0 else "paid",
        )
        return Plan(planned, free_month, waived, free_left, _local(cutoff, old.timezone))

    # --------------------------------------------------------------------------- the steps

    async def _member_priced(self, user_id: int, showtime_id: int, info: ShowInfo, priced: Quote) -> Fen:
        """The new seats at the caller's member price on that showtime (its own member prices when
        it sets them); the list price for someone who is not a member."""
        price = await self._orders.loyalty.price(
            user_id,
            showtime_id,
            zoned(info.seating.layout, priced),
            coupon_id=None,
            points=0,
            overrides=info.seating.member_prices,
        )
        return price.paid_fen

    async def drive(self, ex: Exchange, *, answering: bool = True) -> Outcome:
        """Carry the exchange on as far as it can go now. ``answering`` (the moviegoer's call)
        makes the second payment's prepay when it is still due; the recovery only asks."""
        if ex.state == "paying":
            params = None
            if not await self._second_payment_arrived(ex):
                if answering:
                    params = await self._prepay_or_abandon(ex)
                else:
                    await self._abandon_if_ended(ex)
            ex = await self._reload(ex)
            if ex.state == "paying":
                return Outcome(ex, await self._order(ex), params)
        if ex.state == "paid":
            await self._buy(ex)
            await exchanges.advance(self._db, ex.order_id, "paid", "bought")
            ex = await self._reload(ex)
        if ex.state == "bought":
            if not await seatstate.all_sold_to(self._orders.redis, ex.to_showtime_id, ex.order_id, ex.seats):
                await self._abandon(ex)  # the sale was lost with Redis: the old tickets stay
            elif await exchanges.swap(self._db, ex) == "order_changed":
                await self._abandon(ex)  # refunded meanwhile: the new seats go back on sale
            ex = await self._reload(ex)
        if ex.state == "swapped":
            if await self._release_old(ex):
                await exchanges.advance(self._db, ex.order_id, "swapped", "done")
            ex = await self._reload(ex)
        if ex.state == "abandoned":
            raise Conflict(
                "the exchange was given up (the new seats' hold ended, or the order changed); "
                "the old tickets stand and anything paid is refunded",
                code="exchange_abandoned",
            )
        return Outcome(ex, await self._order(ex))

    async def _second_payment_arrived(self, ex: Exchange) -> bool:
        """Ask the provider about the second payment; on a paid answer record it (paying -> paid)."""
        notice = await self._orders.provider.query(exchange_payment_id(ex.order_id))
        if notice is None or notice.status != "paid":
            return False
        return await self._record_payment(ex, notice)

    async def _record_payment(self, ex: Exchange, notice: PaymentNotice) -> bool:
        if notice.amount_fen != ex.pay_fen:
            raise Conflict(
                "the notice's amount is not the exchange's",
                code="amount_mismatch",
                order_amount_fen=ex.pay_fen,
                notice_amount_fen=notice.amount_fen,
            )
        await exchanges.advance(self._db, ex.order_id, "paying", "paid", pay_txn_id=notice.transaction_id)
        return True

    async def _prepay_or_abandon(self, ex: Exchange) -> dict[str, str] | None:
        """The second payment's wx.requestPayment parameters (the provider makes them once per
        payment id; a repeat answers the same payment), or abandon when the hold has ended."""
        try:
            hold = await self._orders.seats.get_hold(ex.hold_id, ex.user_id)
        except (SeatError, NotFound):
            await self._abandon(ex)
            return None
        openid, title = await paydetails.recall(self._orders.redis, self._db, ex.user_id, ex.to_showtime_id)
        params = await self._orders.provider.prepay(
            order_id=exchange_payment_id(ex.order_id),
            amount_fen=ex.pay_fen,
            description=f"{title} {REASON} {' '.join(ex.seats)}",
            openid=openid,
            expires_at=_from_ms(hold.expires_at_ms),
        )
        return params

    async def _abandon_if_ended(self, ex: Exchange) -> None:
        try:
            await self._orders.seats.get_hold(ex.hold_id, ex.user_id)
        except (SeatError, NotFound):
            await self._abandon(ex)

    async def _buy(self, ex: Exchange) -> None:
        """Sell the held seats to the order (idempotent); a hold lost since the payment abandons
        the exchange (the second payment is refunded) and the old tickets stay live."""
        try:
            await self._orders.seats.buy(ex.hold_id, ex.user_id, ex.order_id)
        except (SeatError, NotFound):
            if await seatstate.all_sold_to(self._orders.redis, ex.to_showtime_id, ex.order_id, ex.seats):
                return  # an earlier buy whose answer a crash took
            await self._abandon(ex)
            raise Conflict(
                "the new seats' hold ended before the exchange; anything paid is refunded",
                code="exchange_abandoned",
            ) from None

    async def _abandon(self, ex: Exchange) -> None:
        """Give the exchange up before its swap: the new seats back on sale (only those sold to
        this order), the hold released, a second payment refunded. The old tickets stay live."""
        for state in ("paying", "paid", "bought"):
            if await exchanges.advance(self._db, ex.order_id, state, "abandoned"):
                break
        current = await self._reload(ex)
        if current.state != "abandoned":
            return
        await self._orders.seats.unsell(ex.to_showtime_id, ex.order_id, ex.seats)
        async with self._db.begin() as conn:  # an exchange that did not happen spends no free one
            await quotas.give_back(conn, "exchange", ex.order_id)
        if current.pay_txn_id is not None:
            pay_id = exchange_payment_id(ex.order_id)
            await self._refund(pay_id, refund_id_of(pay_id), ex.pay_fen, ex.pay_fen)
        with contextlib.suppress(SeatError, NotFound):
            await self._orders.seats.release(ex.hold_id, ex.user_id)

    async def _release_old(self, ex: Exchange) -> bool:
        """After the swap: the old seats back on sale, a cheaper exchange's difference refunded.
        False when the provider refused that refund: the exchange stays ``swapped`` (the new
        tickets are the order's all the same), logged for an operator and tried again later."""
        old_seats = await exchanges.seats_on(self._db, ex.order_id, ex.from_showtime_id)
        await self._orders.seats.unsell(ex.from_showtime_id, ex.order_id, old_seats)
        # The box office finds changed orders by their showtime now; the old one is told here.
        await boxoffice.mark_changed(self._orders.redis, [ex.from_showtime_id, ex.to_showtime_id])
        if ex.refund_fen > 0:
            order = await store.get(self._db, ex.order_id)
            assert order is not None and order.payment is not None
            return await self._refund(
                ex.order_id, exchange_refund_id(ex.order_id), ex.refund_fen, order.payment.amount_fen
            )
        return True

    async def _refund(self, trade_id: str, refund_id: str, amount_fen: int, total_fen: int) -> bool:
        """One of the exchange's own refunds; False (logged for an operator) when the provider
        refused or failed it. An unreachable provider raises, and the step is tried again later."""
        try:
            result = await self._orders.provider.refund(
                order_id=trade_id,
                refund_id=refund_id,
                amount_fen=amount_fen,
                total_fen=total_fen,
                reason=REASON,
            )
        except Conflict as exc:
            log.error("the provider refused the exchange refund %s: %s", refund_id, exc.message)
            return False
        if result.status == "failed":
            log.error("the provider failed the exchange refund %s", refund_id)
            return False
        return True

    async def _reload(self, ex: Exchange) -> Exchange:
        current = await exchanges.get(self._db, ex.order_id)
        assert current is not None
        return current

    async def _order(self, ex: Exchange) -> Order:
        order = await store.get(self._db, ex.order_id)
        assert order is not None
        return order

    # ------------------------------------------------------------------ notices and recovery

    async def on_payment(self, notice: PaymentNotice) -> None:
        """A verified notice of a second payment: record it and finish the exchange."""
        order_id = exchanged_order_of(notice.order_id)
        ex = await exchanges.get(self._db, order_id) if order_id is not None else None
        if ex is None:
            raise NotFound("the notice names no exchange of ours", code="order_unknown")
        if notice.status != "paid" or ex.state != "paying":
            return  # a replay, or nothing to act on
        await self._record_payment(ex, notice)
        with contextlib.suppress(Conflict):  # an abandoned exchange has refunded the payment
            await self.drive(await self._reload(ex), answering=False)

    async def finish_pending(self) -> int:
        """Carry every unfinished exchange on (the order sweeper's recovery pass); answers how many
        were looked at. A second payment not made is left to the moviegoer until the hold ends."""
        pending = await exchanges.unfinished(self._db)
        for ex in pending:
            try:
                await self.drive(ex, answering=False)
            except SeatcoreError as exc:
                log.warning("exchange of %s could not go on: %s", ex.order_id, exc.message)
            except Exception:  # one exchange's trouble must not stop the others; tried again later
                log.exception("exchange of %s could not go on", ex.order_id)
        return len(pending)


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def _check_same(ex: Exchange, hold_id: str) -> None:
    """A call about an exchange that was already recorded: carry on only with the same hold."""
    if ex.state in ("swapped", "done") and ex.hold_id != hold_id:
        raise Conflict("this order has already been exchanged once", code="already_exchanged")
    if ex.state == "abandoned":
        raise Conflict(
            "this order's exchange was abandoned; it cannot be exchanged again", code="already_exchanged"
        )
    if ex.hold_id != hold_id:
        raise Conflict("another exchange of this order is under way", code="exchange_in_progress")


def _showtime_of(order: Order) -> int:
    """The order's showtime; an order of snacks alone has none to move from."""
    if order.showtime_id is None:
        raise Conflict("an order of snacks alone has no seats to exchange", code="not_exchangeable")
    return order.showtime_id
