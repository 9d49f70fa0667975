"""The implicit feedback the recommendations learn from, in SQL: want-to-see marks (favourites) and
purchases (orders paid, by the showtime's movie). Seat maps viewed come from the event store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import favourites, orders, showtimes
from seatcore.domain.recommend import BOUGHT, WANT, Interaction


async def interactions(db: AsyncEngine, user_id: int | None = None) -> list[Interaction]:
    """Every moviegoer's favourites and purchases (or one moviegoer's)."""
    wants = select(favourites.c.user_id, favourites.c.movie_id)
    bought = (
        select(orders.c.user_id, showtimes.c.movie_id)
        .join(showtimes, showtimes.c.id == orders.c.showtime_id)
        .where(orders.c.paid_at.is_not(None))
        .distinct()
    )
    if user_id is not None:
        wants = wants.where(favourites.c.user_id == user_id)
        bought = bought.where(orders.c.user_id == user_id)
    async with db.connect() as conn:
        found: list[Interaction] = [(int(u), int(m), WANT) for u, m in await conn.execute(wants)]
        found.extend((int(u), int(m), BOUGHT) for u, m in await conn.execute(bought))
    return found
