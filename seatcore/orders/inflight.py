"""Orders not yet in MySQL, kept in Redis: a hash per order in its showtime's slot (an order of
snacks alone: in its cinema's snack slot).

The hash holds the order document and a revision; every change is a compare-and-set on the
revision (one Lua call, one key), so a payment notice, the sweeper and the moviegoer never
overwrite each other. Two indexes sit beside it, outside the showtime's slot (each written by a
command of its own, so the layout works on Redis Cluster):

- ``sc:orders:in-flight``: order id -> when the sweeper should next look at it (ms);
- ``sc:user:ID:orders``: the moviegoer's orders here, by creation, for the order history.

Once the writer has landed an order in MySQL its hash and index entries are removed, and MySQL
answers for it. Orders that end unpaid (cancelled, expired) never reach MySQL; they stay here,
visible in the history, for ``ENDED_KEEP_S``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime

import redis.asyncio as aioredis

from seatcore import keys
from seatcore.orders.ids import cinema_of_snack_order, showtime_of
from seatcore.orders.records import Order, now_utc

IN_FLIGHT_KEEP_S = 7 * 24 * 3600  # far longer than any MySQL outage we plan to ride out
CLAIM_TRIES = 3  # an unpaid claim that changed between its read and the script: read again
ENDED_KEEP_S = 24 * 3600

# KEYS[1] order hash, KEYS[2] what the order is made from (its hold, or the request of an order
# of snacks alone) -> order; ARGV[1] order id, ARGV[2] document, ARGV[3] ttl (s).
# Answers "" when created, else the id of the order already made from it.
_CREATE = """
local existing = redis.call('GET', KEYS[2])
if existing then return existing end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'rev', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return ''
"""

# KEYS[1] order hash; ARGV[1] expected revision, ARGV[2] document, ARGV[3] ttl (s).
# Answers the new revision, 0 when another change came first, -1 when the order is gone.
_CHANGE = """
local rev = redis.call('HGET', KEYS[1], 'rev')
if not rev then return -1 end
if rev ~= ARGV[1] then return 0 end
local next_rev = tonumber(rev) + 1
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'rev', next_rev)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return next_rev
"""


# An order of snacks alone: _CREATE, and the moviegoer's one unpaid order of snacks at the cinema.
# KEYS[1] order hash, KEYS[2] request -> order, KEYS[3] the moviegoer's unpaid claim at the cinema,
# KEYS[4] the hash of the order that claim named when the caller read it (ARGV[6]; any key of the
# slot when it named none); ARGV[1] order id, ARGV[2] document, ARGV[3] ttl (s), ARGV[4] the
# claim's ttl (ms), ARGV[5] now (ms), ARGV[6] the claim as read ("" none).
# Answers {"ok"}, {"made", id} (the request made it already), {"unpaid", id} (that order is
# still unpaid) or {"again", id} (the claim changed since it was read).
_CREATE_ALONE = """
local made = redis.call('GET', KEYS[2])
if made then return {'made', made} end
local held = redis.call('GET', KEYS[3]) or ''
if held ~= ARGV[6] then return {'again', held} end
if held ~= '' then
  local doc = redis.call('HGET', KEYS[4], 'doc')
  if doc then
    local o = cjson.decode(doc)
    if o.status == 'pending_payment' and o.payment == cjson.null and o.expires_at ~= cjson.null
        and o.expires_at * 1000 > tonumber(ARGV[5]) then
      return {'unpaid', held}
    end
  end
end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[4])
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'rev', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {'ok'}
"""

# KEYS[1] the in-flight index; ARGV[1] now (ms), ARGV[2] lease (ms), ARGV[3] how many.
# Answers the ids due by now and pushes each one lease further, so that of several sweepers (one
# per service process) one looks at an order at a time, and another does if that one dies.
_CLAIM_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local until_ms = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, id in ipairs(due) do
  redis.call('ZADD', KEYS[1], string.format('%d', until_ms), id)
end
return due
"""


class OrderGone(Exception):
    """The order's hash vanished while it was being changed (landed, or Redis lost it)."""


def order_key(order_id: str) -> str:
    """The order's hash, found from its id (ValueError: not an order id)."""
    showtime_id = showtime_of(order_id)
    if showtime_id is not None:
        return keys.order(showtime_id, order_id)
    cinema_id = cinema_of_snack_order(order_id)
    if cinema_id is not None:
        return keys.snack_order(cinema_id, order_id)
    raise ValueError(f"not an order id: {order_id!r}")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class InFlightOrders:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._create = redis.register_script(_CREATE)
        self._change = redis.register_script(_CHANGE)
        self._claim_due = redis.register_script(_CLAIM_DUE)
        self._create_alone = redis.register_script(_CREATE_ALONE)

    async def create(self, order: Order, *, check_at: datetime, made_from: str) -> str | None:
        """Store a new order; answers the id of the order already made from ``made_from`` (the key
        naming its hold or its request, in the order's slot), if any."""
        await self._redis.zadd(keys.ORDERS_IN_FLIGHT, {order.id: _ms(check_at)})
        existing = await self._create(
            keys=[order_key(order.id), made_from], args=[order.id, order.to_json(), IN_FLIGHT_KEEP_S]
        )
        if existing:
            await self._redis.zrem(keys.ORDERS_IN_FLIGHT, order.id)
            return str(existing)
        await self._redis.zadd(keys.user_orders(order.user_id), {order.id: _ms(order.created_at)})
        return None

    async def create_alone(
        self, order: Order, *, check_at: datetime, made_from: str, unpaid: str, unpaid_ttl_ms: int
    ) -> tuple[str, str]:
        """Store a new order of snacks alone, unless its request made one already (``("made",
        id)``) or the moviegoer's claim ``unpaid`` names an order still unpaid (``("unpaid",
        id)``); a claim naming an order paid, ended or gone passes to this one. ``("ok", "")``
        when stored."""
        await self._redis.zadd(keys.ORDERS_IN_FLIGHT, {order.id: _ms(check_at)})
        outcome: tuple[str, str] = ("again", "")
        for _ in range(CLAIM_TRIES):
            held = await self.made_from(unpaid) or ""
            answer = await self._create_alone(
                keys=[
                    order_key(order.id),
                    made_from,
                    unpaid,
                    order_key(held) if held else order_key(order.id),
                ],
                args=[order.id, order.to_json(), IN_FLIGHT_KEEP_S, unpaid_ttl_ms, _ms(now_utc()), held],
            )
            outcome = (str(answer[0]), str(answer[1]) if len(answer) > 1 else "")
            if outcome[0] != "again":
                break
        if outcome[0] != "ok":
            await self._redis.zrem(keys.ORDERS_IN_FLIGHT, order.id)
            return outcome
        await self._redis.zadd(keys.user_orders(order.user_id), {order.id: _ms(order.created_at)})
        return outcome

    async def made_from(self, key: str) -> str | None:
        """The id of the order already made from ``key`` (see ``create``), if any."""
        found = await self._redis.get(key)
        return None if found is None else str(found)

    async def get(self, order_id: str) -> Order | None:
        found = await self._read(order_id)
        return None if found is None else found[0]

    async def change(self, order_id: str, edit: Callable[[Order], Order | None], *, keep_s: int = 0) -> Order:
        """Apply ``edit`` atomically: it gets the current order and answers the new one (or None:
        leave it as it is). ``edit`` may raise to refuse; it runs again if another change won.
        Raises OrderGone when there is no such order here."""
        while True:
            found = await self._read(order_id)
            if found is None:
                raise OrderGone(order_id)
            current, rev = found
            new = edit(current)
            if new is None:
                return current
            answer = int(
                await self._change(
                    keys=[order_key(order_id)], args=[rev, new.to_json(), keep_s or IN_FLIGHT_KEEP_S]
                )
            )
            if answer > 0:
                return new
            if answer < 0:
                raise OrderGone(order_id)

    async def schedule(self, order_id: str, at: datetime) -> None:
        """When the sweeper should next look at the order."""
        await self._redis.zadd(keys.ORDERS_IN_FLIGHT, {order_id: _ms(at)})

    async def unschedule(self, order_id: str) -> None:
        await self._redis.zrem(keys.ORDERS_IN_FLIGHT, order_id)

    async def claim_due(self, now: datetime, *, lease_ms: int, limit: int) -> list[str]:
        """Ids of orders due for a look by ``now``, each leased to the caller for ``lease_ms``."""
        ids = await self._claim_due(keys=[keys.ORDERS_IN_FLIGHT], args=[_ms(now), lease_ms, limit])
        return [str(order_id) for order_id in ids]

    async def ids(self, *, limit: int) -> list[str]:
        """Ids of every order here (up to ``limit``), soonest due first."""
        return [str(order_id) for order_id in await self._redis.zrange(keys.ORDERS_IN_FLIGHT, 0, limit - 1)]

    async def of_showtime(self, showtime_id: int) -> list[str]:
        """Ids of the showtime's orders that the sweeper still looks at (unpaid or not landed)."""
        found = [
            str(order_id)
            async for order_id, _ in self._redis.zscan_iter(keys.ORDERS_IN_FLIGHT, match=f"{showtime_id}-*")
        ]
        return [order_id for order_id in found if showtime_of(order_id) == showtime_id]

    async def count(self) -> int:
        return int(await self._redis.zcard(keys.ORDERS_IN_FLIGHT))

    async def for_user(self, user_id: int) -> list[Order]:
        """The moviegoer's orders here (entries whose hash has gone are dropped from the index)."""
        index = keys.user_orders(user_id)
        cutoff_ms = int((time.time() - IN_FLIGHT_KEEP_S) * 1000)
        await self._redis.zremrangebyscore(index, "-inf", cutoff_ms)
        ids = [str(order_id) for order_id in await self._redis.zrange(index, 0, -1)]
        found: list[Order] = []
        gone: list[str] = []
        for order_id in ids:
            order = await self.get(order_id)
            (gone.append(order_id) if order is None else found.append(order))
        if gone:
            await self._redis.zrem(index, *gone)
        return found

    async def forget(self, orders: Sequence[Order]) -> None:
        """These orders are in MySQL now: drop their hashes and index entries."""
        if not orders:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for order in orders:
                pipe.delete(order_key(order.id))
            pipe.zrem(keys.ORDERS_IN_FLIGHT, *[order.id for order in orders])
            for order in orders:
                pipe.zrem(keys.user_orders(order.user_id), order.id)
            await pipe.execute()

    async def _read(self, order_id: str) -> tuple[Order, str] | None:
        doc, rev = await self._redis.hmget(order_key(order_id), ["doc", "rev"])
        if doc is None or rev is None:
            return None
        return Order.from_json(doc), str(rev)
