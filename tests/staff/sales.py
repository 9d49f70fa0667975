"""Orders and tickets written straight into MySQL, as the order writer lands them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import orders, payments, tickets
from seatcore.db.schema import users as users_table
from seatcore.orders.ids import new_order_id, new_ticket_code
from seatcore.store import users
from seatcore.store._time import to_db, utcnow

_numbers = itertools.count(1)


async def sell(
    db: AsyncEngine,
    showtime_id: int,
    seats: Sequence[str],
    *,
    price_fen: int = 4500,
    paid_at: datetime | None,
    status: str = "ticketed",
    live: bool = True,
    openid: str = "buyer",
    phone: str | None = None,
    created_at: datetime | None = None,
) -> str:
    """One order for ``seats`` (paid at ``paid_at``, aware; None: unpaid); returns its id."""
    user = await users.get_or_create_user(db, openid, openid.title())
    if phone is not None:
        async with db.begin() as conn:
            await conn.execute(update(users_table).where(users_table.c.id == user.id).values(phone=phone))
    number = next(_numbers)
    order_id = new_order_id(showtime_id)
    placed = to_db(created_at) if created_at else to_db(paid_at) if paid_at else utcnow()
    async with db.begin() as conn:
        await conn.execute(
            insert(orders).values(
                id=order_id,
                user_id=user.id,
                showtime_id=showtime_id,
                hold_id=f"hold-{number}",
                status=status,
                amount_fen=price_fen * len(seats),
                seat_count=len(seats),
                created_at=placed,
                paid_at=to_db(paid_at) if paid_at else None,
                updated_at=utcnow(),
            )
        )
        await conn.execute(
            insert(tickets),
            [
                {
                    "order_id": order_id,
                    "showtime_id": showtime_id,
                    "seat_id": seat,
                    "price_fen": price_fen,
                    "code": new_ticket_code(),
                    "live": True if live else None,
                    "created_at": placed,
                }
                for seat in seats
            ],
        )
        if paid_at is not None:
            await conn.execute(
                insert(payments).values(
                    order_id=order_id,
                    provider="sandbox",
                    provider_txn_id=f"txn-{number}",
                    amount_fen=price_fen * len(seats),
                    status="succeeded",
                    created_at=to_db(paid_at),
                    updated_at=to_db(paid_at),
                )
            )
    return order_id
