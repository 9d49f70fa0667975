"""The waiting room: random places for early fans, arrival order after, admission at the set
rate, one place per fan under concurrency (and the control that shows the test would catch a
racy join), and holds refused without a valid admission token while the room is open."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from seatcore import keys
from seatcore.auth.principal import Principal
from seatcore.redis_client import connect
from seatcore.store import users
from seatcore.waitingroom.line import RoomRules
from seatcore.waitingroom.room import WaitingRooms
from seatcore.waitingroom.tokens import AdmissionTokens
from tests.factories import make_show

OPENS = 1_000_000_000_000  # ms
FANS = 2000


def test_admission_follows_the_clock() -> None:
    rules = RoomRules(OPENS, per_minute=600, window_s=600)
    assert rules.admitted_by(OPENS - 1) == 0
    assert rules.admitted_by(OPENS) == 10  # the first second's share at once
    assert rules.admitted_by(OPENS + 60_000) == 610
    assert rules.wait_s(9, OPENS) == 0 and rules.wait_s(10, OPENS) == 1
    assert rules.wait_s(609, OPENS) == 60


@pytest.fixture
async def rooms(redis_url: str) -> AsyncIterator[WaitingRooms]:
    client = connect(redis_url, max_connections=32, wait_s=10, decode_responses=True)
    await client.delete(*(keys.waiting_room(1, part) for part in ("config", "line", "arrivals", "admitted")))
    rooms = WaitingRooms(client, AdmissionTokens("test-secret"))
    await rooms.open(1, RoomRules(OPENS, per_minute=600, window_s=600))
    yield rooms
    await rooms.close(1)
    await client.aclose()


async def test_early_fans_are_shuffled_and_later_ones_queue_in_order(rooms: WaitingRooms) -> None:
    early = list(range(1, FANS // 2 + 1))
    late = list(range(FANS // 2 + 1, FANS + 1))
    for fan in early:
        await rooms.join(1, fan, now_ms=OPENS - 60_000 + fan)
    for fan in late:
        await rooms.join(1, fan, now_ms=OPENS + fan)
    at = OPENS + 60_000
    places = {fan: await rooms.join(1, fan, now_ms=at) for fan in early + late}
    order = sorted(places, key=lambda fan: places[fan].place)  # type: ignore[union-attr]
    assert sorted(order[: len(early)]) == early, "every early fan ahead of every later one"
    assert order[: len(early)] != early, "early fans are not served in arrival order"
    assert order[len(early) :] == late, "later fans in arrival order"
    admitted = [fan for fan, place in places.items() if place and place.admitted]
    assert len(admitted) == 610  # the rate: 600 a minute after one minute, plus the first second's
    assert all(places[fan] and places[fan].token for fan in admitted)  # type: ignore[union-attr]
    # Coming back does not move a fan, nor extend the shopping window.
    again = await rooms.join(1, order[0], now_ms=at + 5_000)
    assert (
        again is not None and again.place == 0 and again.token_expires_ms == places[order[0]].token_expires_ms
    )  # type: ignore[union-attr]


async def _rush(rooms: WaitingRooms) -> tuple[set[int], list[int]]:
    """Fan 7 on 50 devices among 200 other fans, all joining at once (a device of fan 7 after
    every fourth fan): fan 7's places, and the others'."""
    joins = []
    for fan in range(100, 300):
        joins.append((fan, rooms.join(1, fan, now_ms=OPENS + 10)))
        if fan % 4 == 0:
            joins.append((7, rooms.join(1, 7, now_ms=OPENS + 10)))
    answers = await asyncio.gather(*(join for _, join in joins))
    assert all(answers)
    mine = {answer.place for (fan, _), answer in zip(joins, answers, strict=True) if fan == 7 and answer}
    others = [answer.place for (fan, _), answer in zip(joins, answers, strict=True) if fan != 7 and answer]
    return mine, others


def _kept_first_place(places: set[int]) -> bool:
    """One place, the one fan 7's first device took (it came right after the first fan; a
    little slack for the order in which the pool's connections reach Redis)."""
    return len(places) == 1 and min(places) < 10


async def test_a_fan_gets_one_place_however_many_devices_join_at_once(rooms: WaitingRooms) -> None:
    mine, others = await _rush(rooms)
    assert _kept_first_place(mine)
    assert sorted([*mine, *others]) == list(range(201))  # one place each, none skipped


async def test_control_a_join_in_two_steps_gives_a_fan_several_places(
    rooms: WaitingRooms, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis: Any = rooms._redis

    async def racy_join(*, keys: list[str], args: list[Any]) -> int:
        line, arrivals = keys
        if await redis.zscore(line, args[2]) is None:  # the check and the add are apart
            await redis.zadd(line, {str(args[2]): 1 + await redis.incr(arrivals)})
        return int(await redis.zrank(line, args[2]))

    monkeypatch.setattr(rooms, "_join", racy_join)
    mine, _ = await _rush(rooms)
    assert not _kept_first_place(mine)


async def _token_of(app: Starlette, name: str) -> dict[str, str]:
    runtime = app.state.runtime
    user = await users.get_or_create_user(runtime.db, f"openid-{name}", name)
    token = runtime.tokens.issue(Principal(kind="user", id=user.id, role="moviegoer"))
    return {"Authorization": f"Bearer {token}"}


async def test_holds_need_an_admission_token_while_the_room_is_open(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    runtime = app.state.runtime
    show, other = await make_show(runtime.db), await make_show(runtime.db)
    staff_id = await users.create_staff(runtime.db, "boss", "not-a-password-hash", "admin", ())
    boss = {
        "Authorization": f"Bearer {runtime.tokens.issue(Principal(kind='staff', id=staff_id, role='admin'))}"
    }
    room = f"/api/v1/staff/showtimes/{show.showtime_id}/waiting-room"
    opened = await client.put(
        room, json={"opens_at": "2020-01-01T00:00:00Z", "per_minute": 1000}, headers=boss
    )
    assert opened.status_code == 200, opened.text
    alice = await _token_of(app, "alice")
    holds = f"/api/v1/showtimes/{show.showtime_id}/holds"
    refused = await client.post(holds, json={"seats": ["A-1", "A-2"]}, headers=alice)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "admission_required"
    place = (await client.post(f"/api/v1/showtimes/{show.showtime_id}/waiting-room", headers=alice)).json()
    assert place["admitted"] and place["place"] == 0 and place["token"]
    forged = place["token"][:-1] + ("0" if place["token"][-1] != "0" else "1")
    for bad in (forged, place["token"].replace(f"{show.showtime_id}.", f"{other.showtime_id}.", 1)):
        answer = await client.post(
            holds, json={"seats": ["A-1", "A-2"]}, headers=alice | {"X-Admission-Token": bad}
        )
        assert answer.status_code == 403, answer.text
    bob = await _token_of(app, "bob")  # another fan's token is not yours
    stolen = await client.post(
        holds, json={"seats": ["A-1", "A-2"]}, headers=bob | {"X-Admission-Token": place["token"]}
    )
    assert stolen.status_code == 403
    held = await client.post(
        holds, json={"seats": ["A-1", "A-2"]}, headers=alice | {"X-Admission-Token": place["token"]}
    )
    assert held.status_code == 201, held.text
    # Other showtimes sell as ever; once the room closes, so does this one.
    assert (
        await client.post(
            f"/api/v1/showtimes/{other.showtime_id}/holds", json={"seats": ["A-1", "A-2"]}, headers=bob
        )
    ).status_code == 201
    assert (await client.delete(room, headers=boss)).status_code == 204
    assert (await client.post(holds, json={"seats": ["B-1", "B-2"]}, headers=bob)).status_code == 201
    no_room = await client.post(f"/api/v1/showtimes/{show.showtime_id}/waiting-room", headers=alice)
    assert no_room.status_code == 404
