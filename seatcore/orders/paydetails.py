"""What a prepay needs besides the order: the payer's openid and the film's title.

Both live in MySQL, and paying must go on through a MySQL outage (docs/orders.md), so they are
read through Redis: the openid is kept there at sign-in, both whenever MySQL is read (at the
latest when an order is made), and read from there first. A payer Redis does not know, while
MySQL is away, waits for MySQL (503).
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore import keys
from seatcore.errors import NotFound, UpstreamUnavailable
from seatcore.orders import store
from seatcore.store import users

log = logging.getLogger(__name__)

OPENID_KEEP_S = 30 * 24 * 3600  # openids never change; a month covers any outage
TITLE_KEEP_S = 2 * 24 * 3600  # a title is needed until the showtime's orders are paid
DEFAULT_TITLE = "Cinema tickets"
SNACKS_TITLE = "Cinema snacks"  # an order of snacks alone (its lines follow in the description)
MYSQL_DOWN = (DBAPIError, OSError)


async def remember(redis: aioredis.Redis, db: AsyncEngine, user_id: int, showtime_id: int | None) -> None:
    """Keep the payer's openid and the showtime's title in Redis, if they are not there yet. With
    MySQL away this does nothing: the order is made all the same."""
    try:
        await _openid(redis, db, user_id)
        await _title(redis, db, showtime_id)
    except MYSQL_DOWN:
        log.warning("payment details of user %s are not in Redis and MySQL is not answering", user_id)


async def recall(
    redis: aioredis.Redis, db: AsyncEngine, user_id: int, showtime_id: int | None
) -> tuple[str, str]:
    """The payer's openid and the film's title (snacks alone: SNACKS_TITLE). NotFound for an
    account that no longer exists; UpstreamUnavailable when Redis does not know the payer and
    MySQL is not answering."""
    try:
        openid = await _openid(redis, db, user_id)
    except MYSQL_DOWN:
        raise UpstreamUnavailable(
            "payments are briefly unavailable; try again in a minute", retry_after_s=30
        ) from None
    if openid is None:
        raise NotFound("this account no longer exists")
    try:
        title = await _title(redis, db, showtime_id)
    except MYSQL_DOWN:
        title = DEFAULT_TITLE  # only the payment's description: not worth refusing the payment
    return openid, title


async def keep_openid(redis: aioredis.Redis, user_id: int, openid: str) -> None:
    """The moviegoer signed in: keep the openid for payments (a month from the last sign-in)."""
    await redis.set(keys.payer_openid(user_id), openid, ex=OPENID_KEEP_S)


async def _openid(redis: aioredis.Redis, db: AsyncEngine, user_id: int) -> str | None:
    cached = await redis.get(keys.payer_openid(user_id))
    if cached is not None:
        return str(cached)
    user = await users.get_user(db, user_id)
    if user is None:
        return None
    await keep_openid(redis, user_id, user.openid)
    return user.openid


async def _title(redis: aioredis.Redis, db: AsyncEngine, showtime_id: int | None) -> str:
    if showtime_id is None:
        return SNACKS_TITLE
    key = keys.showtime_title(showtime_id)
    cached = await redis.get(key)
    if cached is not None:
        return str(cached)
    shows = await store.showtime_info(db, [showtime_id])
    title = shows[showtime_id].movie_title if showtime_id in shows else DEFAULT_TITLE
    await redis.set(key, title, ex=TITLE_KEEP_S)
    return title
