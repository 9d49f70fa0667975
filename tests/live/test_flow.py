"""Flow control of the seat-map sockets: coalescing, slow consumers and heartbeats.

Changes are published here straight onto the showtime's channel, in the engine's shape, so a test
can send far more (and far larger) changes than real holds would make in the same time.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from seatcore import keys
from seatcore.domain.layout import grid_layout
from seatcore.live.protocol import CloseCode
from tests.factories import make_show
from tests.live.serving import LiveServer, change_message
from tests.live.watching import close_code, receive_json


@pytest.mark.parametrize("live_overrides", [{"live_coalesce_ms": 300}])
async def test_changes_within_the_window_travel_as_one_frame(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    async with connect(f"{server.ws_base}/ws/showtimes/{show.showtime_id}") as ws:
        snapshot = await receive_json(ws)
        seq, epoch = snapshot["seq"], snapshot["epoch"]
        channel = keys.seat_changes(show.showtime_id)
        async with server.runtime.redis.pipeline(transaction=False) as pipe:
            pipe.publish(channel, change_message(show.showtime_id, seq + 1, epoch, ["A-1", "A-2"], "held"))
            pipe.publish(channel, change_message(show.showtime_id, seq + 2, epoch, ["B-1"], "sold"))
            pipe.publish(channel, change_message(show.showtime_id, seq + 3, epoch, ["A-1", "A-2"], "free"))
            await pipe.execute()
        frame = await receive_json(ws)
        assert (frame["from_seq"], frame["seq"]) == (seq + 1, seq + 3)
        assert sorted((c["seat"], c["state"]) for c in frame["changes"]) == [
            ("A-1", "free"),
            ("A-2", "free"),
            ("B-1", "sold"),
        ]


@pytest.mark.parametrize(
    "live_overrides", [{"live_coalesce_ms": 0, "live_queue_frames": 4, "live_close_timeout_s": 60}]
)
async def test_a_client_that_stops_reading_is_closed_4000_and_slows_no_one(server: LiveServer) -> None:
    # A big hall makes big frames, so the socket buffers between server and client fill quickly.
    layout = grid_layout(20, 40)
    show = await make_show(server.runtime.db, layout=layout)
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    seats = [seat["id"] for row in layout["rows"] for seat in row["seats"]]
    async with connect(url, max_queue=1, compression=None) as slow, connect(url, max_size=None) as normal:
        snapshot = await receive_json(normal)
        await receive_json(slow)
        seq, epoch = snapshot["seq"], snapshot["epoch"]
        hub = server.runtime.extras["live"]
        last = seq
        # Publish until the hub has given up on the slow client, then some more.
        while hub.watching(show.showtime_id) == 2 or last < seq + 20:
            last += 1
            state = "held" if last % 2 else "free"
            await server.runtime.redis.publish(
                keys.seat_changes(show.showtime_id),
                change_message(show.showtime_id, last, epoch, seats, state),
            )
            assert last < seq + 2000, "the slow client was never dropped"
            await asyncio.sleep(0.002)
        received = seq
        while received < last:
            frame = await receive_json(normal)
            assert frame["from_seq"] == received + 1
            received = frame["seq"]
        assert await close_code(slow, timeout_s=30) == CloseCode.RESYNC


@pytest.mark.parametrize("live_overrides", [{"live_ping_interval_s": 0.2, "live_idle_timeout_s": 0.7}])
async def test_pings_carry_the_seq_and_silent_clients_are_dropped(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    async with connect(url) as silent, connect(url) as chatty:
        snapshot = await receive_json(silent)
        await receive_json(chatty)

        async def keep_pinging() -> None:
            while True:
                await chatty.send('{"type": "ping"}')
                await asyncio.sleep(0.15)

        pinger = asyncio.create_task(keep_pinging())
        hold = await server.engine.hold(show.showtime_id, 5, seats=["A-1", "A-2"])
        frames = []
        with contextlib.suppress(ConnectionClosed):
            while True:
                frames.append(await receive_json(silent))
        assert silent.close_code == CloseCode.IDLE_TIMEOUT
        assert frames[0]["type"] == "delta" and frames[0]["changes"][0]["state"] == "held"
        pings = [frame for frame in frames if frame["type"] == "ping"]
        assert pings and all(ping["seq"] == snapshot["seq"] + 1 for ping in pings)
        # The client that pings outlives the idle timeout several times over and is still live.
        await asyncio.sleep(2)
        await server.engine.release(hold.id, 5)
        kinds = set()
        while (frame := await receive_json(chatty))["type"] != "delta" or frame["seq"] < snapshot["seq"] + 2:
            kinds.add(frame["type"])
        assert kinds == {"delta", "ping", "pong"}
        pinger.cancel()
