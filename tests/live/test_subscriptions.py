"""The hub's subscriptions: a process subscribes to a showtime's channel while it has local
watchers, a socket waits for that subscription before its first frame, and a lost connection comes
back subscribed to every watched showtime.

Pub/sub ignores database numbers, so other test runs on the machine's Redis share the channels:
these tests give their showtimes ids no other run uses, and find this hub's own connection in
CLIENT LIST by its name.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY
from redis.asyncio.client import PubSub
from websockets.asyncio.client import connect

from seatcore import keys
from seatcore.live import hub as hub_module
from seatcore.live.hub import LiveHub
from seatcore.live.protocol import CloseCode
from tests.factories import ShowFixture, make_show
from tests.live.serving import LiveServer, change_message, muted
from tests.live.watching import MapClient, converged, eventually, receive_json

# Only what the subscriptions deliver counts here: the heartbeat's audit would fill in after a minute.
NO_AUDIT = {"live_ping_interval_s": 60, "live_idle_timeout_s": 120}


def lone_id() -> int:
    return 10**9 + secrets.randbelow(10**9)


async def lone_show(server: LiveServer) -> ShowFixture:
    """A showtime whose id (so whose channel) no other test run uses."""
    return await make_show(server.runtime.db, id=lone_id())


async def live_hub(server: LiveServer) -> LiveHub:
    """The server's hub, once its reader runs."""
    hub: LiveHub = server.runtime.extras["live"]
    await asyncio.wait_for(hub.ready.wait(), 5)
    return hub


async def hub_connection(server: LiveServer) -> dict[str, Any] | None:
    """CLIENT LIST's line of the hub's pub/sub connection (``sub``: channels it is subscribed to)."""
    name = (await live_hub(server)).subscriptions.name
    clients = await server.runtime.redis.client_list(_type="pubsub")
    return next((client for client in clients if client["name"] == name), None)


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the server never got there"
        await asyncio.sleep(0.02)


async def subscriptions_of_hub(server: LiveServer) -> int:
    connection = await hub_connection(server)
    assert connection is not None
    return int(connection["sub"])


async def test_a_process_subscribes_to_a_showtime_while_it_has_watchers(server: LiveServer) -> None:
    watched, unwatched = await lone_show(server), await lone_show(server)
    redis, hub = server.runtime.redis, await live_hub(server)
    channel, other = keys.seat_changes(watched.showtime_id), keys.seat_changes(unwatched.showtime_id)
    assert await subscriptions_of_hub(server) == 1  # its own channel, which keeps the reader going
    url = f"{server.ws_base}/ws/showtimes/{watched.showtime_id}"
    async with connect(url) as first, connect(url) as second:
        await receive_json(first)
        await receive_json(second)
        # One subscription for both sockets, and none for the showtime nobody here watches.
        assert await redis.pubsub_numsub(channel, other) == [(channel, 1), (other, 0)]
        assert await subscriptions_of_hub(server) == 2
        assert hub.subscriptions.channels() == {channel}
        assert await redis.publish(other, b"{}") == 0  # no process hears it, not even by pattern
        await server.engine.hold(unwatched.showtime_id, 1, seats=["A-1", "A-2"])
        hold = await server.engine.hold(watched.showtime_id, 1, seats=["B-1", "B-2"])
        for ws in (first, second):
            delta = await receive_json(ws)
            assert {c["seat"]: c["state"] for c in delta["changes"]} == dict.fromkeys(["B-1", "B-2"], "held")
    # The last watcher gone, the process unsubscribes.
    await until(lambda: _numsub(server, channel, 0))
    assert await subscriptions_of_hub(server) == 1
    assert hub.subscriptions.channels() == set()
    # Watched again: subscribed again before the snapshot, and the changes flow.
    async with connect(url) as again:
        snapshot = await receive_json(again)
        assert await redis.pubsub_numsub(channel) == [(channel, 1)]
        await server.engine.release(hold.id, 1)
        delta = await receive_json(again)
        assert (delta["from_seq"], delta["seq"]) == (snapshot["seq"] + 1, snapshot["seq"] + 1)


async def _numsub(server: LiveServer, channel: str, count: int) -> bool:
    return bool(await server.runtime.redis.pubsub_numsub(channel) == [(channel, count)])


@pytest.mark.parametrize("live_overrides", [NO_AUDIT])
async def test_a_showtime_left_and_watched_again_at_once_waits_for_its_new_subscription(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection carries SUBSCRIBE, UNSUBSCRIBE, SUBSCRIBE for the channel, slowed down here:
    the new watcher may go on only at the last one's answer. Going on at once (the channel still
    looks subscribed) loses what is published between the last two."""
    hub, redis = await live_hub(server), server.runtime.redis
    showtime_id = lone_id()  # the hub needs no showtime behind the channel for this
    first = hub.watch(showtime_id)
    assert await hub.subscribed(first)
    for method in ("subscribe", "unsubscribe"):
        monkeypatch.setattr(PubSub, method, _slowed(getattr(PubSub, method), 0.3))
    first.end(CloseCode.RESYNC, "test: leave")  # UNSUBSCRIBE goes out after 0.3 s
    second = hub.watch(showtime_id)  # SUBSCRIBE after 0.6 s
    try:
        assert await hub.subscribed(second)
        await hub.joined(second, "e1", 0)
        channel = keys.seat_changes(showtime_id)
        await redis.publish(channel, change_message(showtime_id, 1, "e1", ["A-1"], "held"))
        await asyncio.sleep(0.45)
        await redis.publish(channel, change_message(showtime_id, 2, "e1", ["A-1"], "free"))
        await eventually(lambda: bool(second.frames) and second.frames[-1].seq == 2)
    finally:
        second.end(CloseCode.RESYNC, "test: done")


def _slowed(method: Any, delay_s: float) -> Any:
    async def slowed(self: PubSub, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(delay_s)
        return await method(self, *args, **kwargs)

    return slowed


@pytest.mark.parametrize("live_overrides", [NO_AUDIT])
async def test_watchers_of_several_showtimes_hear_on_after_the_connection_is_lost(server: LiveServer) -> None:
    shows = [await lone_show(server) for _ in range(3)]
    clients = [MapClient(server.ws_base, show.showtime_id) for show in shows]
    try:
        await asyncio.gather(*(client.start() for client in clients))
        await eventually(lambda: all(client.seq is not None for client in clients))
        before = await hub_connection(server)
        assert before is not None and before["sub"] == "4"
        # Changes whose publications are lost, as they are while the connection is down ...
        for show in shows:
            await muted(server).hold(show.showtime_id, 1, seats=["A-1", "A-2"])
        await server.runtime.redis.execute_command("CLIENT", "KILL", "ID", before["id"])
        await until(lambda: _replaced(server, before["id"]))
        # ... reach the watchers through the new connection's audit,
        assert await converged(server.engine, clients)
        # and changes made now through its subscriptions.
        for show in shows:
            await server.engine.hold(show.showtime_id, 2, seats=["C-1", "C-2"])
        assert await converged(server.engine, clients)
        assert all(client.states["C-1"] == "held" for client in clients)
        assert [(client.gaps, client.reconnects) for client in clients] == [(0, 0)] * 3
    finally:
        await asyncio.gather(*(client.stop() for client in clients))


async def _replaced(server: LiveServer, old_id: str) -> bool:
    connection = await hub_connection(server)
    return connection is not None and connection["id"] != old_id and connection["sub"] == "4"


@pytest.mark.parametrize("live_overrides", [{"live_ping_interval_s": 0.3}])
async def test_a_socket_whose_subscription_is_not_confirmed_in_time_is_caught_up_by_the_audit(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = await lone_show(server)
    await live_hub(server)  # its own connection is subscribed; the next SUBSCRIBE takes 3 s
    monkeypatch.setattr(hub_module, "SUBSCRIBE_WAIT_S", 0.2)
    monkeypatch.setattr(PubSub, "subscribe", _slowed(PubSub.subscribe, 3.0))
    unconfirmed = _unconfirmed()
    async with connect(f"{server.ws_base}/ws/showtimes/{show.showtime_id}") as ws:
        snapshot = await receive_json(ws, timeout_s=1.0)  # long before the subscription
        assert _unconfirmed() == unconfirmed + 1
        await server.engine.hold(show.showtime_id, 1, seats=["D-1", "D-2"])  # published to no one
        async with asyncio.timeout(2.5):
            while (frame := await receive_json(ws))["type"] != "delta":
                assert frame["type"] == "ping"
        assert (frame["from_seq"], frame["seq"]) == (snapshot["seq"] + 1, snapshot["seq"] + 1)
        assert {c["seat"] for c in frame["changes"]} == {"D-1", "D-2"}


def _unconfirmed() -> float:
    return REGISTRY.get_sample_value("seatcore_live_unconfirmed_total") or 0.0
