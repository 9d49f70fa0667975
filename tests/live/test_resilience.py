"""The hub when publications go missing, come from elsewhere or from a rebuilt showtime.

A "muted" engine writes changes to the showtime's state and change log like the real one but
publishes them on channels nobody reads: its changes are the messages a subscription lost.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from websockets.asyncio.client import connect

from seatcore import keys
from seatcore.live.protocol import CloseCode
from tests.factories import make_show
from tests.live.serving import LiveServer, muted
from tests.live.watching import close_code, receive_json


async def test_a_gap_in_the_publications_is_filled_from_the_log(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    async with connect(f"{server.ws_base}/ws/showtimes/{show.showtime_id}") as ws:
        snapshot = await receive_json(ws)
        seq = snapshot["seq"]
        lost = muted(server)
        await lost.hold(show.showtime_id, 1, seats=["A-1", "A-2"])
        await lost.hold(show.showtime_id, 2, seats=["B-1", "B-2"])
        await server.engine.hold(show.showtime_id, 3, seats=["C-1", "C-2"])  # published: seq + 3
        states: dict[str, str] = {}
        while seq < snapshot["seq"] + 3:
            frame = await receive_json(ws)
            assert frame["from_seq"] == seq + 1
            seq = frame["seq"]
            states.update({c["seat"]: c["state"] for c in frame["changes"]})
        assert states == dict.fromkeys(["A-1", "A-2", "B-1", "B-2", "C-1", "C-2"], "held")


@pytest.mark.parametrize("live_overrides", [{"live_ping_interval_s": 0.3}])
async def test_a_lost_last_publication_is_replayed_by_the_audit(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    async with connect(f"{server.ws_base}/ws/showtimes/{show.showtime_id}") as ws:
        snapshot = await receive_json(ws)
        await muted(server).hold(show.showtime_id, 1, seats=["D-4", "D-5"])
        while (frame := await receive_json(ws))["type"] != "delta":
            assert frame["type"] == "ping"
        assert (frame["from_seq"], frame["seq"]) == (snapshot["seq"] + 1, snapshot["seq"] + 1)
        assert {c["seat"] for c in frame["changes"]} == {"D-4", "D-5"}


async def test_messages_of_another_epoch_for_the_same_id_are_ignored(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    async with connect(f"{server.ws_base}/ws/showtimes/{show.showtime_id}") as ws:
        snapshot = await receive_json(ws)
        foreign: dict[str, Any] = {
            "showtime_id": show.showtime_id,
            "seq": snapshot["seq"] + 1,
            "epoch": "another-deployment",
            "changes": [{"seat": "A-1", "state": "sold"}],
        }
        await server.runtime.redis.publish(keys.seat_changes(show.showtime_id), orjson.dumps(foreign))
        await server.engine.hold(show.showtime_id, 1, seats=["E-5", "E-6"])
        frame = await receive_json(ws)
        assert (frame["from_seq"], frame["seq"]) == (snapshot["seq"] + 1, snapshot["seq"] + 1)
        assert {c["seat"] for c in frame["changes"]} == {"E-5", "E-6"}


async def test_a_rebuilt_showtime_sends_watchers_to_a_fresh_snapshot(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    await server.engine.hold(show.showtime_id, 1, seats=["A-1", "A-2"])
    async with connect(url) as ws:
        old = await receive_json(ws)
        assert old["states"]["A-1"] == "held"
        # Redis loses the showtime; the next change rebuilds it (holds are gone) under a new epoch.
        await server.runtime.redis.delete(*keys.show_keys(show.showtime_id))
        await server.engine.hold(show.showtime_id, 2, seats=["C-3", "C-4"])
        assert await close_code(ws) == CloseCode.RESYNC
    async with connect(f"{url}?since={old['seq']}&epoch={old['epoch']}") as ws:
        fresh = await receive_json(ws)
        assert fresh["type"] == "snapshot" and fresh["epoch"] != old["epoch"]
        assert fresh["states"]["A-1"] == "free" and fresh["states"]["C-3"] == "held"
