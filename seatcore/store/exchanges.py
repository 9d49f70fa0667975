"""Exchanges (改签) in MySQL: the durable record of each one's progress, and the swap of live tickets.

The row is written before any seat moves (``claim``; its primary key, the order id, lets an order
be exchanged once), then moved on one state at a time by a conditional UPDATE, so that whoever
finishes a half-done exchange (the moviegoer's retry, the recovery pass) moves it once::

    paying -> paid -> bought -> swapped -> done        (a free or cheaper exchange starts at paid)
       \\-------\\-------\\-> abandoned   (the new hold or sale was lost, or the order changed)

``swap`` is the one transaction in which the order's live tickets change from the old seats to the
new ones: the old tickets stop being live, the new ones are inserted live, the order row moves to
the new showtime, and the state becomes ``swapped``, all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import exchanges, orders, tickets
from seatcore.domain.orders import OrderStatus
from seatcore.domain.pricing import Breakdown
from seatcore.errors import Conflict
from seatcore.store import quotas
from seatcore.store._time import utcnow

UNFINISHED = ("paying", "paid", "bought", "swapped")


@dataclass(frozen=True, slots=True)
class NewSeat:
    seat_id: str
    price_fen: int
    code: str


@dataclass(frozen=True, slots=True)
class Exchange:
    order_id: str
    user_id: int
    from_showtime_id: int
    to_showtime_id: int
    hold_id: str
    new_seats: tuple[NewSeat, ...]
    old_amount_fen: int
    new_amount_fen: int
    fee_fen: int
    pay_fen: int
    refund_fen: int
    pay_txn_id: str | None
    state: str

    @property
    def seats(self) -> list[str]:
        return [seat.seat_id for seat in self.new_seats]


def _row(ex: Exchange) -> dict[str, Any]:
    now = utcnow()
    return {
        "order_id": ex.order_id,
        "user_id": ex.user_id,
        "from_showtime_id": ex.from_showtime_id,
        "to_showtime_id": ex.to_showtime_id,
        "hold_id": ex.hold_id,
        "new_seats": orjson.dumps([[s.seat_id, s.price_fen, s.code] for s in ex.new_seats]).decode(),
        "old_amount_fen": ex.old_amount_fen,
        "new_amount_fen": ex.new_amount_fen,
        "fee_fen": ex.fee_fen,
        "pay_fen": ex.pay_fen,
        "refund_fen": ex.refund_fen,
        "pay_txn_id": ex.pay_txn_id,
        "state": ex.state,
        "created_at": now,
        "updated_at": now,
    }


def _from_row(row: Any) -> Exchange:
    return Exchange(
        order_id=row.order_id,
        user_id=row.user_id,
        from_showtime_id=row.from_showtime_id,
        to_showtime_id=row.to_showtime_id,
        hold_id=row.hold_id,
        new_seats=tuple(NewSeat(seat, int(price), code) for seat, price, code in orjson.loads(row.new_seats)),
        old_amount_fen=row.old_amount_fen,
        new_amount_fen=row.new_amount_fen,
        fee_fen=row.fee_fen,
        pay_fen=row.pay_fen,
        refund_fen=row.refund_fen,
        pay_txn_id=row.pay_txn_id,
        state=row.state,
    )


async def claim(db: AsyncEngine, ex: Exchange, *, free_month: str | None = None) -> bool:
    """Record a new exchange; False when the order already has one (the once-per-order guard).

    ``free_month``: the exchange was priced without its fee, on the member's free exchange of that
    month, taken in the same transaction; when another exchange took the last one a moment ago,
    Conflict ``free_exchange_used`` and nothing is recorded (the moviegoer asks again)."""
    try:
        async with db.begin() as conn:
            await conn.execute(insert(exchanges).values(_row(ex)))
            if free_month is not None and not await quotas.take(
                conn, ex.user_id, "exchange", free_month, ex.order_id
            ):
                raise Conflict(
                    "your last free exchange of the month was just used; exchange again to see the fee",
                    code="free_exchange_used",
                )
    except IntegrityError:
        return False
    return True


async def get(db: AsyncEngine, order_id: str) -> Exchange | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(exchanges).where(exchanges.c.order_id == order_id))).first()
    return None if row is None else _from_row(row)


async def unfinished(db: AsyncEngine, *, limit: int = 1000) -> list[Exchange]:
    query = select(exchanges).where(exchanges.c.state.in_(UNFINISHED)).order_by(exchanges.c.updated_at)
    async with db.connect() as conn:
        return [_from_row(row) for row in await conn.execute(query.limit(limit))]


async def advance(db: AsyncEngine, order_id: str, from_state: str, to_state: str, **values: Any) -> bool:
    """Move the exchange on one state; False when it was not in ``from_state`` any more."""
    async with db.begin() as conn:
        moved = await conn.execute(
            update(exchanges)
            .where(exchanges.c.order_id == order_id, exchanges.c.state == from_state)
            .values(state=to_state, updated_at=utcnow(), **values)
        )
    return moved.rowcount == 1


class _OrderChanged(Exception):
    """Rolls the swap back: the order is no longer ticketed on its old showtime."""


async def swap(db: AsyncEngine, ex: Exchange) -> str:
    """Make the new tickets the order's live ones in one transaction. Answers ``swapped``;
    ``already`` when another caller swapped first; ``order_changed`` when the order is no longer
    ticketed on its old showtime (refunded by staff meanwhile, say): nothing changes then."""
    now = utcnow()
    try:
        async with db.begin() as conn:
            moved = await conn.execute(
                update(exchanges)
                .where(exchanges.c.order_id == ex.order_id, exchanges.c.state == "bought")
                .values(state="swapped", updated_at=now)
            )
            if moved.rowcount != 1:
                return "already"
            held = (
                await conn.execute(
                    select(orders.c.price, orders.c.amount_fen).where(orders.c.id == ex.order_id)
                )
            ).one()
            after_fen = held.amount_fen + ex.pay_fen - ex.refund_fen  # the snacks' part stays
            order_moved = await conn.execute(
                update(orders)
                .where(
                    orders.c.id == ex.order_id,
                    orders.c.status == OrderStatus.TICKETED.value,
                    orders.c.showtime_id == ex.from_showtime_id,
                )
                .values(
                    showtime_id=ex.to_showtime_id,
                    amount_fen=after_fen,
                    price=_moved_price(held.price, after_fen),
                    updated_at=now,
                )
            )
            if order_moved.rowcount != 1:
                raise _OrderChanged
            await conn.execute(
                update(tickets)
                .where(tickets.c.order_id == ex.order_id, tickets.c.showtime_id == ex.from_showtime_id)
                .values(live=None)
            )
            await conn.execute(
                insert(tickets),
                [
                    {
                        "order_id": ex.order_id,
                        "showtime_id": ex.to_showtime_id,
                        "seat_id": seat.seat_id,
                        "price_fen": seat.price_fen,
                        "code": seat.code,
                        "live": True,
                        "created_at": now,
                    }
                    for seat in ex.new_seats
                ],
            )
    except _OrderChanged:
        return "order_changed"
    return "swapped"


async def seats_on(db: AsyncEngine, order_id: str, showtime_id: int) -> list[str]:
    """The seats of the order's tickets on ``showtime_id`` (an exchange's old seats)."""
    query = (
        select(tickets.c.seat_id)
        .where(tickets.c.order_id == order_id, tickets.c.showtime_id == showtime_id)
        .order_by(tickets.c.id)
    )
    async with db.connect() as conn:
        return [row.seat_id for row in await conn.execute(query)]


async def money(db: AsyncEngine, order_id: str) -> tuple[int, int]:
    """(second payment taken, difference refunded) by the order's finished exchange."""
    query = select(exchanges.c.pay_fen, exchanges.c.refund_fen).where(
        exchanges.c.order_id == order_id, exchanges.c.state.in_(("swapped", "done"))
    )
    async with db.connect() as conn:
        row = (await conn.execute(query)).first()
    return (0, 0) if row is None else (int(row.pay_fen), int(row.refund_fen))


async def live_set_problems(db: AsyncEngine, *, limit: int = 100) -> tuple[int, list[str]]:
    """(exchanged orders looked at, those breaking invariant 11): an order not refunded whose live
    tickets are not one whole set on its own showtime, or a live ticket left on the other one."""
    live = tickets.c.live.is_(True)
    here = func.sum(case((and_(live, tickets.c.showtime_id == orders.c.showtime_id), 1), else_=0))
    elsewhere = func.sum(case((and_(live, tickets.c.showtime_id != orders.c.showtime_id), 1), else_=0))
    query = (
        select(
            orders.c.id,
            orders.c.status,
            orders.c.seat_count,
            here.label("here"),
            elsewhere.label("elsewhere"),
        )
        .select_from(
            exchanges.join(orders, orders.c.id == exchanges.c.order_id).join(
                tickets, tickets.c.order_id == orders.c.id
            )
        )
        .group_by(orders.c.id, orders.c.status, orders.c.seat_count)
    )
    problems: list[str] = []
    checked = 0
    async with db.connect() as conn:
        for row in await conn.execute(query):
            checked += 1
            expected = 0 if row.status == OrderStatus.REFUNDED.value else int(row.seat_count)
            if int(row.elsewhere or 0) or int(row.here or 0) != expected:
                problems.append(
                    f"exchanged order {row.id} ({row.status}): {int(row.here or 0)} live tickets on its "
                    f"showtime (expected {expected}), {int(row.elsewhere or 0)} on the other"
                )
            if len(problems) >= limit:
                break
    return checked, problems


def _moved_price(held: str | None, amount_fen: int) -> str | None:
    """The order's price breakdown after an exchange: its discounts as they were, the list price
    moved by the difference, so that what it says was paid is what the order now holds (the price
    of the new seats plus any fee, less a refunded difference)."""
    if held is None:
        return None  # no breakdown: the amount is the tickets' prices (amount_fen above)
    before = Breakdown.from_dict(orjson.loads(held))
    after = replace(before, list_fen=before.list_fen + amount_fen - before.paid_fen)
    return orjson.dumps(after.to_dict()).decode()
