"""Exchange and refund-fee fixtures: the order tests' shops (sandbox and WeChat Pay fake), a second
showtime beside a first, a ticketed order in one call, and a cinema's policy set in one call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import showtimes, tickets
from seatcore.domain.layout import parse_layout
from seatcore.domain.refunds import policy_from_dict
from seatcore.store import refund_policies
from seatcore.store._time import to_db, utcnow
from seatcore.store.audit import Actor
from tests.factories import ShowFixture
from tests.orders.conftest import (  # noqa: F401  (fixtures used by this package's tests)
    Auth,
    LiveShop,
    Shop,
    live_shop,
    runtime_of,
    settings,
    shop,
    wechatpay_keys,
)

ADMIN = Actor(0, "tests")


async def another_showtime(
    db: AsyncEngine,
    base: ShowFixture,
    *,
    starts_in: timedelta = timedelta(days=2),
    price_fen: int = 4500,
    movie_id: int | None = None,
) -> int:
    """A showtime in the same hall as ``base`` (same movie unless told), at one price per zone."""
    starts_at = datetime.now(UTC) + starts_in
    zones = parse_layout(base.layout).zones
    async with db.begin() as conn:
        row = await conn.execute(
            insert(showtimes).values(
                hall_id=base.hall_id,
                cinema_id=base.cinema_id,
                movie_id=base.movie_id if movie_id is None else movie_id,
                starts_at=to_db(starts_at),
                ends_at=to_db(starts_at + timedelta(minutes=120)),
                language="Mandarin",
                format="2D",
                prices=orjson.dumps({zone: price_fen for zone in zones}).decode(),
                created_at=utcnow(),
            )
        )
    return int(row.lastrowid)


async def ticketed(
    shop: Shop,  # noqa: F811
    auth: Auth,
    showtime_id: int,
    seats: list[str],
) -> dict[str, Any]:
    """A ticketed order for ``seats`` (paid through whichever provider the shop has)."""
    order = await shop.order(auth, (await shop.hold(auth, showtime_id, seats))["id"])
    await shop.pay(auth, order["id"])
    if isinstance(shop, LiveShop):
        assert (await shop.fake.notify_payment(order["id"])).status_code == 204
    return await shop.wait_status(auth, order["id"], "ticketed")


async def set_policy(db: AsyncEngine, cinema_id: int, **document: Any) -> None:
    await refund_policies.set_policy(db, ADMIN, cinema_id, policy_from_dict(document))


async def live_tickets(db: AsyncEngine, order_id: str) -> list[tuple[int, str]]:
    """The order's live tickets as (showtime, seat)."""
    query = select(tickets.c.showtime_id, tickets.c.seat_id).where(
        tickets.c.order_id == order_id, tickets.c.live.is_(True)
    )
    async with db.connect() as conn:
        return sorted((int(row.showtime_id), str(row.seat_id)) for row in await conn.execute(query))
