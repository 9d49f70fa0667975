"""What the checker reads from Redis: each loaded showtime's seats, holds and change log, and the
orders still in flight (not yet written to MySQL).

A showtime's keys are read in one MULTI (they share the ``{show:ID}`` hash tag), so its seats, holds,
sequence number and log agree with each other. The layouts are the engine's (seatcore/engine/lua/
_showtime.lua) and the order pipeline's (seatcore/orders/inflight.py).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from seatcore import keys
from seatcore.orders.records import Order

SOLD = "s:"
HELD = "h:"
SCAN_BATCH = 1000
_EPOCH_KEY = re.compile(r"^sc:\{show:(\d+)\}:epoch$")
_ORDER_KEY = re.compile(r"^sc:\{show:(\d+)\}:order:(.+)$")


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """A hold as the engine keeps it; ``status`` is ``?`` when the record could not be read."""

    id: str
    status: str
    user_id: int
    expires_ms: int
    max_expires_ms: int
    seats: tuple[str, ...]
    raw: str = ""

    @classmethod
    def parse(cls, hold_id: str, text: str) -> HoldRecord:
        parts = text.split("|")
        try:
            status, user, expires, max_expires, seats, _order = parts
            return cls(
                hold_id,
                status,
                int(user),
                int(expires),
                int(max_expires),
                tuple(filter(None, seats.split(","))),
                text,
            )
        except ValueError:
            return cls(hold_id, "?", 0, 0, 0, (), text)


@dataclass(frozen=True, slots=True)
class LogEntry:
    id: str
    seq: str  # the entry's ``seq`` field, as stored


@dataclass(frozen=True, slots=True)
class ShowtimeState:
    """One showtime's seat state at one moment (``now_ms`` is the Redis server's clock)."""

    showtime_id: int
    now_ms: int
    seq: int
    seats: dict[str, str]  # seat -> "h:HOLD" or "s:ORDER"
    holds: dict[str, HoldRecord]
    log: list[LogEntry] = field(default_factory=list)

    def sold(self) -> dict[str, str]:
        """Sold seat -> the order that bought it."""
        return {seat: value[len(SOLD) :] for seat, value in self.seats.items() if value.startswith(SOLD)}

    def held(self) -> dict[str, str]:
        """Seat -> the hold of a live (unexpired) hold that has it."""
        found = {}
        for seat, value in self.seats.items():
            if value.startswith(HELD):
                hold = self.holds.get(value[len(HELD) :])
                if hold is not None and hold.status == "live" and hold.expires_ms > self.now_ms:
                    found[seat] = hold.id
        return found


@dataclass(frozen=True, slots=True)
class RedisState:
    showtimes: dict[int, ShowtimeState]
    in_flight: dict[str, Order]  # order id -> the order document kept in Redis
    unreadable_orders: list[str]  # keys whose document would not parse


async def _scan(redis: aioredis.Redis, pattern: str) -> AsyncIterator[str]:
    async for key in redis.scan_iter(match=pattern, count=SCAN_BATCH):
        yield str(key)


async def loaded_showtimes(redis: aioredis.Redis) -> list[int]:
    """Ids of the showtimes whose seat state is in Redis (found by their epoch key)."""
    found = set()
    async for key in _scan(redis, "sc:{show:*}:epoch"):
        match = _EPOCH_KEY.match(key)
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


async def read_showtime(redis: aioredis.Redis, showtime_id: int) -> ShowtimeState | None:
    """The showtime's state in one atomic read; None when it is not (or no longer) in Redis.

    A cluster's transactions take only keyed commands: there the clock is read from the
    showtime's node just before (a hold that expires in between is taken for live, never the
    other way round)."""
    clock = None
    if isinstance(redis, RedisCluster):
        clock = await redis.time(target_nodes=redis.get_node_from_key(keys.show_epoch(showtime_id)))
    async with redis.pipeline(transaction=True) as pipe:
        if clock is None:
            pipe.time()
        pipe.exists(keys.show_epoch(showtime_id))
        pipe.get(keys.show_seq(showtime_id))
        pipe.hgetall(keys.show_key(showtime_id, "seats"))
        pipe.hgetall(keys.show_key(showtime_id, "holds"))
        pipe.xrange(keys.show_log(showtime_id), "-", "+")
        replies = await pipe.execute()
    (seconds, micros), loaded, seq, seats, holds, log = [clock, *replies] if clock else replies
    if not loaded:
        return None
    return ShowtimeState(
        showtime_id=showtime_id,
        now_ms=int(seconds) * 1000 + int(micros) // 1000,
        seq=int(seq or 0),
        seats={str(seat): str(value) for seat, value in seats.items()},
        holds={str(hold_id): HoldRecord.parse(str(hold_id), str(text)) for hold_id, text in holds.items()},
        log=[LogEntry(str(entry_id), str(fields.get("seq", ""))) for entry_id, fields in log],
    )


async def read_in_flight(redis: aioredis.Redis) -> tuple[dict[str, Order], list[str]]:
    """Every order document kept in Redis, by order id, and the keys that would not parse."""
    orders: dict[str, Order] = {}
    unreadable: list[str] = []
    async for key in _scan(redis, "sc:{show:*}:order:*"):
        if not _ORDER_KEY.match(key):
            continue
        doc = await redis.hget(key, "doc")
        if doc is None:
            continue  # landed and forgotten since the scan saw it
        try:
            order = Order.from_json(doc)
        except (ValueError, KeyError, TypeError):
            unreadable.append(key)
            continue
        orders[order.id] = order
    return orders, unreadable


async def read_redis(redis: aioredis.Redis) -> RedisState:
    showtimes = {}
    for showtime_id in await loaded_showtimes(redis):
        state = await read_showtime(redis, showtime_id)
        if state is not None:
            showtimes[showtime_id] = state
    in_flight, unreadable = await read_in_flight(redis)
    return RedisState(showtimes, in_flight, unreadable)
