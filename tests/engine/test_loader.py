"""The in-memory showtime cache: fresh for a few seconds, bounded, and honest about unknown ids."""

from __future__ import annotations

import pytest

from seatcore.domain.layout import grid_layout
from seatcore.domain.schedule import SalesPolicy
from seatcore.engine import loader
from seatcore.engine.loader import ShowtimeCache
from seatcore.errors import NotFound
from tests.engine.conftest import FakeSeating


async def test_cache_reuses_the_layout_and_forgets_unknown_and_old_showtimes(
    source: FakeSeating, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_CACHED", 3)
    for showtime_id in range(1, 6):
        source.add(showtime_id, grid_layout(2, 4))
    cache = ShowtimeCache(source, SalesPolicy(10, 30), ttl_s=0)
    first = await cache.get(1)
    again = await cache.get(1)  # read again (ttl 0), same layout: what was derived from it is reused
    assert again is not first and again.grid is first.grid and again.layout_json is first.layout_json
    for showtime_id in range(2, 6):
        await cache.get(showtime_id)
    assert len(cache._entries) <= 3
    with pytest.raises(NotFound):
        await cache.get(99)
    assert 99 not in cache._locks and 99 not in cache._entries
