"""WAIT after payment (seatcore/replica_ack.py): a write a replica acknowledged survives its
master's death; the control shows that one no replica had is lost with it, so the wait is what
keeps a paid order. Runs on the module's own 3+3 cluster (conftest.py)."""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest
import redis
from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException

from seatcore import redis_client
from seatcore.replica_ack import NOT_ACKNOWLEDGED, ReplicaAck
from tests.cluster.redis_cluster import LoopbackCluster, wait_for

pytestmark = pytest.mark.cluster


@pytest.fixture
async def client(test_cluster: LoopbackCluster) -> AsyncIterator[redis.asyncio.Redis]:
    connected = redis_client.connect(test_cluster.url, max_connections=8, wait_s=5.0)
    yield connected
    await connected.aclose()


def _nodes(cluster: LoopbackCluster) -> dict[str, dict[str, str]]:
    return redis.Redis(port=cluster.alive()[0], decode_responses=True).cluster("nodes")  # type: ignore[no-any-return]


def _master_port(cluster: LoopbackCluster, key: str) -> int | None:
    """The port of ``key``'s master as a live node sees it; None while no master covers it."""
    plain = RedisCluster(host="127.0.0.1", port=cluster.alive()[0])
    try:
        return int(plain.get_node_from_key(key).port)  # type: ignore[no-untyped-call]
    except RedisClusterException:
        return None  # mid-failover
    finally:
        plain.close()


def _replica_port(cluster: LoopbackCluster, master_port: int) -> int | None:
    nodes = _nodes(cluster)
    master_id = next(n["node_id"] for a, n in nodes.items() if a.startswith(f"127.0.0.1:{master_port}"))
    for address, node in nodes.items():
        port = int(address.split("@")[0].rsplit(":", 1)[1])
        if node["master_id"] == master_id and "fail" not in node["flags"] and port in cluster.alive():
            return port
    return None


def _key_with_replica(cluster: LoopbackCluster, label: str) -> tuple[str, int, int]:
    """A showtime-tagged key whose master still has a live replica: key, master, replica."""
    for showtime_id in range(1, 1000):
        key = f"sc:{{show:{showtime_id}}}:order:{label}"
        master = _master_port(cluster, key)
        replica = None if master is None else _replica_port(cluster, master)
        if master is not None and replica is not None:
            return key, master, replica
    raise AssertionError("no master with a replica is left")


@contextmanager
def _cut_off(cluster: LoopbackCluster, master: int, replica: int) -> Iterator[None]:
    """The replica frozen (SIGSTOP) and its link to the master closed: it takes nothing the master
    writes now, and cannot come back for it until the block ends."""
    cluster.servers[replica].send_signal(signal.SIGSTOP)
    redis.Redis(port=master).client_kill_filter(_type="replica")
    try:
        yield
    finally:
        cluster.servers[replica].send_signal(signal.SIGCONT)


def _value_after_failover(cluster: LoopbackCluster, key: str, master: int) -> bytes | None:
    """Kill ``key``'s master at once and read ``key`` from the replica promoted in its place."""
    cluster.kill(master)
    wait_for(lambda: _master_port(cluster, key) not in (None, master), "a replica promoted")
    cluster.wait_ok()
    return redis.Redis(port=_master_port(cluster, key) or 0).get(key)


async def test_off_or_without_replicas_nothing_is_waited_for(client: redis.asyncio.Redis) -> None:
    assert await ReplicaAck(client, 0).wait(["sc:{show:1}:order:x"]) is None


async def test_an_acknowledged_write_survives_its_masters_death(
    test_cluster: LoopbackCluster, client: redis.asyncio.Redis
) -> None:
    key, master, _ = _key_with_replica(test_cluster, "kept")
    await client.set(key, "paid")
    assert await ReplicaAck(client, 2000).wait([key, "sc:orders:in-flight"]) is True
    assert _value_after_failover(test_cluster, key, master) == b"paid"


async def test_control_a_write_no_replica_acknowledged_dies_with_its_master(
    test_cluster: LoopbackCluster, client: redis.asyncio.Redis
) -> None:
    test_cluster.wait_ok()
    key, master, replica = _key_with_replica(test_cluster, "lost")
    ack = ReplicaAck(client, 200)
    assert await ack.wait([key]) is True  # the service's waiter has met this master's replica
    before = NOT_ACKNOWLEDGED._value.get()
    with _cut_off(test_cluster, master, replica):
        await client.set(key, "paid")
        assert await ack.wait([key]) is False  # the service then waits for MySQL instead
        test_cluster.kill(master)
    assert NOT_ACKNOWLEDGED._value.get() == before + 1
    wait_for(lambda: _master_port(test_cluster, key) == replica, "the frozen replica promoted")
    test_cluster.wait_ok()
    assert redis.Redis(port=replica).get(key) is None
