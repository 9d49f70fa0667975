"""The seat-map socket against a real uvicorn: first frames, deltas, resume, refusals and close codes."""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio as aioredis
from websockets.asyncio.client import connect
from websockets.typing import Origin

from seatcore import keys
from seatcore.live.protocol import CloseCode
from tests.factories import make_show
from tests.live.conftest import SignIn
from tests.live.serving import LiveServer
from tests.live.watching import close_code, eventually, receive_json


@pytest.fixture
def live_overrides() -> dict[str, Any]:
    return {"live_max_sockets_per_ip": 3, "allowed_origins": ["https://m.cinema.example"]}


async def test_snapshot_then_deltas_in_order(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    async with connect(f"{server.ws_base}/ws/showtimes/{show.showtime_id}") as ws:
        snapshot = await receive_json(ws)
        assert snapshot["type"] == "snapshot"
        assert snapshot["showtime_id"] == show.showtime_id
        assert set(snapshot["states"].values()) == {"free"} and len(snapshot["states"]) == 50
        assert snapshot["mine"] == [] and snapshot["my_hold"] is None
        hold = await server.engine.hold(show.showtime_id, 7, seats=["C-4", "C-5"])
        delta = await receive_json(ws)
        assert delta["from_seq"] == delta["seq"] == snapshot["seq"] + 1
        assert sorted(delta["changes"], key=lambda c: c["seat"]) == [  # no hold id: not theirs
            {"seat": "C-4", "state": "held"},
            {"seat": "C-5", "state": "held"},
        ]
        await server.engine.release(hold.id, 7)
        delta = await receive_json(ws)
        assert delta["from_seq"] == snapshot["seq"] + 2
        assert {c["seat"]: c["state"] for c in delta["changes"]} == {"C-4": "free", "C-5": "free"}


async def test_signed_in_snapshot_names_my_seats(server: LiveServer, sign_in: SignIn) -> None:
    show = await make_show(server.runtime.db)
    token = await sign_in("ann")
    user_id = server.runtime.tokens.verify(token).id
    hold = await server.engine.hold(show.showtime_id, user_id, seats=["B-1", "B-2"])
    await server.engine.hold(show.showtime_id, user_id + 1000, seats=["E-1", "E-2"])
    headers = {"Authorization": f"Bearer {token}"}
    for url, extra in (
        (f"{server.ws_base}/ws/showtimes/{show.showtime_id}", headers),
        (f"{server.ws_base}/ws/showtimes/{show.showtime_id}?token={token}", {}),
    ):
        async with connect(url, additional_headers=extra) as ws:
            snapshot = await receive_json(ws)
            assert sorted(snapshot["mine"]) == ["B-1", "B-2"]
            assert snapshot["my_hold"]["id"] == hold.id
            assert snapshot["states"]["E-1"] == snapshot["states"]["B-1"] == "held"
    async with connect(f"{server.ws_base}/ws/showtimes/{show.showtime_id}") as ws:
        anonymous = await receive_json(ws)
        assert anonymous["mine"] == [] and anonymous["my_hold"] is None


async def test_hold_ids_go_only_to_their_owner(server: LiveServer, sign_in: SignIn) -> None:
    """Live deltas and resumed replays alike: the owner's socket is sent the hold's id, another
    moviegoer's and an anonymous one see the seats held and nothing more."""
    show = await make_show(server.runtime.db)
    owner_token, other_token = await sign_in("owen"), await sign_in("olga")
    owner = server.runtime.tokens.verify(owner_token).id
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    watchers = {
        "owner": f"{url}?token={owner_token}",
        "other": f"{url}?token={other_token}",
        "anonymous": url,
    }
    held = {"seat": "E-1", "state": "held"}, {"seat": "E-2", "state": "held"}
    async with (
        connect(watchers["owner"]) as mine,
        connect(watchers["other"]) as theirs,
        connect(watchers["anonymous"]) as nobody,
    ):
        snapshot = await receive_json(mine)
        for ws in (theirs, nobody):
            await receive_json(ws)
        hold = await server.engine.hold(show.showtime_id, owner, seats=["E-1", "E-2"])
        own = sorted((await receive_json(mine))["changes"], key=lambda c: c["seat"])
        assert own == [{**change, "hold_id": hold.id} for change in held]
        for ws in (theirs, nobody):
            assert sorted((await receive_json(ws))["changes"], key=lambda c: c["seat"]) == list(held)
    since = f"since={snapshot['seq']}&epoch={snapshot['epoch']}"
    for who, expected in (("owner", hold.id), ("other", None), ("anonymous", None)):
        separator = "&" if "?" in watchers[who] else "?"
        async with connect(f"{watchers[who]}{separator}{since}") as ws:
            replay = await receive_json(ws)
            assert replay["type"] == "delta", who
            assert {c["seat"]: c.get("hold_id") for c in replay["changes"]} == dict.fromkeys(
                ["E-1", "E-2"], expected
            ), who


async def test_resume_replays_only_what_was_missed(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    async with connect(url) as ws:
        snapshot = await receive_json(ws)
    first = await server.engine.hold(show.showtime_id, 1, seats=["A-1", "A-2"])
    await server.engine.hold(show.showtime_id, 2, seats=["D-5", "D-6"])
    await server.engine.release(first.id, 1)
    since, epoch = snapshot["seq"], snapshot["epoch"]
    async with connect(f"{url}?since={since}&epoch={epoch}") as ws:
        replay = await receive_json(ws)
        assert replay["type"] == "delta"
        assert (replay["from_seq"], replay["seq"]) == (since + 1, since + 3)
        # Coalesced: each seat's final state only.
        assert {c["seat"]: c["state"] for c in replay["changes"]} == {
            "A-1": "free",
            "A-2": "free",
            "D-5": "held",
            "D-6": "held",
        }
        await server.engine.hold(show.showtime_id, 3, seats=["E-9", "E-10"])
        live = await receive_json(ws)
        assert (live["from_seq"], live["seq"]) == (since + 4, since + 4)
    # Up to date: nothing is sent until the next change.
    async with connect(f"{url}?since={since + 4}&epoch={epoch}") as ws:
        await server.engine.hold(show.showtime_id, 4, seats=["B-9", "B-10"])
        assert (await receive_json(ws))["from_seq"] == since + 5


async def test_resume_gets_a_snapshot_when_the_log_no_longer_reaches(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    async with connect(url) as ws:
        snapshot = await receive_json(ws)
    for user in range(1, 5):
        await server.engine.hold(
            show.showtime_id, user, seats=[f"{'ABCD'[user - 1]}-1", f"{'ABCD'[user - 1]}-2"]
        )
    redis: aioredis.Redis = server.runtime.redis
    # The log is capped: age out its oldest entries as a busy showtime would.
    await redis.xtrim(keys.show_log(show.showtime_id), minid=f"{snapshot['seq'] + 3}-0", approximate=False)
    async with connect(f"{url}?since={snapshot['seq']}&epoch={snapshot['epoch']}") as ws:
        fresh = await receive_json(ws)
        assert fresh["type"] == "snapshot" and fresh["seq"] == snapshot["seq"] + 4
        assert [fresh["states"][f"{row}-1"] for row in "ABCDE"] == ["held"] * 4 + ["free"]
    # Another epoch (the state was rebuilt) or a seq from the future: a snapshot too.
    for query in (f"since={snapshot['seq'] + 4}&epoch=0123456789abcdef", f"since={snapshot['seq'] + 99}"):
        async with connect(f"{url}?{query}") as ws:
            again = await receive_json(ws)
            assert again["type"] == "snapshot" and again["epoch"] == snapshot["epoch"]


async def test_ping_is_answered_and_other_frames_close_4400(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    for bad in ("hello", '{"type": "snapshot"}', '{"type": "ping", "x": 1}', "[]", b"\x00\x01", "x" * 5000):
        async with connect(url) as ws:
            await receive_json(ws)
            await ws.send('{"type": "ping"}')
            assert await receive_json(ws) == {"type": "pong"}
            await ws.send(bad)
            assert await close_code(ws) == CloseCode.BAD_FRAME


@pytest.mark.parametrize(
    "showtime",
    ["0", "abc", "-1", "9007199254740993", "424242", "1e3", "%C2%B2", "%D9%A3", "9" * 30, "1" * 5000],
)
async def test_unknown_showtimes_close_4404(server: LiveServer, showtime: str) -> None:
    async with connect(f"{server.ws_base}/ws/showtimes/{showtime}") as ws:
        assert await close_code(ws) == CloseCode.NO_SHOWTIME


async def test_bad_query_token_and_origin_are_refused(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    for query in ("since=abc", "since=-3", f"since=1&epoch={'e' * 200}", "since=%C2%B2", f"since={'9' * 40}"):
        async with connect(f"{url}?{query}") as ws:
            assert await close_code(ws) == CloseCode.BAD_FRAME
    async with connect(f"{url}?token=not-a-token") as ws:
        assert await close_code(ws) == CloseCode.BAD_TOKEN
    async with connect(url, additional_headers={"Authorization": "Bearer nope"}) as ws:
        assert await close_code(ws) == CloseCode.BAD_TOKEN
    async with connect(url, origin=Origin("https://evil.example")) as ws:
        assert await close_code(ws) == CloseCode.ORIGIN_REFUSED
    host = server.base_url.removeprefix("http://")
    for origin in ("https://m.cinema.example", f"http://{host}"):
        async with connect(url, origin=Origin(origin)) as ws:
            assert (await receive_json(ws))["type"] == "snapshot"


async def test_sockets_per_address_are_capped(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    url = f"{server.ws_base}/ws/showtimes/{show.showtime_id}"
    sockets = [await connect(url) for _ in range(3)]
    try:
        for ws in sockets:
            await receive_json(ws)
        async with connect(url) as extra:
            assert await close_code(extra) == CloseCode.TOO_MANY_SOCKETS
        await sockets.pop().close()
        hub = server.runtime.extras["live"]
        await eventually(lambda: hub.sockets_from("127.0.0.1") == 2)
        async with connect(url) as again:
            assert (await receive_json(again))["type"] == "snapshot"
    finally:
        for ws in sockets:
            await ws.close()
