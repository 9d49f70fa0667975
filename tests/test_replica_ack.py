"""WAIT after payment where there is no replica (the machine's Redis, or ``--redis-cluster``'s
masters alone): nobody to wait for, so a payment is not held up. The waits themselves, and what
they keep through a failover, are tested on a cluster with replicas (tests/cluster)."""

from __future__ import annotations

from seatcore import redis_client
from seatcore.replica_ack import ReplicaAck


async def test_without_replicas_nothing_is_waited_for(redis_url: str) -> None:
    client = redis_client.connect(redis_url, max_connections=2, wait_s=1.0)
    try:
        waiter = ReplicaAck(client, 60_000)  # a wait would hang the test for a minute
        assert await waiter.wait(["sc:{show:1}:order:x", "sc:orders:in-flight"]) is None
        assert await waiter.wait(["sc:{show:1}:order:x"]) is None  # asked once, remembered
    finally:
        await client.aclose()
