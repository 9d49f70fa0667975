"""What the checker reads from MySQL (or the embedded SQLite): live tickets, successful payments and
exchanged orders' live sets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import orders, payments, refunds, tickets
from seatcore.store import exchanges

PAID_PAYMENT_STATUSES = ("succeeded",)  # what the order writer records for a payment taken
IN_CLAUSE_BATCH = 500


@dataclass(frozen=True, slots=True)
class PaidOrder:
    """A successful payment with what became of its order."""

    order_id: str
    status: str
    seat_count: int
    live_tickets: int
    refund_status: str | None  # the order's latest refund, if any


@dataclass(frozen=True, slots=True)
class MySQLState:
    # (showtime, seat) -> orders with a live ticket for it, for the showtimes asked about
    live: dict[tuple[int, str], list[str]]
    # the same, over every showtime, for seats with more than one live ticket
    duplicates: dict[tuple[int, str], list[str]]
    paid: dict[str, PaidOrder]
    exchanged: int = 0  # exchanged orders looked at
    exchange_problems: tuple[str, ...] = ()  # those without exactly one live set of tickets


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), IN_CLAUSE_BATCH):
        yield ids[start : start + IN_CLAUSE_BATCH]


async def read_mysql(db: AsyncEngine, showtime_ids: Iterable[int]) -> MySQLState:
    live: dict[tuple[int, str], list[str]] = {}
    duplicates: dict[tuple[int, str], list[str]] = {}
    live_ticket = tickets.c.live.is_(True)
    async with db.connect() as conn:
        for batch in _batches(sorted(set(showtime_ids))):
            query = select(tickets.c.showtime_id, tickets.c.seat_id, tickets.c.order_id).where(
                live_ticket, tickets.c.showtime_id.in_(batch)
            )
            for row in await conn.execute(query):
                live.setdefault((int(row.showtime_id), str(row.seat_id)), []).append(str(row.order_id))

        twice = (
            select(tickets.c.showtime_id, tickets.c.seat_id)
            .where(live_ticket)
            .group_by(tickets.c.showtime_id, tickets.c.seat_id)
            .having(func.count() > 1)
        )
        for seat in (await conn.execute(twice)).all():
            owners = select(tickets.c.order_id).where(
                live_ticket, tickets.c.showtime_id == seat.showtime_id, tickets.c.seat_id == seat.seat_id
            )
            duplicates[(int(seat.showtime_id), str(seat.seat_id))] = [
                str(owner.order_id) for owner in await conn.execute(owners)
            ]

        live_count = (
            select(func.count()).where(tickets.c.order_id == orders.c.id, live_ticket).scalar_subquery()
        )
        latest_refund = (
            select(refunds.c.status)
            .where(refunds.c.order_id == orders.c.id)
            .order_by(refunds.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        paid_query = (
            select(
                orders.c.id,
                orders.c.status,
                orders.c.seat_count,
                live_count.label("live_tickets"),
                latest_refund.label("refund_status"),
            )
            .join(payments, payments.c.order_id == orders.c.id)
            .where(payments.c.status.in_(PAID_PAYMENT_STATUSES))
        )
        paid = {
            str(row.id): PaidOrder(
                order_id=str(row.id),
                status=str(row.status),
                seat_count=int(row.seat_count),
                live_tickets=int(row.live_tickets),
                refund_status=None if row.refund_status is None else str(row.refund_status),
            )
            for row in await conn.execute(paid_query)
        }
    exchanged, problems = await exchanges.live_set_problems(db)
    return MySQLState(live, duplicates, paid, exchanged, tuple(problems))
