"""The event writer: reads the stream ``sc:analytics`` as one consumer of the ``writers`` group and
lands its entries in the event store in batches.

Like the order writer (seatcore.orders.writer): its own unacknowledged entries first (after a
failed write), then entries other writers left idle, then new ones; entries are acknowledged and
deleted only after the store committed them. Before landing, events are completed from what the
service knows: the cinema and movie of a showtime (from MySQL), and the channel an order was
placed from for the order's later events (paid, failed, refunded).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Collection
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.exceptions import ResponseError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore import keys
from seatcore.analytics.events import Row
from seatcore.analytics.store import EventStore
from seatcore.db.schema import showtimes
from seatcore.domain.analytics import ORDER_FOLLOW_UPS, PLACED, SERVER_CHANNEL_UNKNOWN
from seatcore.orders.lease import new_owner

log = logging.getLogger(__name__)

GROUP = "writers"
BATCH_ENTRIES = 200  # a client entry holds up to a batch of events
BLOCK_MS = 500
CLAIM_IDLE_MS = 30_000
CLAIM_EVERY_S = 5.0
RETRY_FIRST_S = 0.2
RETRY_MAX_S = 10.0
SHOWTIME_CACHE_MAX = 50_000


class EventWriter:
    def __init__(
        self,
        redis: aioredis.Redis,
        db: AsyncEngine,
        store: EventStore,
        *,
        key: str = keys.ANALYTICS_STREAM,
        batch_entries: int = BATCH_ENTRIES,
        block_ms: int = BLOCK_MS,
    ) -> None:
        self.redis = redis
        self.db = db
        self.store = store
        self.key = key
        self.batch_entries = batch_entries
        self.block_ms = block_ms
        self.consumer = new_owner()
        self._showtimes: dict[int, tuple[int, int]] = {}  # showtime -> (cinema, movie)
        self._own_pending = True
        self._next_claim = 0.0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Return from ``run`` after the round in progress (never cancelled halfway through)."""
        self._stopping.set()

    async def run(self) -> None:
        pause = RETRY_FIRST_S
        while not self._stopping.is_set():
            try:
                await self.step()
                pause = RETRY_FIRST_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis, MySQL or the store away: keep the entries, retry
                log.warning("analytics writer could not land a batch, retrying: %s", exc)
                self._own_pending = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), pause)
                pause = min(pause * 2, RETRY_MAX_S)

    async def step(self) -> int:
        """One round: read, complete, land, acknowledge; answers how many events landed."""
        entries = await self._read()
        if not entries:
            return 0
        self._own_pending = True
        rows: list[Row] = []
        for entry_id, fields in entries:
            if not fields:
                continue  # deleted before it could be read: nothing to land
            try:
                rows.extend(orjson.loads(fields["rows"]))
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                log.error("analytics entry %s is unreadable and is dropped: %s", entry_id, exc)
        await self._complete(rows)
        landed = await asyncio.to_thread(self.store.append, rows)
        ids = [entry_id for entry_id, _fields in entries]
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.key, GROUP, *ids)
            pipe.xdel(self.key, *ids)
            await pipe.execute()
        return landed

    async def _read(self) -> list[tuple[str, dict[str, Any]]]:
        await self._ensure_group()
        if self._own_pending:
            found = await self.redis.xreadgroup(
                GROUP, self.consumer, {self.key: "0"}, count=self.batch_entries
            )
            entries = _entries(found)
            if entries:
                return entries
            self._own_pending = False
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + CLAIM_EVERY_S
            claimed = await self.redis.xautoclaim(
                self.key, GROUP, self.consumer, CLAIM_IDLE_MS, "0-0", count=self.batch_entries
            )
            entries = [(str(i), f or {}) for i, f in (claimed[1] if claimed else []) if i is not None]
            if entries:
                return entries
        found = await self.redis.xreadgroup(
            GROUP, self.consumer, {self.key: ">"}, count=self.batch_entries, block=self.block_ms
        )
        return _entries(found)

    async def _ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.key, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _complete(self, rows: list[Row]) -> None:
        await self._learn_showtimes({int(r["showtime_id"]) for r in rows if r.get("showtime_id") is not None})
        for row in rows:
            showtime_id = row.get("showtime_id")
            if showtime_id is not None and int(showtime_id) in self._showtimes:
                cinema_id, movie_id = self._showtimes[int(showtime_id)]
                row["cinema_id"] = row.get("cinema_id") or cinema_id
                row["movie_id"] = row.get("movie_id") or movie_id
        placed = {r["order_id"]: r["channel"] for r in rows if r["name"] in PLACED and r.get("order_id")}
        unknown = {
            r["order_id"]
            for r in rows
            if r["name"] in ORDER_FOLLOW_UPS and r.get("order_id") and r["order_id"] not in placed
        }
        if unknown:
            placed.update(await asyncio.to_thread(self.store.order_channels, unknown))
        for row in rows:
            if row["name"] in ORDER_FOLLOW_UPS and row.get("channel") == SERVER_CHANNEL_UNKNOWN:
                row["channel"] = placed.get(row.get("order_id"), SERVER_CHANNEL_UNKNOWN)

    async def _learn_showtimes(self, wanted: Collection[int]) -> None:
        missing = [showtime_id for showtime_id in wanted if showtime_id not in self._showtimes]
        if not missing:
            return
        if len(self._showtimes) > SHOWTIME_CACHE_MAX:
            self._showtimes.clear()
        query = select(showtimes.c.id, showtimes.c.cinema_id, showtimes.c.movie_id).where(
            showtimes.c.id.in_(missing)
        )
        async with self.db.connect() as conn:
            for row in await conn.execute(query):
                self._showtimes[int(row.id)] = (int(row.cinema_id), int(row.movie_id))


def _entries(found: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(str(entry_id), fields or {}) for _stream, items in found or [] for entry_id, fields in items]
