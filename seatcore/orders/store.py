"""Orders in MySQL: landing batches from the stream, reading them back, and refunds of landed orders.

An order lands once, whole: its ``orders`` row, its ``payments`` row, its ``tickets`` and (for an
order refunded before it was ever ticketed) its ``refunds`` row, in one transaction. Landing is
idempotent by order id: ids already present are skipped, so a message delivered twice lands once.
Tickets of an order that never held its seats (a late payment) are kept with ``live`` NULL, so the
order still shows which seats it was for, and the unique key on live tickets is not touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import cinemas, halls, movies, orders, payments, refunds, showtimes, tickets
from seatcore.domain.orders import OrderStatus, Reason
from seatcore.domain.pricing import Breakdown
from seatcore.domain.snacks import SnackLine
from seatcore.errors import Conflict
from seatcore.orders.ids import refund_id
from seatcore.orders.records import Order, Payment, Refund, RefundState, Ticket
from seatcore.store import loyalty, quotas, snacks
from seatcore.store._time import to_db, utcnow
from seatcore.store.snacks import Pickup


@dataclass
class Landing:
    """What became of a batch: in MySQL now (or already), refused by the live-ticket key, or unreadable."""

    landed: list[Order] = field(default_factory=list)
    conflicts: list[Order] = field(default_factory=list)
    failed: list[tuple[Order, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ShowtimeInfo:
    id: int
    cinema_id: int
    movie_title: str
    cinema_name: str
    hall_name: str
    starts_at: datetime  # aware UTC
    timezone: str
    refund_until_before_min: int | None


@dataclass(frozen=True, slots=True)
class CinemaInfo:
    """Where an order of snacks alone was bought."""

    id: int
    name: str
    timezone: str


def landed_status(order: Order) -> OrderStatus:
    """The status an order takes in MySQL: a paid order lands as ticketed."""
    return OrderStatus.TICKETED if order.status is OrderStatus.PAID else order.status


# ------------------------------------------------------------------------------------------ landing


async def land(db: AsyncEngine, batch: Sequence[Order]) -> Landing:
    """Write a batch with one multi-row INSERT per table in one transaction.

    When the batch breaks a unique key (a seat already live in MySQL, or another writer landed
    one of these orders a moment earlier), each order is retried on its own to tell which.
    """
    unique = list({order.id: order for order in batch}.values())
    if not unique:
        return Landing()
    try:
        async with db.begin() as conn:
            present = await _present(conn, [order.id for order in unique])
            await _insert(conn, [order for order in unique if order.id not in present])
        return Landing(landed=unique)
    except IntegrityError:
        pass
    landing = Landing()
    for order in unique:
        try:
            async with db.begin() as conn:
                if not await _present(conn, [order.id]):
                    await _insert(conn, [order])
            landing.landed.append(order)
        except IntegrityError as exc:
            if await _exists(db, order.id):
                landing.landed.append(order)
            elif await taken_seats(db, order):
                landing.conflicts.append(order)
            else:
                landing.failed.append((order, str(exc.orig)))
    return landing


async def land_one_by_one(db: AsyncEngine, order: Order) -> None:
    """The naive design the benchmark compares with: one order, one transaction, row by row."""
    async with db.begin() as conn:
        if await _present(conn, [order.id]):
            return
        await conn.execute(insert(orders).values(_order_row(order)))
        if order.payment is not None:
            await conn.execute(insert(payments).values(_payment_row(order, order.payment)))
        for ticket in order.tickets:
            await conn.execute(insert(tickets).values(_ticket_row(order, ticket)))


async def _present(conn: AsyncConnection, ids: list[str]) -> set[str]:
    rows = await conn.execute(select(orders.c.id).where(orders.c.id.in_(ids)))
    return {row.id for row in rows}


async def _exists(db: AsyncEngine, order_id: str) -> bool:
    async with db.connect() as conn:
        return bool(await _present(conn, [order_id]))


async def taken_seats(db: AsyncEngine, order: Order) -> list[str]:
    """Seats of ``order`` that already have a live ticket of another order."""
    query = select(tickets.c.seat_id).where(
        tickets.c.showtime_id == order.showtime_id,
        tickets.c.seat_id.in_(list(order.seats)),
        tickets.c.live.is_(True),
        tickets.c.order_id != order.id,
    )
    async with db.connect() as conn:
        return [row.seat_id for row in await conn.execute(query)]


async def _insert(conn: AsyncConnection, batch: list[Order]) -> None:
    """One INSERT per table for the whole batch. Executed as executemany, so SQLAlchemy compiles
    the statement once (cached) and the MySQL driver sends the rows as one multi-row INSERT."""
    if not batch:
        return
    await conn.execute(insert(orders), [_order_row(order) for order in batch])
    payment_rows = [_payment_row(o, o.payment) for o in batch if o.payment is not None]
    if payment_rows:
        await conn.execute(insert(payments), payment_rows)
    ticket_rows = [_ticket_row(o, t) for o in batch for t in o.tickets]
    if ticket_rows:
        await conn.execute(insert(tickets), ticket_rows)
    refund_rows = [_refund_row(o, o.refund) for o in batch if o.refund is not None]
    if refund_rows:
        await conn.execute(insert(refunds), refund_rows)
    await snacks.insert_for_orders(
        conn,
        [
            (o.id, o.cinema_id, o.pickup_code, [line.to_list() for line in o.snacks])
            for o in batch
            if o.snacks and o.cinema_id is not None and o.pickup_code is not None
        ],
    )


def _order_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "user_id": order.user_id,
        "showtime_id": order.showtime_id,
        "hold_id": order.hold_id,
        "status": landed_status(order).value,
        "amount_fen": order.amount_fen,
        "seat_count": len(order.seats),
        "created_at": to_db(order.created_at),
        "paid_at": to_db(order.payment.paid_at) if order.payment else None,
        "updated_at": utcnow(),
        "price": orjson.dumps(order.price.to_dict()).decode() if order.price else None,
    }


def _payment_row(order: Order, payment: Payment) -> dict[str, Any]:
    now = utcnow()
    return {
        "order_id": order.id,
        "provider": payment.provider,
        "provider_txn_id": payment.transaction_id,
        "amount_fen": payment.amount_fen,
        "status": "succeeded",
        "created_at": to_db(payment.paid_at),
        "updated_at": now,
    }


def _ticket_row(order: Order, ticket: Ticket) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "showtime_id": order.showtime_id,
        "seat_id": ticket.seat_id,
        "price_fen": ticket.price_fen,
        "code": ticket.code,
        "live": True if ticket.live and landed_status(order) is OrderStatus.TICKETED else None,
        "created_at": utcnow(),
    }


def _refund_row(order: Order, refund: Refund) -> dict[str, Any]:
    now = utcnow()
    return {
        "order_id": order.id,
        "amount_fen": refund.amount_fen,
        "status": refund.status,
        "reason": refund.reason.value,
        "provider_refund_id": refund.provider_refund_id or None,
        "created_by": refund.created_by,
        "created_at": now,
        "updated_at": now,
    }


# ------------------------------------------------------------------------------------------ reading


async def get(db: AsyncEngine, order_id: str) -> Order | None:
    async with db.connect() as conn:
        rows = (await conn.execute(select(orders).where(orders.c.id == order_id))).all()
        found = await _assemble(conn, rows)
    return found[0] if found else None


async def list_for_user(
    db: AsyncEngine, user_id: int, *, before: tuple[datetime, str] | None, limit: int
) -> list[Order]:
    """A moviegoer's landed orders, newest first, strictly after the ``before`` (created_at, id) key."""
    query = select(orders).where(orders.c.user_id == user_id)
    if before is not None:
        created, order_id = to_db(before[0]), before[1]
        query = query.where(
            or_(orders.c.created_at < created, and_(orders.c.created_at == created, orders.c.id < order_id))
        )
    query = query.order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit)
    async with db.connect() as conn:
        return await _assemble(conn, (await conn.execute(query)).all())


async def ids_in_status(db: AsyncEngine, status: OrderStatus, *, limit: int = 1000) -> list[str]:
    query = select(orders.c.id).where(orders.c.status == status.value).order_by(orders.c.updated_at)
    async with db.connect() as conn:
        return [row.id for row in await conn.execute(query.limit(limit))]


async def ids_refunded_since(db: AsyncEngine, since: datetime, *, limit: int = 1000) -> list[str]:
    """Orders refunded (or last changed while refunded) at or after ``since``, oldest first."""
    query = (
        select(orders.c.id)
        .where(orders.c.status == OrderStatus.REFUNDED.value, orders.c.updated_at >= to_db(since))
        .order_by(orders.c.updated_at)
        .limit(limit)
    )
    async with db.connect() as conn:
        return [row.id for row in await conn.execute(query)]


async def ticket_owner(db: AsyncEngine, code: str) -> tuple[int, str, bool] | None:
    """(user id, seat, live) of a ticket code."""
    query = (
        select(orders.c.user_id, tickets.c.seat_id, tickets.c.live)
        .join(orders, orders.c.id == tickets.c.order_id)
        .where(tickets.c.code == code)
    )
    async with db.connect() as conn:
        row = (await conn.execute(query)).first()
    return None if row is None else (int(row.user_id), str(row.seat_id), bool(row.live))


async def showtime_info(db: AsyncEngine, ids: Iterable[int]) -> dict[int, ShowtimeInfo]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = (
        select(
            showtimes.c.id,
            showtimes.c.cinema_id,
            showtimes.c.starts_at,
            movies.c.title,
            cinemas.c.name.label("cinema_name"),
            cinemas.c.timezone,
            cinemas.c.refund_until_before_min,
            halls.c.name.label("hall_name"),
        )
        .join(movies, movies.c.id == showtimes.c.movie_id)
        .join(cinemas, cinemas.c.id == showtimes.c.cinema_id)
        .join(halls, halls.c.id == showtimes.c.hall_id)
        .where(showtimes.c.id.in_(wanted))
    )
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {
        row.id: ShowtimeInfo(
            id=row.id,
            cinema_id=row.cinema_id,
            movie_title=row.title,
            cinema_name=row.cinema_name,
            hall_name=row.hall_name,
            starts_at=row.starts_at.replace(tzinfo=UTC),
            timezone=row.timezone,
            refund_until_before_min=row.refund_until_before_min,
        )
        for row in rows
    }


async def cinema_info(db: AsyncEngine, ids: Iterable[int]) -> dict[int, CinemaInfo]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(cinemas.c.id, cinemas.c.name, cinemas.c.timezone).where(cinemas.c.id.in_(wanted))
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {row.id: CinemaInfo(row.id, row.name, row.timezone) for row in rows}


async def _assemble(conn: AsyncConnection, order_rows: Sequence[Any]) -> list[Order]:
    if not order_rows:
        return []
    ids = [row.id for row in order_rows]
    ticket_rows = (
        await conn.execute(select(tickets).where(tickets.c.order_id.in_(ids)).order_by(tickets.c.id))
    ).all()
    payment_rows = (await conn.execute(select(payments).where(payments.c.order_id.in_(ids)))).all()
    refund_rows = (
        await conn.execute(select(refunds).where(refunds.c.order_id.in_(ids)).order_by(refunds.c.id))
    ).all()
    by_order: dict[str, list[Any]] = {order_id: [] for order_id in ids}
    for ticket_row in ticket_rows:
        by_order[ticket_row.order_id].append(ticket_row)
    paid = {row.order_id: row for row in payment_rows}
    refunded = {row.order_id: row for row in refund_rows}  # the latest refund of each order
    snack_lines, pickups = await snacks.for_orders(conn, ids)
    return [
        _with_snacks(
            _order_from_rows(row, by_order[row.id], paid.get(row.id), refunded.get(row.id)),
            snack_lines.get(row.id, []),
            pickups.get(row.id),
        )
        for row in order_rows
    ]


def _with_snacks(order: Order, lines: list[list[Any]], pickup: Pickup | None) -> Order:
    if pickup is None:
        return order
    return replace(
        order,
        snacks=tuple(SnackLine.from_list(line) for line in lines),
        cinema_id=pickup.cinema_id,
        pickup_code=pickup.code,
        picked_up_at=pickup.picked_up_at,
    )


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def _order_from_rows(row: Any, ticket_rows: list[Any], payment_row: Any, refund_row: Any) -> Order:
    created_at = row.created_at.replace(tzinfo=UTC)
    refund = None
    if refund_row is not None:
        refund = Refund(
            refund_id=refund_id(row.id),
            status=refund_row.status,
            amount_fen=refund_row.amount_fen,
            reason=Reason(refund_row.reason),
            created_by=refund_row.created_by,
            provider_refund_id=refund_row.provider_refund_id or "",
        )
    payment = None
    if payment_row is not None:
        payment = Payment(
            provider=payment_row.provider,
            transaction_id=payment_row.provider_txn_id or "",
            amount_fen=payment_row.amount_fen,
            paid_at=_aware(row.paid_at) or created_at,
        )
    return Order(
        id=row.id,
        user_id=row.user_id,
        showtime_id=row.showtime_id,
        hold_id=row.hold_id,
        status=OrderStatus(row.status),
        # After an exchange the order keeps its old tickets (not live) beside the new ones; its
        # seats are those on the showtime it has now.
        seats={t.seat_id: t.price_fen for t in ticket_rows if t.showtime_id == row.showtime_id},
        created_at=created_at,
        updated_at=row.updated_at.replace(tzinfo=UTC),
        reason=refund.reason if refund else None,
        payment=payment,
        tickets=tuple(Ticket(t.code, t.seat_id, t.price_fen, bool(t.live)) for t in ticket_rows),
        refund=refund,
        price=Breakdown.from_dict(orjson.loads(row.price)) if row.price else None,
    )


# ------------------------------------------------------------------------------------------ refunds


@dataclass(frozen=True, slots=True)
class RefundTerms:
    """What the moviegoer's quote promised beyond the money: the spent points that come back, and
    the member's free refund of ``free_month`` (YYYY-MM) that waived the fee (None: no waiver)."""

    points_back: int
    free_month: str | None = None


async def begin_refund(
    db: AsyncEngine,
    order: Order,
    reason: Reason,
    created_by: str,
    *,
    amount_fen: int | None = None,
    terms: RefundTerms | None = None,
) -> bool:
    """Move a ticketed order to refund_requested and record the refund of ``amount_fen`` (the
    order's amount unless a fee keeps part of it) on the quote's ``terms`` (None: everything
    back); False if it was not ticketed. A free refund in the terms is taken in the same
    transaction; when another refund took the last one a moment ago, Conflict
    ``free_refund_used`` and nothing changes (quote again)."""
    now = utcnow()
    async with db.begin() as conn:
        moved = await conn.execute(
            update(orders)
            .where(orders.c.id == order.id, orders.c.status == OrderStatus.TICKETED.value)
            .values(status=OrderStatus.REFUND_REQUESTED.value, updated_at=now)
        )
        if moved.rowcount != 1:
            return False
        month = terms.free_month if terms is not None else None
        if month is not None and not await quotas.take(conn, order.user_id, "refund", month, order.id):
            raise Conflict(
                "your last free refund of the month was just used; ask for a new quote",
                code="free_refund_used",
            )
        await conn.execute(
            insert(refunds).values(
                order_id=order.id,
                amount_fen=order.amount_fen if amount_fen is None else amount_fen,
                status="pending",
                reason=reason.value,
                created_by=created_by,
                created_at=now,
                updated_at=now,
                points_back=terms.points_back if terms is not None else None,
            )
        )
    return True


async def finish_refund(db: AsyncEngine, order_id: str, status: RefundState, provider_refund_id: str) -> None:
    """The provider took the refund: the order is refunded and its tickets are no longer live."""
    now = utcnow()
    async with db.begin() as conn:
        await conn.execute(
            update(refunds)
            .where(refunds.c.order_id == order_id, refunds.c.status.in_(("pending", "failed")))
            .values(status=status, provider_refund_id=provider_refund_id, updated_at=now)
        )
        moved = await conn.execute(
            update(orders)
            .where(orders.c.id == order_id, orders.c.status == OrderStatus.REFUND_REQUESTED.value)
            .values(status=OrderStatus.REFUNDED.value, updated_at=now)
        )
        await conn.execute(update(tickets).where(tickets.c.order_id == order_id).values(live=None))
        if moved.rowcount == 1:  # once: points, coupon and spend follow the refund (docs/loyalty.md)
            await loyalty.on_refunded(conn, order_id)


async def fail_refund(db: AsyncEngine, order_id: str) -> None:
    """The provider refused or failed the refund: the order stays refund_requested, tickets live."""
    async with db.begin() as conn:
        await conn.execute(
            update(refunds)
            .where(refunds.c.order_id == order_id, refunds.c.status == "pending")
            .values(status="failed", updated_at=utcnow())
        )


async def set_refund_status(
    db: AsyncEngine, order_id: str, status: RefundState, provider_refund_id: str
) -> bool:
    """Record the provider's later word on a landed order's refund; False when there is none."""
    async with db.begin() as conn:
        changed = await conn.execute(
            update(refunds)
            .where(refunds.c.order_id == order_id)
            .values(status=status, provider_refund_id=provider_refund_id, updated_at=utcnow())
        )
    return bool(changed.rowcount)
