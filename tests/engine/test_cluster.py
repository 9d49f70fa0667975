"""The engine's scripts on a real Redis Cluster: three masters started for the module on 127.0.0.1
(tests/cluster/redis_cluster.py) and stopped afterwards. Showtimes land in different slots on
different nodes; every script keeps to its showtime's hash tag, so each runs where it is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import orjson
import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from seatcore import keys
from seatcore.domain.layout import grid_layout
from seatcore.engine.service import SeatEngine
from seatcore.engine.sweeper import Sweeper
from seatcore.errors import SeatcoreError
from tests.cluster.redis_cluster import AVAILABLE, MISSING, running_cluster
from tests.engine.conftest import FakeClock, FakeSeating

pytestmark = [pytest.mark.cluster, pytest.mark.skipif(not AVAILABLE, reason=MISSING)]


@pytest.fixture(scope="module")
def cluster_ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[int]]:
    with running_cluster(tmp_path_factory.mktemp("redis-cluster")) as test_cluster:
        yield test_cluster.ports


@pytest.fixture
async def cluster(cluster_ports: list[int]) -> AsyncIterator[RedisCluster]:
    client = RedisCluster(host="127.0.0.1", port=cluster_ports[0], decode_responses=True)
    await client.initialize()
    await client.flushall()  # the test's own throwaway cluster
    yield client
    await client.aclose()


async def test_scripts_run_on_a_cluster(cluster: RedisCluster, cluster_ports: list[int]) -> None:
    source, clock = FakeSeating(), FakeClock()
    showtimes = list(range(1, 7))
    for showtime_id in showtimes:
        source.add(showtime_id, grid_layout(2, 6))
    nodes = {str(cluster.get_node_from_key(keys.show_seq(showtime_id))) for showtime_id in showtimes}
    assert len(nodes) >= 2, "the showtimes should spread over several nodes"
    engine = SeatEngine(cluster, source, clock=clock)

    listener = aioredis.Redis(port=cluster_ports[-1], decode_responses=True)
    async with listener.pubsub() as pubsub:
        await pubsub.subscribe(*(keys.seat_changes(s) for s in showtimes))
        for showtime_id in showtimes:
            hold = await engine.hold(showtime_id, 1, seats=["A-1", "A-2"])
            assert (await engine.snapshot(showtime_id, 1)).mine == ["A-1", "A-2"]
            best = await engine.hold(showtime_id, 2, best=3)
            with pytest.raises(SeatcoreError) as caught:
                await engine.hold(showtime_id, 3, seats=["A-2", "A-3"])
            assert caught.value.code == "seat_unavailable"
            await engine.extend(hold.id, 1)
            assert await engine.buy(hold.id, 1, f"order-{showtime_id}") == ["A-1", "A-2"]
            await engine.release(best.id, 2)
            assert await engine.unsell(showtime_id, f"order-{showtime_id}", ["A-2"]) == ["A-2"]
            snapshot = await engine.snapshot(showtime_id, None)
            assert snapshot.seq == 5
            assert {seat for seat, state in snapshot.states.items() if state != "free"} == {"A-1"}
            deltas = await engine.changes_since(showtime_id, 0)
            assert deltas is not None and [d.seq for d in deltas] == [1, 2, 3, 4, 5]
        # Publications from every node reach a subscriber on any one node.
        seen: set[int] = set()
        async with asyncio.timeout(10):
            while len(seen) < len(showtimes):
                raw = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if raw is not None:
                    seen.add(int(orjson.loads(raw["data"])["showtime_id"]))
    await listener.aclose()

    # Expiry and the sweeper across slots; the per-user cap on the user's own slot.
    expiring = [await engine.hold(showtime_id, 4, seats=["B-1"]) for showtime_id in showtimes[:3]]
    with pytest.raises(SeatcoreError) as caught:
        await engine.hold(showtimes[3], 4, seats=["B-1"])
    assert caught.value.code == "hold_limit"
    clock.advance(engine.rules.ttl_ms)
    # Every hold made is due: the released ones leave the index, the rest stay as tombstones.
    assert await Sweeper(engine, 10).run_once() == 2 * len(showtimes) + len(expiring)
    assert await cluster.zcard(keys.HOLD_SWEEP_INDEX) == len(showtimes) + len(expiring)
    for hold in expiring:
        assert (await engine.snapshot(hold.showtime_id, 4)).states["B-1"] == "free"
    assert await engine.taken_counts(showtimes) == dict.fromkeys(showtimes, 1)
