"""The order stream's shards and the live map's channels on a Redis Cluster."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest
from redis.asyncio.cluster import RedisCluster

from seatcore import keys
from seatcore.live.shards import ShardedSubscriptions
from seatcore.live.subscriptions import Subscriptions
from seatcore.orders.stream import OrderStream
from seatcore.redis_client import cluster_nodes, connect
from tests.cluster.redis_cluster import LoopbackCluster
from tests.orders.test_writer import paid_order

pytestmark = pytest.mark.cluster


@pytest.fixture
async def cluster(test_cluster: LoopbackCluster) -> AsyncIterator[RedisCluster]:
    test_cluster.flush()
    client = connect(test_cluster.url, max_connections=20, wait_s=5, decode_responses=True)
    assert isinstance(client, RedisCluster)
    await client.initialize()
    yield client
    await client.aclose()


def test_cluster_urls_name_their_nodes() -> None:
    assert cluster_nodes("redis+cluster://10.0.0.1:7000,10.0.0.2:7001") == [
        ("10.0.0.1", 7000),
        ("10.0.0.2", 7001),
    ]
    with pytest.raises(ValueError):
        cluster_nodes("redis+cluster://10.0.0.1")


async def test_orders_spread_over_shards_and_every_one_is_read_claimed_and_acked(
    cluster: RedisCluster,
) -> None:
    stream = OrderStream(cluster)
    assert stream.shards == keys.ORDER_STREAM_SHARDS
    assert len({str(cluster.get_node_from_key(key)) for key in stream.keys}) > 1, "shards on several nodes"
    await stream.ensure_group()
    orders = [paid_order(1, showtime_id, ["A-1"]) for showtime_id in range(1, 25)]
    ids = [await stream.add(order) for order in orders]
    assert len({message_id.split("/")[0] for message_id in ids}) == keys.ORDER_STREAM_SHARDS
    assert all([await stream.waiting(message_id) for message_id in ids])
    # A writer that dies after reading: another takes over everything it held, on every shard.
    read = await stream.read("doomed", count=100, block_ms=10, own_pending=False)
    assert sorted(message.id for message in read) == sorted(ids)
    assert await stream.pending_owners() == ["doomed"]
    claimed = await stream.claim_from("doomed", "heir", count=100)
    assert sorted(message.id for message in claimed) == sorted(ids)
    assert {orjson.loads(m.raw or "{}")["id"] for m in claimed} == {order.id for order in orders}
    await stream.ack([message.id for message in claimed])
    assert await stream.pending_count() == 0 and await stream.length() == 0
    assert not await stream.waiting(ids[0])
    # A blocking read with nothing queued waits on one shard, and comes back empty.
    assert await stream.read("heir", count=10, block_ms=50, own_pending=False) == []


async def _hear(
    subscriptions: Subscriptions | ShardedSubscriptions, cluster: RedisCluster, sharded: bool
) -> None:
    heard: list[int] = []
    all_heard = asyncio.Event()

    async def on_message(data: str | bytes) -> None:
        heard.append(int(orjson.loads(data)["showtime_id"]))
        if sorted(heard) == showtimes:
            all_heard.set()

    async def on_subscribed() -> None:
        return None

    subscriptions._on_message = on_message  # type: ignore[union-attr]
    subscriptions._on_subscribed = on_subscribed  # type: ignore[union-attr]
    showtimes = list(range(1, 9))
    runner = asyncio.create_task(subscriptions.run())
    try:
        for showtime_id in showtimes:
            subscriptions.add(keys.seat_changes(showtime_id, sharded=sharded))
        for showtime_id in showtimes:
            assert await subscriptions.confirmed(keys.seat_changes(showtime_id, sharded=sharded), 10)
        for showtime_id in showtimes:
            channel = keys.seat_changes(showtime_id, sharded=sharded)
            body = orjson.dumps({"showtime_id": showtime_id})
            await (cluster.spublish(channel, body) if sharded else cluster.publish(channel, body))
        await asyncio.wait_for(all_heard.wait(), 10)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def _nothing(*_: object) -> None:
    return None


async def test_plain_channels_are_heard_from_one_node_as_on_redis_6(cluster: RedisCluster) -> None:
    await _hear(Subscriptions(cluster, _nothing, _nothing), cluster, sharded=False)


async def test_shard_channels_are_heard_on_the_node_of_each_showtime(cluster: RedisCluster) -> None:
    subscriptions = ShardedSubscriptions(cluster, _nothing, _nothing)
    await _hear(subscriptions, cluster, sharded=True)
    assert len(subscriptions._nodes) == 0  # let go when the router stopped


async def test_the_checker_reads_a_showtime_on_its_node(cluster: RedisCluster) -> None:
    from seatcore.checker.redis_side import read_showtime

    await cluster.set(keys.show_epoch(5), "e1")
    await cluster.set(keys.show_seq(5), "3")
    state = await read_showtime(cluster, 5)
    assert state is not None and state.seq == 3 and state.now_ms > 0
    assert await read_showtime(cluster, 6) is None
