"""What the order pipeline reads of the seat engine's state directly: which order sold each seat.

The engine keeps a showtime's seats in the hash ``keys.show_key(ID, "seats")`` with a sold seat's
value ``s:ORDER`` (docs/seat-engine.md). Its Python API answers states, not owners, and two readers
here need owners: a payment whose buy answer was lost (are the seats already this order's?) and the
reconciliation (does Redis agree with MySQL's live tickets?). Both only read.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as aioredis

from seatcore import keys

SOLD_PREFIX = "s:"


async def sold_seats(redis: aioredis.Redis, showtime_id: int) -> dict[str, str] | None:
    """Every sold seat of the showtime and its order; None when the showtime is not in Redis."""
    seats_key = keys.show_key(showtime_id, "seats")
    async with redis.pipeline(transaction=True) as pipe:
        pipe.exists(keys.show_epoch(showtime_id))
        pipe.hgetall(seats_key)
        loaded, values = await pipe.execute()
    if not loaded:
        return None
    return {
        str(seat): str(value)[len(SOLD_PREFIX) :]
        for seat, value in values.items()
        if str(value).startswith(SOLD_PREFIX)
    }


async def all_sold_to(redis: aioredis.Redis, showtime_id: int, order_id: str, seats: Sequence[str]) -> bool:
    """True when every one of ``seats`` is sold to ``order_id`` right now."""
    if not seats:
        return False
    values = await redis.hmget(keys.show_key(showtime_id, "seats"), list(seats))
    return all(value == SOLD_PREFIX + order_id for value in values)
