"""The service's Redis clients pack commands in C and send exactly what redis-py would."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import DataError

from seatcore.redis_client import connect, fast_connection_class

COMMANDS: list[tuple[Any, ...]] = [
    ("EVALSHA", "0" * 40, 2, "sc:{show:1}:seats", "sc:{show:1}:holds", "", 1800000000000, -7, 2.5),
    ("SET", "名字", "座位 A-1 ✓".encode()),  # non-ASCII text and bytes
    ("CONFIG GET", "maxmemory"),  # a command name of two words
    ("SET", "big", "x" * 100_000),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: str(command[0]))
def test_the_c_packer_sends_the_same_bytes_as_redis_py(command: tuple[Any, ...]) -> None:
    ours = fast_connection_class(Connection)()
    assert ours.__class__ is not Connection
    assert b"".join(ours.pack_command(*command)) == b"".join(Connection().pack_command(*command))
    assert b"".join(ours.pack_commands([command, ("PING",)])) == b"".join(
        Connection().pack_commands([command, ("PING",)])
    )


@pytest.mark.parametrize("bad", [None, True, object()])
def test_arguments_redis_cannot_take_are_refused_as_redis_py_refuses_them(bad: object) -> None:
    ours = fast_connection_class(Connection)()
    with pytest.raises(DataError):
        ours.pack_command("SET", "key", bad)
    with pytest.raises(DataError):
        Connection().pack_command("SET", "key", bad)


def test_every_kind_of_connection_keeps_its_transport() -> None:
    for base in (Connection, SSLConnection, UnixDomainSocketConnection):
        fast = fast_connection_class(base)
        assert issubclass(fast, base) and fast is not base
        assert fast_connection_class(fast) is fast  # made once, never wrapped twice
        assert fast_connection_class(base) is fast


async def test_a_client_of_a_real_server(redis_url: str) -> None:
    client = connect(redis_url, max_connections=2, wait_s=1.0, decode_responses=True)
    try:
        assert client.connection_pool.connection_class is fast_connection_class(Connection)
        await client.set("sc:test:packing", "座位 A-1")
        assert await client.get("sc:test:packing") == "座位 A-1"
        assert await client.eval("return ARGV[1] .. ARGV[2]", 0, "A-", 1) == "A-1"
        async with client.pipeline(transaction=False) as pipe:
            pipe.incr("sc:test:packing:n").incrby("sc:test:packing:n", 41)
            assert await pipe.execute() == [1, 42]
    finally:
        await client.delete("sc:test:packing", "sc:test:packing:n")
        await client.aclose()
