"""The service's Redis clients pack commands in C and send exactly what redis-py would."""

from __future__ import annotations

import asyncio
import secrets
import socket
from typing import Any

import pytest
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
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


def _connected_as(name: str, clients: list[dict[str, Any]]) -> int:
    return sum(1 for client in clients if client.get("name") == name)


async def test_a_full_pool_waits_for_a_connection_and_never_opens_more(redis_url: str) -> None:
    name = f"sc-test-pool-{secrets.token_hex(4)}"
    client = connect(redis_url, max_connections=2, wait_s=5.0, decode_responses=True, client_name=name)
    watcher = connect(redis_url, max_connections=1, wait_s=1.0, decode_responses=True)
    try:
        # Eight callers, each holding a connection for 0.2 s (BLPOP on an empty list): two at a
        # time, the others wait their turn instead of failing.
        calls = [client.blpop([f"sc:test:{name}:empty"], timeout=0.2) for _ in range(8)]
        waiting = asyncio.gather(*calls)
        await asyncio.sleep(0.1)
        assert _connected_as(name, await watcher.client_list()) == 2
        assert await waiting == [None] * 8
        assert _connected_as(name, await watcher.client_list()) == 2
        assert await client.ping()  # every slot came back
    finally:
        await client.aclose()
        await watcher.aclose()


async def test_a_full_pool_gives_up_after_its_wait(redis_url: str) -> None:
    client = connect(redis_url, max_connections=1, wait_s=0.1, decode_responses=True)
    try:
        busy = asyncio.ensure_future(client.blpop([f"sc:test:{secrets.token_hex(4)}"], timeout=1))
        await asyncio.sleep(0.05)
        with pytest.raises(RedisConnectionError, match="No connection available"):
            await client.ping()
        assert await busy is None
        assert await client.ping()
    finally:
        await client.aclose()


async def test_connections_that_fail_give_their_slot_back() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = connect(f"redis://127.0.0.1:{port}/0", max_connections=2, wait_s=0.2)
    try:
        for _ in range(5):  # more attempts than slots: each is refused, none waits for a slot
            with pytest.raises(RedisConnectionError) as caught:
                await client.ping()
            assert "No connection available" not in str(caught.value)
    finally:
        await client.aclose()
