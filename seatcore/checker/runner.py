"""Read both stores, check every invariant, and on a live system look again while violations remain."""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.checker.door_side import admitted_once, read_door
from seatcore.checker.invariants import Result, check_all
from seatcore.checker.loyalty_side import check_loyalty
from seatcore.checker.mysql_side import read_mysql
from seatcore.checker.redis_side import read_redis
from seatcore.checker.report import Report
from seatcore.checker.snack_side import check_snacks
from seatcore.checker.waitingroom_side import rooms_within_caps

RETRY_EVERY_S = 1.0


async def check_once(redis: aioredis.Redis, db: AsyncEngine, *, max_life_ms: int) -> tuple[list[Result], str]:
    """One pass; also answers a line saying what was looked at."""
    redis_state = await read_redis(redis)
    mysql_state = await read_mysql(db, redis_state.showtimes)
    in_flight = sum(1 for order in redis_state.in_flight.values() if order.payment is not None)
    seen = (
        f"seen: {len(redis_state.showtimes)} showtimes in Redis, {len(redis_state.in_flight)} orders in "
        f"Redis ({in_flight} paid), {len(mysql_state.paid)} paid orders in MySQL"
    )
    door = admitted_once(await read_door(db))  # invariant 12: MySQL alone
    loyalty = await check_loyalty(db, max_life_ms=max_life_ms)
    rooms = await rooms_within_caps(redis)
    snacks = await check_snacks(redis, db)  # invariant 13
    results = [*check_all(redis_state, mysql_state, max_life_ms=max_life_ms), door, *loyalty, rooms, snacks]
    return results, seen


async def check_deployment(
    redis: aioredis.Redis, db: AsyncEngine, *, max_life_ms: int, settle_s: float = 0.0
) -> Report:
    """Check every invariant; while some are violated, check again for up to ``settle_s`` seconds
    (orders on their way to MySQL, a refund between its two stores). The last pass is the answer."""
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        results, seen = await check_once(redis, db, max_life_ms=max_life_ms)
        waited = time.monotonic() - started
        if all(result.ok for result in results) or waited + RETRY_EVERY_S > settle_s:
            return Report(results, attempts=attempts, waited_s=waited, notes=[seen])
        await asyncio.sleep(RETRY_EVERY_S)
