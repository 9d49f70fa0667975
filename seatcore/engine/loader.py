"""Where a showtime's seat state comes from: its rules from MySQL (kept in memory a few seconds)
and, on first use or after Redis lost it, its sold seats (live tickets) rebuilt into Redis.

Redis may lose everything (invariant 7): a script that finds the showtime's keys missing answers
``not_loaded``, and the engine rebuilds them from MySQL under a new epoch before trying again. Holds
are lost in a rebuild; sold seats are not.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import orjson
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore import keys
from seatcore.domain.schedule import SalesPolicy
from seatcore.domain.seatrules import SeatGrid
from seatcore.engine import scripts
from seatcore.engine.scripts import RedisClient
from seatcore.errors import NotFound
from seatcore.store import seating as store
from seatcore.store.seating import ShowtimeSeating
from seatcore.types import SeatId, ShowtimeId

log = logging.getLogger(__name__)

KEEP_AFTER_END = timedelta(days=1)  # a showtime's keys outlive its end by this much
MAX_CACHED = 2000  # showtimes kept in memory
_TYPE_LETTER = {"standard": "s", "couple": "c", "wheelchair": "w"}


class SeatingSource(Protocol):
    """Where showtimes and their sold seats are read from (MySQL in the service, dicts in tests)."""

    async def seating(self, showtime_id: ShowtimeId) -> ShowtimeSeating | None: ...

    async def sold_seats(self, showtime_id: ShowtimeId) -> dict[SeatId, str]: ...


@dataclass(frozen=True)
class MySQLSeating:
    db: AsyncEngine

    async def seating(self, showtime_id: ShowtimeId) -> ShowtimeSeating | None:
        return await store.get_seating(self.db, showtime_id)

    async def sold_seats(self, showtime_id: ShowtimeId) -> dict[SeatId, str]:
        return await store.sold_seats(self.db, showtime_id)


@dataclass(frozen=True)
class ShowInfo:
    """A showtime with what the engine derives from it once: the numbered blocks, the layout JSON,
    when sales close (0 when staff stopped them or the showtime is cancelled) and when its keys go."""

    seating: ShowtimeSeating
    grid: SeatGrid
    sales_close_ms: int
    gone_ms: int
    layout_json: dict[str, Any] = field(repr=False)

    @classmethod
    def build(
        cls, seating: ShowtimeSeating, policy: SalesPolicy, previous: ShowInfo | None = None
    ) -> ShowInfo:
        """The info of ``seating``, reusing what ``previous`` derived from the same layout."""
        closes = policy.with_overrides(seating.sales_close_before_min, None).sales_close_at(seating.starts_at)
        selling = seating.status == "scheduled" and seating.sales_open
        same_layout = previous is not None and previous.seating.layout is seating.layout
        return cls(
            seating=seating,
            grid=previous.grid if previous is not None and same_layout else SeatGrid.of(seating.layout),
            sales_close_ms=_ms(closes.timestamp()) if selling else 0,
            gone_ms=_ms((seating.ends_at + KEEP_AFTER_END).timestamp()),
            layout_json=(
                previous.layout_json if previous is not None and same_layout else seating.layout.to_json()
            ),
        )

    def selling(self, now_ms: int) -> bool:
        return now_ms < self.sales_close_ms


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def layout_meta(grid: SeatGrid) -> list[str | int]:
    """The layout as the scripts read it: a flat [field, value, ...] list for the meta hash.

    ``b:I`` (I from 1) is block I as JSON: row ``r``, seat ids ``id``, columns ``c``, zones ``z``,
    type letters ``t`` (s standard, c couple, w wheelchair) and ``p``, the offset of each seat's
    couple pair within the block (0 for none). ``s:SEAT`` names the seat's block.
    """
    fields: list[str | int] = [
        "cols",
        grid.layout.columns,
        "rows",
        len(grid.layout.rows),
        "nb",
        len(grid.blocks),
    ]
    for index, block in enumerate(grid.blocks, start=1):
        position = {seat.id: p for p, seat in enumerate(block)}
        doc = {
            "r": block[0].row,
            "id": [seat.id for seat in block],
            "c": [seat.col for seat in block],
            "z": [seat.zone for seat in block],
            "t": "".join(_TYPE_LETTER[seat.type] for seat in block),
            "p": [0 if seat.pair is None else position[seat.pair] - p for p, seat in enumerate(block)],
        }
        fields += [f"b:{index}", orjson.dumps(doc).decode()]
        for seat in block:
            fields += [f"s:{seat.id}", index]
    return fields


class ShowtimeCache:
    """Showtimes read from the source, each kept ``ttl_s`` seconds so that staff changes (prices,
    sales stopped, a cancellation) reach the engine within that time. One read per showtime at a
    time: concurrent callers wait for the same read. While MySQL is away a showtime read before is
    served as last read, so that holds and orders go on through the outage."""

    def __init__(self, source: SeatingSource, policy: SalesPolicy, ttl_s: float) -> None:
        self.source = source
        self._policy = policy
        self._ttl_s = ttl_s
        self._entries: dict[ShowtimeId, tuple[float, ShowInfo]] = {}
        self._locks: dict[ShowtimeId, asyncio.Lock] = {}

    async def get(self, showtime_id: ShowtimeId) -> ShowInfo:
        entry = self._entries.get(showtime_id)
        if entry is not None and time.monotonic() - entry[0] < self._ttl_s:
            return entry[1]
        lock = self._locks.setdefault(showtime_id, asyncio.Lock())
        try:
            async with lock:
                entry = self._entries.get(showtime_id)
                if entry is not None and time.monotonic() - entry[0] < self._ttl_s:
                    return entry[1]
                try:
                    seating = await self.source.seating(showtime_id)
                except (DBAPIError, OSError):
                    if entry is None:
                        raise
                    # MySQL is away: sell on from the rules last read (staff cannot change them
                    # meanwhile either), and ask MySQL again after another ttl_s.
                    log.warning(
                        "showtime %s: MySQL is not answering; using its rules as last read", showtime_id
                    )
                    self._keep(showtime_id, entry[1])
                    return entry[1]
                if seating is None:
                    self._entries.pop(showtime_id, None)
                    raise NotFound(f"no showtime {showtime_id}", showtime_id=showtime_id)
                info = ShowInfo.build(seating, self._policy, entry[1] if entry is not None else None)
                self._keep(showtime_id, info)
                return info
        finally:
            self._locks.pop(showtime_id, None)

    def forget(self, showtime_id: ShowtimeId) -> None:
        """Read the showtime afresh on its next use (its hall's layout changed)."""
        self._entries.pop(showtime_id, None)

    def _keep(self, showtime_id: ShowtimeId, info: ShowInfo) -> None:
        """Remember ``info``; past MAX_CACHED showtimes, forget the stale ones, then the oldest."""
        now = time.monotonic()
        self._entries.pop(showtime_id, None)  # re-inserted last: the dict stays oldest first
        self._entries[showtime_id] = (now, info)
        if len(self._entries) <= MAX_CACHED:
            return
        for key, (read_at, _) in list(self._entries.items()):
            if now - read_at >= self._ttl_s:
                del self._entries[key]
        while len(self._entries) > MAX_CACHED:
            del self._entries[next(iter(self._entries))]


async def load_state(
    redis: RedisClient, source: SeatingSource, info: ShowInfo, *, now_arg: str
) -> tuple[str, bool]:
    """Build the showtime's state in Redis from its sold seats, unless it is there already.

    Returns the epoch in force and whether this call built it.
    """
    showtime_id = info.seating.id
    sold = await source.sold_seats(showtime_id)
    pairs: list[str | int] = []
    for seat_id, order_id in sold.items():
        pairs += [seat_id, order_id]
    meta = layout_meta(info.grid)
    if info.seating.status == "cancelled":
        meta += ["cancelled", 1]  # rebuilt from MySQL after Redis lost close.lua's mark
    args: list[str | int] = [
        now_arg,
        secrets.token_hex(8),
        info.gone_ms,
        orjson.dumps(meta).decode(),
        *pairs,
    ]
    result = await scripts.LOAD(redis, keys.show_keys(showtime_id), args)
    return str(result[1]), result[2] == 1
