"""Checking tickets in at the door, through the API, against the real database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from seatcore.db.schema import tickets
from tests.door.conftest import Door
from tests.factories import make_show


async def test_a_ticket_comes_in_once(door: Door) -> None:
    code, _ = await door.sell("A-1", "A-2")
    qr = await door.qr(code)
    first = await door.scan({"qr": qr, "door": "north"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["status"] == "admitted" and body["ticket"]["seat"] == "A-1"
    assert body["ticket"]["door"] == "north" and body["ticket"]["hall"] == "Hall 1"
    assert body["counter"] == {"showtime_id": door.show.showtime_id, "admitted": 1, "sold": 2}
    again = await door.scan({"qr": qr, "door": "south"})
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "already_checked_in"
    assert error["details"]["door"] == "north" and error["details"]["seat"] == "A-1"
    assert error["details"]["checked_in_at"] == body["ticket"]["checked_in_at"]


async def test_refunded_and_exchanged_tickets_are_not_live(door: Door) -> None:
    (code,) = await door.sell("B-1", live=False)
    refused = await door.scan({"qr": await door.qr(code)})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "ticket_not_live"
    (later,) = await door.sell("B-2")
    qr = await door.qr(later)  # issued while live, then refunded: the QR still carries a good signature
    async with door.runtime.db.begin() as conn:
        await conn.execute(update(tickets).where(tickets.c.code == later).values(live=None))
    refused = await door.scan({"qr": qr})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "ticket_not_live"


async def test_a_bad_signature_is_refused_and_changes_nothing(door: Door) -> None:
    (code,) = await door.sell("C-1")
    qr = await door.qr(code)
    forged = qr[:-3] + ("AAA" if not qr.endswith("AAA") else "BBB")
    refused = await door.scan({"qr": forged})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "ticket_invalid"
    assert refused.json()["error"]["details"]["reason"] == "bad_signature"
    assert (await door.scan({"qr": qr})).status_code == 200


async def test_bad_bodies_are_refused(door: Door) -> None:
    for body in ({}, {"qr": "x", "code": "ABCD2345"}, {"qr": ""}, {"code": "no spaces"}, {"qr": "x" * 5000}):
        response = await door.scan(body)
        assert 400 <= response.status_code < 500, (body, response.text)
    assert (await door.scan({"qr": "not a ticket"})).json()["error"]["code"] == "ticket_invalid"


async def test_staff_of_another_cinema_and_moviegoers_cannot_scan(door: Door, login: object) -> None:
    (code,) = await door.sell("D-1")
    qr = await door.qr(code)
    other = await door.scan({"qr": qr}, door.other_staff)
    assert other.status_code == 403 and other.json()["error"]["code"] == "wrong_cinema"
    moviegoer = await login("mia")  # type: ignore[operator]
    assert (await door.scan({"qr": qr}, moviegoer)).status_code == 403
    assert (await door.scan({"qr": qr})).status_code == 200


async def test_the_door_opens_before_the_start_and_closes_after(door: Door) -> None:
    later = await make_show(door.runtime.db, starts_in=timedelta(hours=3))
    done = await make_show(door.runtime.db, starts_in=timedelta(hours=-2))
    for show, reason in ((later, "too_early"), (done, "expired")):
        (code,) = await door.sell("A-1", show=show)
        response = await door.scan({"qr": await door.qr(code)}, door.admin)  # each show is its own cinema
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "outside_door_window" and error["details"]["reason"] == reason


async def test_a_code_typed_by_hand_checks_in_too(door: Door) -> None:
    (code,) = await door.sell("E-1")
    typed = await door.scan({"code": code, "door": "desk"})
    assert typed.status_code == 200 and typed.json()["ticket"]["door"] == "desk"
    assert (await door.scan({"qr": await door.qr(code)})).json()["error"]["code"] == "already_checked_in"
    assert (await door.scan({"code": "ZZZZ9999ZZ"})).status_code == 404


async def test_the_counter_and_the_keys(door: Door) -> None:
    codes = await door.sell("F-1", "F-2", "F-3")
    await door.sell("F-4", live=False)
    await door.scan({"code": codes[0]})
    path = f"/api/v1/staff/door/showtimes/{door.show.showtime_id}"
    counter = await door.client.get(path, headers=door.staff)
    assert counter.json() == {"showtime_id": door.show.showtime_id, "admitted": 1, "sold": 3}
    assert (await door.client.get(path, headers=door.other_staff)).status_code == 404
    keys = (await door.client.get("/api/v1/staff/door/keys", headers=door.staff)).json()
    assert keys["signing_key_id"] == "k1" and keys["keys"][0]["alg"] == "Ed25519"
    assert len(keys["keys"][0]["public_key"]) == 43  # 32 bytes, base64url
