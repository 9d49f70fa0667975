"""Holds while a premiere's waiting room is open, over HTTP: none without a valid admission token
(none, forged, expired, another showtime's, another fan's), not even from hundreds of fans at
once; a fan who left or bought shops no more; holds need no token once staff close the room."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette

from seatcore.auth.principal import Principal
from seatcore.store import users
from tests.factories import ShowFixture, make_show
from tests.orders.conftest import key
from tests.polling import wait_for

CROWD = 300


async def _headers(app: Starlette, name: str) -> dict[str, str]:
    runtime = app.state.runtime
    user = await users.get_or_create_user(runtime.db, f"openid-{name}", name)
    token = runtime.tokens.issue(Principal(kind="user", id=user.id, role="moviegoer"))
    return {"Authorization": f"Bearer {token}"}


async def _staff(app: Starlette) -> dict[str, str]:
    runtime = app.state.runtime
    staff_id = await users.create_staff(runtime.db, "boss", "not-a-password-hash", "admin", ())
    return {
        "Authorization": f"Bearer {runtime.tokens.issue(Principal(kind='staff', id=staff_id, role='admin'))}"
    }


async def _room_with_one_slot(app: Starlette, client: httpx.AsyncClient) -> ShowFixture:
    """A showtime whose open room lets one fan shop at a time."""
    show = await make_show(app.state.runtime.db)
    room = f"/api/v1/staff/showtimes/{show.showtime_id}/waiting-room"
    body = {"opens_at": "2020-01-01T00:00:00Z", "cap": 1, "window_s": 600}
    assert (await client.put(room, json=body, headers=await _staff(app))).status_code == 200
    return show


async def test_holds_need_an_admission_token_while_the_room_is_open(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    runtime = app.state.runtime
    show, other = await make_show(runtime.db), await make_show(runtime.db)
    boss = await _staff(app)
    room = f"/api/v1/staff/showtimes/{show.showtime_id}/waiting-room"
    opened = await client.put(
        room, json={"opens_at": "2020-01-01T00:00:00Z", "per_minute": 1000}, headers=boss
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["cap"] == 0 and opened.json()["grace_s"] == runtime.settings.waiting_room_grace_s
    alice = await _headers(app, "alice")
    holds = f"/api/v1/showtimes/{show.showtime_id}/holds"
    refused = await client.post(holds, json={"seats": ["A-1", "A-2"]}, headers=alice)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "admission_required"
    place = (await client.post(f"/api/v1/showtimes/{show.showtime_id}/waiting-room", headers=alice)).json()
    assert place["admitted"] and place["token"]
    alice_id = int(place["token"].split(".")[1])
    token = place["token"]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    expired = runtime.waiting_rooms.tokens.issue(
        show.showtime_id, alice_id, runtime.waiting_rooms.now_ms() - 1
    )
    elsewhere = token.replace(f"{show.showtime_id}.", f"{other.showtime_id}.", 1)
    for bad in (forged, expired, elsewhere, "x" * 300, "é".encode("latin-1")):
        answer = await client.post(
            holds, json={"seats": ["A-1", "A-2"]}, headers={**alice, "X-Admission-Token": bad}
        )  # type: ignore[dict-item]
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "admission_required", (
            answer.text
        )
    bob = await _headers(app, "bob")  # another fan's token is not yours
    stolen = await client.post(
        holds, json={"seats": ["A-1", "A-2"]}, headers=bob | {"X-Admission-Token": token}
    )
    assert stolen.status_code == 403
    held = await client.post(
        holds, json={"seats": ["A-1", "A-2"]}, headers=alice | {"X-Admission-Token": token}
    )
    assert held.status_code == 201, held.text
    state = (await client.get(room, headers=boss)).json()
    assert state["shopping"] == 1 and state["served"] == 1 and state["admitted"] == 1
    # Leaving ends the shopping: the token, still within its window, holds no more.
    assert (await client.delete(f"/api/v1/holds/{held.json()['id']}", headers=alice)).status_code < 300
    left = await client.delete(f"/api/v1/showtimes/{show.showtime_id}/waiting-room", headers=alice)
    assert left.status_code == 204
    again = await client.post(
        holds, json={"seats": ["C-1", "C-2"]}, headers=alice | {"X-Admission-Token": token}
    )
    assert again.status_code == 403 and "over" in again.json()["error"]["message"]
    # Other showtimes sell as ever; once the room closes, so does this one.
    assert (
        await client.post(
            f"/api/v1/showtimes/{other.showtime_id}/holds", json={"seats": ["A-1", "A-2"]}, headers=bob
        )
    ).status_code == 201
    assert (await client.delete(room, headers=boss)).status_code == 204
    assert (await client.post(holds, json={"seats": ["B-1", "B-2"]}, headers=bob)).status_code == 201
    no_room = await client.post(f"/api/v1/showtimes/{show.showtime_id}/waiting-room", headers=alice)
    assert no_room.status_code == 404 and no_room.json()["error"]["code"] == "no_waiting_room"
    assert (await client.get(room, headers=boss)).status_code == 404


async def test_a_crowd_without_tokens_holds_nothing(app: Starlette, client: httpx.AsyncClient) -> None:
    show = await _room_with_one_slot(app, client)
    crowd = [await _headers(app, f"fan{n}") for n in range(CROWD)]
    holds = f"/api/v1/showtimes/{show.showtime_id}/holds"
    answers = await asyncio.gather(*(client.post(holds, json={"best": 2}, headers=fan) for fan in crowd))
    assert {answer.status_code for answer in answers} == {403}
    seats = (await client.get(f"/api/v1/showtimes/{show.showtime_id}/seats")).json()
    assert set(seats["states"].values()) == {"free"} and seats["seq"] == 0


async def test_a_room_needs_a_dial(app: Starlette, client: httpx.AsyncClient) -> None:
    show = await make_show(app.state.runtime.db)
    room = f"/api/v1/staff/showtimes/{show.showtime_id}/waiting-room"
    answer = await client.put(room, json={"opens_at": "2020-01-01T00:00:00Z"}, headers=await _staff(app))
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "validation_failed"


async def test_buying_frees_the_slot_for_the_next_fan(app: Starlette, client: httpx.AsyncClient) -> None:
    show = await _room_with_one_slot(app, client)
    line = f"/api/v1/showtimes/{show.showtime_id}/waiting-room"
    alice, bob = await _headers(app, "alice"), await _headers(app, "bob")
    token = (await client.post(line, headers=alice)).json()["token"]
    assert not (await client.post(line, headers=bob)).json()["admitted"], "the one slot is alice's"
    hold = await client.post(
        f"/api/v1/showtimes/{show.showtime_id}/holds",
        json={"seats": ["A-1", "A-2"]},
        headers=alice | {"X-Admission-Token": token},
    )
    order = await client.post("/api/v1/orders", json={"hold_id": hold.json()["id"]}, headers=alice | key())
    assert order.status_code == 201, order.text
    paid = await client.post(f"/api/v1/orders/{order.json()['id']}/pay", headers=alice | key())
    assert paid.status_code == 200, paid.text

    async def bobs_turn() -> bool:  # the sandbox's payment notice arrives a moment later
        return bool((await client.post(line, headers=bob)).json()["admitted"])

    await wait_for(bobs_turn)


async def test_showtime_answers_say_when_a_room_is_open(app: Starlette, client: httpx.AsyncClient) -> None:
    """The seat pages take a place in the line only when the showtime says a room is open."""
    show, other = await make_show(app.state.runtime.db), await make_show(app.state.runtime.db)
    detail = f"/api/v1/showtimes/{show.showtime_id}"
    assert (await client.get(detail)).json()["waiting_room"] is False
    room = f"/api/v1/staff/showtimes/{show.showtime_id}/waiting-room"
    boss = await _staff(app)
    body = {"opens_at": "2020-01-01T00:00:00Z", "per_minute": 10}
    assert (await client.put(room, json=body, headers=boss)).status_code == 200
    assert (await client.get(detail)).json()["waiting_room"] is True  # at once: not from a cache
    day = (await client.get(detail)).json()["starts_at"][:10]  # the cinema's local date
    listed = (await client.get(f"/api/v1/showtimes?cinema_id={show.cinema_id}&date={day}")).json()["items"]
    assert {item["id"]: item["waiting_room"] for item in listed}.get(show.showtime_id) is True
    assert (await client.get(f"/api/v1/showtimes/{other.showtime_id}")).json()["waiting_room"] is False
    assert (await client.delete(room, headers=boss)).status_code in (200, 204)
    assert (await client.get(detail)).json()["waiting_room"] is False
