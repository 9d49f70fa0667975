"""Engine fixtures: a Redis client on this run's own database, flushed per test, and engines
over in-memory showtimes with a fake clock (so expiry is tested without waiting)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis

from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.domain.seatrules import HoldRules
from seatcore.engine.service import SeatEngine
from seatcore.settings import Settings
from seatcore.store.seating import ShowtimeSeating
from seatcore.types import SeatId, ShowtimeId

T0_MS = 1_800_000_000_000  # the fake clock's start: 2027-01-15


@dataclass
class FakeClock:
    now_ms: int = T0_MS

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms


@dataclass
class FakeSeating:
    """Showtimes and sold seats held in dicts: the engine's SeatingSource without MySQL."""

    showtimes: dict[ShowtimeId, ShowtimeSeating] = field(default_factory=dict)
    sold: dict[ShowtimeId, dict[SeatId, str]] = field(default_factory=dict)

    async def seating(self, showtime_id: ShowtimeId) -> ShowtimeSeating | None:
        return self.showtimes.get(showtime_id)

    async def sold_seats(self, showtime_id: ShowtimeId) -> dict[SeatId, str]:
        return dict(self.sold.get(showtime_id, {}))

    def add(
        self,
        showtime_id: ShowtimeId,
        layout: dict[str, Any] | None = None,
        *,
        starts_at: datetime | None = None,
        prices: dict[str, int] | None = None,
        sales_open: bool = True,
        status: str = "scheduled",
    ) -> ShowtimeSeating:
        parsed = parse_layout(layout or grid_layout(5, 10))
        starts = starts_at or datetime.fromtimestamp(T0_MS / 1000, UTC) + timedelta(days=1)
        seating = ShowtimeSeating(
            id=showtime_id,
            cinema_id=1,
            timezone="Asia/Shanghai",
            layout=parsed,
            prices=prices or dict.fromkeys(parsed.zones, 4500),
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            sales_open=sales_open,
            status=status,
            sales_close_before_min=None,
        )
        self.showtimes[showtime_id] = seating
        return seating


EngineFactory = Callable[..., SeatEngine]


@pytest.fixture
async def aredis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
def source() -> FakeSeating:
    return FakeSeating()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_engine(aredis: aioredis.Redis, source: FakeSeating, clock: FakeClock) -> EngineFactory:
    """An engine over ``source`` with the fake clock; keyword arguments override HoldRules, and
    ``separate_user_step=True`` makes it count holds per user as on Redis Cluster."""

    def build(*, separate_user_step: bool = False, **rules: Any) -> SeatEngine:
        return SeatEngine(
            aredis,
            source,
            rules=HoldRules(**rules),
            clock=clock,
            info_ttl_s=0,
            separate_user_step=separate_user_step,
        )

    return build


@pytest.fixture
def engine(make_engine: EngineFactory) -> SeatEngine:
    return make_engine()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "seat_settings(**values): settings for this test's app")


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The run's settings, with a test's ``seat_settings`` marker applied."""
    marker = request.node.get_closest_marker("seat_settings")
    return settings.model_copy(update=marker.kwargs) if marker else settings
