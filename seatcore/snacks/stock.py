"""Snack stock: taken when an order is made, given back once when it ends unpaid or is refunded.

Invariant 13 (stock never below zero) is kept by one Lua script per cinema. Orders are made in
Redis first (seatcore.orders.inflight) and reach MySQL only when paid, through the writer, and
selling goes on while MySQL is away; so the gate must be in Redis, in the step that makes the
order: a conditional UPDATE in MySQL would be neither on the order's path nor available in an
outage. The script checks every line of the order and only then takes them all: all or nothing,
and two buyers of the last box of popcorn are served one after the other by Redis.

A cinema's counts are one hash (``{snacks:ID}``: one cluster slot, so the script takes it and the
order's give-back mark as KEYS). A snack missing from the hash (a fresh Redis, a new snack) is
loaded from MySQL: what the staff set, less what landed orders made since then hold.
"""

from __future__ import annotations

from collections.abc import Mapping

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore import keys
from seatcore.errors import Conflict
from seatcore.runtime import Runtime
from seatcore.store import snacks as store

UNLIMITED = -1
RETURNED_KEEP_S = 120 * 24 * 3600  # longer than any order stays refundable

# KEYS[1] the cinema's stock hash; ARGV pairs of (snack id, qty).
# Answers {"ok"}, {"missing", id} (load it and call again) or {"sold_out", id, left}.
_TAKE = """
for i = 1, #ARGV, 2 do
  local left = redis.call('HGET', KEYS[1], ARGV[i])
  if not left then return {'missing', ARGV[i]} end
  left = tonumber(left)
  if left ~= -1 and left < tonumber(ARGV[i + 1]) then return {'sold_out', ARGV[i], left} end
end
for i = 1, #ARGV, 2 do
  if tonumber(redis.call('HGET', KEYS[1], ARGV[i])) ~= -1 then
    redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1]))
  end
end
return {'ok'}
"""

# KEYS[1] the cinema's stock hash, KEYS[2] the order's give-back mark; ARGV[1] the mark's ttl (s),
# then pairs of (snack id, qty). Answers 1 when given back now, 0 when it was already.
# A snack missing from the hash is left missing: loading it from MySQL counts the order right.
_GIVE_BACK = """
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 2, #ARGV, 2 do
  local left = redis.call('HGET', KEYS[1], ARGV[i])
  if left and tonumber(left) ~= -1 then
    redis.call('HINCRBY', KEYS[1], ARGV[i], tonumber(ARGV[i + 1]))
  end
end
return 1
"""


def _pairs(lines: Mapping[int, int]) -> list[int]:
    return [value for snack_id in sorted(lines) for value in (snack_id, lines[snack_id])]


class SnackStock:
    def __init__(self, redis: aioredis.Redis, db: AsyncEngine) -> None:
        self.redis = redis
        self.db = db
        self._take = redis.register_script(_TAKE)
        self._give_back = redis.register_script(_GIVE_BACK)

    async def take(self, cinema_id: int, lines: Mapping[int, int]) -> None:
        """Take ``lines`` (snack id -> qty) from the cinema's stock, all or none.

        Raises Conflict ``snack_sold_out`` (details: snack_id, left) when one has too few left."""
        if not lines:
            return
        for _ in range(len(lines) + 1):  # each round loads at most one missing snack
            answer = await self._take(keys=[keys.snack_stock(cinema_id)], args=_pairs(lines))
            verdict = answer[0].decode() if isinstance(answer[0], bytes) else str(answer[0])
            if verdict == "ok":
                return
            snack_id = int(answer[1])
            if verdict == "sold_out":
                raise Conflict(
                    "not enough of this snack is left",
                    code="snack_sold_out",
                    snack_id=snack_id,
                    left=int(answer[2]),
                )
            await self.load(cinema_id, snack_id)
        raise Conflict("the snack stock is changing; try again", code="snack_sold_out")

    async def give_back(self, cinema_id: int, order_id: str, lines: Mapping[int, int]) -> bool:
        """Give an order's snacks back to stock, once however often it is called."""
        if not lines:
            return False
        done = await self._give_back(
            keys=[keys.snack_stock(cinema_id), keys.snack_returned(cinema_id, order_id)],
            args=[RETURNED_KEEP_S, *_pairs(lines)],
        )
        return bool(done)

    async def load(self, cinema_id: int, snack_id: int) -> None:
        """Put a snack's count into Redis from MySQL, unless another caller did first."""
        snack = (await store.by_ids(self.db, [snack_id])).get(snack_id)
        if snack is None or snack.cinema_id != cinema_id:
            left = 0
        elif snack.stock is None:
            left = UNLIMITED
        else:
            left = max(0, snack.stock - await store.sold_since(self.db, snack_id, snack.stock_set_at))
        await self.redis.hsetnx(keys.snack_stock(cinema_id), str(snack_id), left)

    async def set(self, cinema_id: int, snack_id: int, stock: int | None) -> None:
        """The staff set what is left now (None: no limit)."""
        await self.redis.hset(
            keys.snack_stock(cinema_id), str(snack_id), UNLIMITED if stock is None else stock
        )

    async def left(self, cinema_id: int, snack_ids: list[int]) -> dict[int, int | None]:
        """What is left of each snack (None: no limit)."""
        if not snack_ids:
            return {}
        stock_key = keys.snack_stock(cinema_id)
        raw = await self.redis.hmget(stock_key, [str(i) for i in snack_ids])
        if any(value is None for value in raw):
            for snack_id, value in zip(snack_ids, raw, strict=True):
                if value is None:
                    await self.load(cinema_id, snack_id)
            raw = await self.redis.hmget(stock_key, [str(i) for i in snack_ids])
        return {
            snack_id: None if value is None or int(value) == UNLIMITED else max(0, int(value))
            for snack_id, value in zip(snack_ids, raw, strict=True)
        }


def stock_of(runtime: Runtime) -> SnackStock:
    """The process's one SnackStock (its scripts registered once)."""
    found = runtime.extras.get("snack_stock")
    if not isinstance(found, SnackStock):
        found = runtime.extras["snack_stock"] = SnackStock(runtime.redis, runtime.db)
    return found
