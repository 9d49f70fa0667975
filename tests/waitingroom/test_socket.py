"""The waiting room's socket against a real server: the fan's number, the line frame every
socket shares, the opening that draws early places and tells each socket its number, the token
pushed on admission (and good for a hold), heartbeats, and the refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]
import orjson
from websockets.asyncio.client import ClientConnection, connect

from seatcore.auth.principal import Principal
from seatcore.live.protocol import CloseCode
from seatcore.store import users
from seatcore.waitingroom.line import RoomRules
from seatcore.waitingroom.protocol import SCHEMAS
from tests.factories import make_show
from tests.live.serving import LiveServer
from tests.live.watching import close_code

WATCHERS = 40


async def _token(server: LiveServer, name: str) -> tuple[int, str]:
    runtime = server.runtime
    user = await users.get_or_create_user(runtime.db, f"openid-{name}", name)
    return user.id, runtime.tokens.issue(Principal(kind="user", id=user.id, role="moviegoer"))


async def _frame(
    ws: ClientConnection, kinds: tuple[str, ...] = ("place", "line", "admitted", "closed")
) -> Any:
    """The next frame of one of ``kinds`` (checked against its schema), skipping the others."""
    while True:
        frame = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
        jsonschema.validate(frame, SCHEMAS[frame["type"]])
        if frame["type"] in kinds:
            return frame


def _url(server: LiveServer, showtime_id: int, token: str) -> str:
    return f"{server.ws_base}/ws/showtimes/{showtime_id}/waiting-room?token={token}"


async def test_the_line_moves_and_the_token_comes_over_the_socket(server: LiveServer) -> None:
    runtime = server.runtime
    show = await make_show(runtime.db)
    rooms = runtime.waiting_rooms
    await rooms.open(show.showtime_id, RoomRules(rooms.now_ms() - 1_000, per_minute=0, window_s=600, cap=1))
    alice_id, _ = await _token(server, "alice")
    assert (await rooms.join(show.showtime_id, alice_id)).admitted  # type: ignore[union-attr]
    _, bob = await _token(server, "bob")
    _, carol = await _token(server, "carol")
    # Bob joins (his first frame answers it) before Carol connects: she is behind him.
    async with connect(_url(server, show.showtime_id, bob)) as bob_ws:
        bob_place = await _frame(bob_ws)
        async with connect(_url(server, show.showtime_id, carol)) as carol_ws:
            carol_place = await _frame(carol_ws)
            assert (bob_place["type"], bob_place["number"] - bob_place["served"]) == ("place", 0)
            assert carol_place["number"] == bob_place["number"] + 1 and carol_place["open"]
            await bob_ws.send('{"type": "ping"}')
            assert (await _frame(bob_ws, ("pong",)))["type"] == "pong"
            await rooms.leave(show.showtime_id, alice_id)  # alice's slot frees: bob's turn
            admitted = await _frame(bob_ws, ("admitted",))
            assert await close_code(bob_ws) == 1000
            line = await _frame(carol_ws, ("line",))
            while line["served"] <= bob_place["number"]:
                line = await _frame(carol_ws, ("line",))
            assert carol_place["number"] - line["served"] == 0, "carol is next"
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        holds = f"/api/v1/showtimes/{show.showtime_id}/holds"
        auth = {"Authorization": f"Bearer {bob}"}
        refused = await http.post(holds, json={"seats": ["A-1", "A-2"]}, headers=auth)
        assert refused.status_code == 403
        held = await http.post(
            holds, json={"seats": ["A-1", "A-2"]}, headers=auth | {"X-Admission-Token": admitted["token"]}
        )
        assert held.status_code == 201, held.text


async def test_the_opening_draws_the_early_places_and_tells_each_socket(server: LiveServer) -> None:
    runtime = server.runtime
    show = await make_show(runtime.db)
    rooms = runtime.waiting_rooms
    await rooms.open(show.showtime_id, RoomRules(rooms.now_ms() + 3_600_000, per_minute=1, window_s=600))
    tokens = [(await _token(server, f"fan{n}"))[1] for n in range(WATCHERS)]
    sockets = [await connect(_url(server, show.showtime_id, token)).__aenter__() for token in tokens]
    try:
        before = [await _frame(ws) for ws in sockets]
        assert all(frame["type"] == "place" and not frame["open"] for frame in before)
        # Staff bring the opening forward to now: the early places are drawn.
        await rooms.open(show.showtime_id, RoomRules(rooms.now_ms(), per_minute=1, window_s=600))
        after = [await _frame(ws, ("place",)) for ws in sockets]
        assert all(frame["open"] for frame in after)
        assert sorted(frame["number"] for frame in after) == list(range(WATCHERS)), "one number each"
        lines = [await _frame(ws, ("line",)) for ws in sockets]
        assert len({orjson.dumps(line) for line in lines}) == 1, "every socket is sent the same line frame"
    finally:
        for ws in sockets:
            await ws.close()


async def test_the_socket_refuses_strangers_and_showtimes_without_a_room(server: LiveServer) -> None:
    show = await make_show(server.runtime.db)
    _, token = await _token(server, "dave")
    async with connect(f"{server.ws_base}/ws/showtimes/{show.showtime_id}/waiting-room") as anonymous:
        assert await close_code(anonymous) == CloseCode.BAD_TOKEN
    async with connect(_url(server, show.showtime_id, "not-a-token")) as forged:
        assert await close_code(forged) == CloseCode.BAD_TOKEN
    async with connect(_url(server, show.showtime_id, token)) as no_room:
        assert await close_code(no_room) == CloseCode.NO_SHOWTIME
