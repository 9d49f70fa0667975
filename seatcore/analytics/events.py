"""Events on their way in: the Redis stream ``sc:analytics`` between the API and the writer, and the
service's own events recorded from the hold and order paths.

A client batch is one stream entry, added before the API answers 202, so an accepted batch
survives a restart of the process. The service's own events must not slow the path they describe:
``record`` only appends to this process's buffer, and a task moves the buffer to the stream every
``FLUSH_EVERY_S``. The stream is capped (approximately ``STREAM_MAX_ENTRIES``): if the writer is
down for long, the oldest events are lost rather than Redis filling up, which analytics can afford
and orders could not.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable
from datetime import datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import orjson
import redis.asyncio as aioredis
from starlette.requests import Request

from seatcore import keys
from seatcore.domain.analytics import CHANNELS, ORDER_PLACED, SERVER_CHANNEL_UNKNOWN, SNACKS_ALONE, actor
from seatcore.errors import SeatcoreError
from seatcore.runtime import Runtime

log = logging.getLogger(__name__)

STREAM_MAX_ENTRIES = 200_000
FLUSH_EVERY_S = 0.2
BUFFER_MAX_EVENTS = 50_000  # past this (Redis away) the service's own events are dropped, counted
DEVICE_HEADER = "X-Device-Id"
CHANNEL_HEADER = "X-Channel"
MINIPROGRAM_REFERER = "https://servicewechat.com/"  # WeChat sets it on every mini-program request

Row = dict[str, Any]
T = TypeVar("T")


class EventLog:
    def __init__(self, redis: aioredis.Redis, timezone: str) -> None:
        self.redis = redis
        self.zone = ZoneInfo(timezone)
        self._buffer: list[Row] = []
        self.dropped = 0

    def row(self, name: str, at_ms: int, **fields: Any) -> Row:
        """An event as the store keeps it: its local day, the journey's actor, the rest as given."""
        row: Row = {"ts": at_ms, "day": self.day_of(at_ms), "name": name, **fields}
        row["actor"] = actor(row.get("user_id"), row.get("device"))
        return row

    def day_of(self, at_ms: int) -> str:
        """The local date (ISO) of a moment in epoch milliseconds."""
        return self._day(at_ms // 60_000)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one log per process, lives as long)
    def _day(self, minute: int) -> str:
        """The local date of a minute since the epoch (every zone's day starts on a whole minute)."""
        return datetime.fromtimestamp(minute * 60, self.zone).date().isoformat()

    async def append(self, rows: list[Row]) -> None:
        """Put rows on the stream as one entry (a client batch is taken once this returns)."""
        if rows:
            await self.redis.xadd(
                keys.ANALYTICS_STREAM,
                {"rows": orjson.dumps(rows)},
                maxlen=STREAM_MAX_ENTRIES,
                approximate=True,
            )

    def record(self, name: str, **fields: Any) -> None:
        """Note one of the service's own events; never waits and never fails the caller."""
        if len(self._buffer) >= BUFFER_MAX_EVENTS:
            self.dropped += 1
            return
        fields.setdefault("channel", SERVER_CHANNEL_UNKNOWN)
        self._buffer.append(self.row(name, int(time.time() * 1000), source="server", **fields))

    async def flush(self) -> None:
        rows, self._buffer = self._buffer, []
        try:
            await self.append(rows)
        except Exception:
            self._buffer = rows + self._buffer  # Redis away: try again next round
            raise

    async def run_flusher(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), FLUSH_EVERY_S)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("analytics events could not reach Redis, kept for the next round: %s", exc)


def channel_of(request: Request) -> str:
    """The client's channel: its X-Channel header, else the mini-program by WeChat's referer."""
    named = request.headers.get(CHANNEL_HEADER, "")
    if named in CHANNELS:
        return named
    return "miniprogram" if request.headers.get("referer", "").startswith(MINIPROGRAM_REFERER) else "web"


def device_of(request: Request) -> str | None:
    device = request.headers.get(DEVICE_HEADER, "")
    return device if 8 <= len(device) <= 64 and device.isascii() and device.isprintable() else None


# ------------------------------------------------------------------- hooks on the service's paths


def _log(runtime: Runtime) -> EventLog | None:
    found = runtime.extras.get("analytics")
    return found if isinstance(found, EventLog) else None


def record(runtime: Runtime, name: str, **fields: Any) -> None:
    """Record one of the service's own events when analytics runs in this process."""
    events = _log(runtime)
    if events is not None:
        events.record(name, **fields)


def record_request(request: Request, name: str, user_id: int, **fields: Any) -> None:
    """Record an event of the service's own, with the caller's device and channel."""
    record(
        request.app.state.runtime,
        name,
        user_id=user_id,
        device=device_of(request),
        channel=channel_of(request),
        **fields,
    )


async def hold_outcome(request: Request, user_id: int, showtime_id: int, asking: Awaitable[T]) -> T:
    """Await the hold being asked for, recording it granted or refused (with the refusal code)."""
    try:
        hold = await asking
    except SeatcoreError as exc:
        record_request(request, "hold_refused", user_id, showtime_id=showtime_id, code=exc.code)
        raise
    record_request(
        request,
        "hold_granted",
        user_id,
        showtime_id=showtime_id,
        amount_fen=getattr(hold, "amount_fen", None),
    )
    return hold


class OrderLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def user_id(self) -> int: ...
    @property
    def showtime_id(self) -> int | None: ...
    @property
    def cinema_id(self) -> int | None: ...
    @property
    def amount_fen(self) -> int: ...


def _named(name: str, order: OrderLike) -> str:
    """The event's name for this order: an order of snacks alone has names of its own."""
    return SNACKS_ALONE.get(name, name) if order.showtime_id is None else name


def record_placed(request: Request, order: OrderLike) -> None:
    record_request(
        request,
        _named(ORDER_PLACED, order),
        order.user_id,
        showtime_id=order.showtime_id,
        cinema_id=order.cinema_id,
        order_id=order.id,
        amount_fen=order.amount_fen,
    )


def record_order(runtime: Runtime, name: str, order: OrderLike, code: str | None = None) -> None:
    """Record an order's event (paid, payment failed, refunded); its channel is filled in later
    from the event of its placing."""
    record(
        runtime,
        _named(name, order),
        user_id=order.user_id,
        showtime_id=order.showtime_id,
        cinema_id=order.cinema_id,
        order_id=order.id,
        amount_fen=order.amount_fen,
        code=code,
    )
