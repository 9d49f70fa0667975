"""What a moviegoer's refund of a landed order costs now, and from which payments the money goes back.

An order is paid by its own payment (``out_trade_no`` = the order id) and, after an exchange to
dearer seats, by the exchange's second payment (``ORDER-X``); an exchange to cheaper seats gave
part of the first payment back already. A refund takes the money back from the first payment
first, then from the second, each with its own refund id so a retry is one refund at the provider.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.domain.orders import REASON_TEXT, Reason
from seatcore.domain.refunds import RefundQuote, points_back, quote_refund, quote_snacks_refund
from seatcore.domain.snacks import refund_split
from seatcore.errors import NotFound
from seatcore.orders.ids import exchange_payment_id, refund_id
from seatcore.orders.records import Order, now_utc
from seatcore.payments import PaymentProvider, RefundResult
from seatcore.store import exchanges, loyalty, quotas, refund_policies, snacks
from seatcore.store._time import utcnow


@dataclass(frozen=True, slots=True)
class RefundPart:
    """One provider refund: of ``amount_fen`` out of the payment ``trade_id`` that took ``total_fen``."""

    trade_id: str
    refund_id: str
    amount_fen: int
    total_fen: int


async def paid_in_all(db: AsyncEngine, order: Order) -> int:
    """The money the order holds now: its payment, plus an exchange's second payment, less an
    exchange's refunded difference."""
    first = order.payment.amount_fen if order.payment is not None else order.amount_fen
    second, returned = await exchanges.money(db, order.id)
    return first + second - returned


async def exchange_under_way(db: AsyncEngine, order_id: str) -> bool:
    """An exchange of the order has started and not finished (the moviegoer's refund waits)."""
    ex = await exchanges.get(db, order_id)
    return ex is not None and ex.state in exchanges.UNFINISHED


@dataclass(frozen=True, slots=True)
class Quoted:
    """A refund quote with the member's free refunds left this month (in the cinema's calendar)."""

    quote: RefundQuote
    month: str
    free_refunds_left: int


async def quote(db: AsyncEngine, order: Order, refund_until_before_min: int) -> Quoted:
    """The refund quote for a landed order under its cinema's policy, as of now. A member's free
    refund of the month waives a fee, not the deadline; none is spent on a refund without a fee.
    The fee tiers apply to the tickets' part; snacks come back in full unless they were picked
    up, and then they are kept (seatcore.domain.snacks). An order of snacks alone comes back
    whole until it is picked up, and is refused after (``snacks_picked_up``)."""
    if order.showtime_id is None:
        return await _snacks_quote(db, order)
    facts = (await refund_policies.show_facts(db, [order.showtime_id])).get(order.showtime_id)
    if facts is None:
        raise NotFound("the order's showtime is gone", order_id=order.id)
    month = quotas.month_of(now_utc(), facts.timezone)
    left = (await quotas.left(db, order.user_id, month))["refund"]
    policy, _ = await refund_policies.policy_for(db, facts.cinema_id, refund_until_before_min)
    paid = await paid_in_all(db, order)
    split = refund_split(paid, order.breakdown.snacks_fen, order.picked_up_at is not None)
    quoted = quote_refund(
        policy,
        paid_fen=split.tickets_paid_fen,
        starts_at=facts.starts_at,
        now=now_utc(),
        premiere=facts.premiere,
    )
    if quoted.refusal is None and quoted.fee_fen and left > 0:
        quoted = replace(quoted, fee_percent=0, fee_fen=0, refund_fen=quoted.paid_fen, free=True)
    if quoted.refusal is not None:
        return Quoted(replace(quoted, paid_fen=paid, fee_fen=paid), month, left)
    quoted = replace(
        quoted,
        paid_fen=paid,
        fee_fen=quoted.fee_fen + split.snacks_kept_fen,
        refund_fen=quoted.refund_fen + split.snacks_back_fen,
    )
    return Quoted(await _with_loyalty(db, order, quoted), month, left)


async def _snacks_quote(db: AsyncEngine, order: Order) -> Quoted:
    """No fee and no member's free refund spent: the month and what is left are only shown."""
    timezone = await snacks.cinema_timezone(db, order.cinema_id or 0) or "UTC"
    month = quotas.month_of(now_utc(), timezone)
    left = (await quotas.left(db, order.user_id, month))["refund"]
    quoted = quote_snacks_refund(
        paid_fen=await paid_in_all(db, order), picked_up=order.picked_up_at is not None
    )
    if quoted.refusal is not None:
        return Quoted(quoted, month, left)
    return Quoted(await _with_loyalty(db, order, quoted), month, left)


async def _with_loyalty(db: AsyncEngine, order: Order, quoted: RefundQuote) -> RefundQuote:
    """The quote with the points and the coupon the refund gives back."""
    async with db.connect() as conn:
        taken = await loyalty.taken_by(conn, order.id, utcnow())
    if taken is None:
        return quoted
    return replace(
        quoted,
        points_back=points_back(taken.points, quoted.paid_fen, quoted.fee_fen),
        coupon_back=taken.coupon_returns,
    )


async def parts(db: AsyncEngine, order: Order, amount_fen: int) -> list[RefundPart]:
    """Split a refund of ``amount_fen`` over the order's payments: first the order's own (less
    what an exchange gave back of it), then the exchange's second payment."""
    first = order.payment.amount_fen if order.payment is not None else order.amount_fen
    second, returned = await exchanges.money(db, order.id)
    from_first = min(amount_fen, first - returned)
    found = []
    if from_first > 0:
        found.append(RefundPart(order.id, refund_id(order.id), from_first, first))
    if amount_fen - from_first > 0:
        pay_id = exchange_payment_id(order.id)
        found.append(RefundPart(pay_id, refund_id(pay_id), amount_fen - from_first, second))
    return found


async def refund_at_provider(provider: PaymentProvider, db: AsyncEngine, order: Order) -> RefundResult:
    """A landed order's refund at the provider: the recorded amount (the fee kept), split over the
    order's payments. Nothing to send when the fee kept everything; the answer is the least
    settled of the parts' answers (failed, then processing, then succeeded)."""
    amount = order.refund.amount_fen if order.refund else order.amount_fen
    reason = REASON_TEXT[order.refund.reason if order.refund else Reason.REQUESTED]
    answers = [
        await provider.refund(
            order_id=part.trade_id,
            refund_id=part.refund_id,
            amount_fen=part.amount_fen,
            total_fen=part.total_fen,
            reason=reason,
        )
        for part in await parts(db, order, amount)
    ]
    if not answers:
        return RefundResult(refund_id(order.id), "", "succeeded")
    for status in ("failed", "processing"):
        if any(answer.status == status for answer in answers):
            return RefundResult(answers[0].refund_id, answers[0].provider_refund_id, status)
    return answers[0]
