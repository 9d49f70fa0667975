"""The redis-py internals that seatcore/redis_client.py builds on are still there.

setup.cfg caps redis-py below its next major version because the fast clients subclass its
connection pool and reuse its command serializer. When a new release moves one of these, the test
names what moved, so the upgrade is a known piece of work instead of a strange failure elsewhere.
"""

from __future__ import annotations

import inspect

import pytest
import redis
import redis.connection
from redis.asyncio.connection import AbstractConnection, ConnectionPool

USED = [
    (redis.connection, "HiredisRespSerializer", "packs what hiredis cannot (errors, odd arguments)"),
    (AbstractConnection, "pack_command", "overridden to pack with hiredis"),
    (AbstractConnection, "pack_commands", "pipelines must go through our pack_command"),
    (ConnectionPool, "get_available_connection", "WaitingConnectionPool takes connections with it"),
    (ConnectionPool, "ensure_connection", "WaitingConnectionPool connects with it"),
    (ConnectionPool, "release", "WaitingConnectionPool gives slots back with it"),
    (ConnectionPool, "connection_class", "fast_pool swaps in the packing class"),
    (ConnectionPool, "connection_kwargs", "sibling copies a pool's options"),
]


@pytest.mark.parametrize(("owner", "name", "why"), USED, ids=[f"{o.__name__}.{n}" for o, n, _ in USED])
def test_an_internal_seatcore_relies_on_is_still_there(owner: object, name: str, why: str) -> None:
    has = hasattr(owner, name) or name in getattr(owner, "__init__", lambda: None).__code__.co_names
    assert has, (
        f"redis-py {redis.__version__} has no {getattr(owner, '__name__', owner)}.{name}, which "
        f"seatcore/redis_client.py uses ({why}): adapt redis_client.py before allowing this version"
    )


def test_the_pool_still_takes_a_connection_synchronously() -> None:
    # WaitingConnectionPool relies on this step being synchronous, so atomic under asyncio.
    assert not inspect.iscoroutinefunction(ConnectionPool.get_available_connection), (
        f"redis-py {redis.__version__} made ConnectionPool.get_available_connection a coroutine: "
        "WaitingConnectionPool.get_connection in seatcore/redis_client.py must await it"
    )


def test_the_serializer_packs_as_the_connection_does() -> None:
    packed = redis.connection.HiredisRespSerializer().pack("SET", "k", "v")
    assert b"".join(packed) == b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", (
        f"redis-py {redis.__version__} changed HiredisRespSerializer.pack's answer"
    )
