"""A door that works offline: the kit it downloads, and the sync that reports its conflicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from seatcore.db.schema import tickets
from tests.door.conftest import Door


def _ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def _sync(door: Door, scans: list[dict[str, Any]]) -> dict[str, Any]:
    response = await door.client.post("/api/v1/staff/door/sync", json={"scans": scans}, headers=door.staff)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_the_day_kit_has_tickets_keys_and_revocations(door: Door) -> None:
    live = await door.sell("A-1", "A-2")
    (refunded,) = await door.sell("A-3", live=False)
    await door.scan({"code": live[0]})
    query = {"cinema_id": door.show.cinema_id}
    kit = (await door.client.get("/api/v1/staff/door/day", params=query, headers=door.staff)).json()
    assert sorted(t["code"] for t in kit["tickets"]) == sorted(live)
    assert kit["revoked"] == [refunded]
    assert kit["keys"][0]["kid"] == "k1"
    (show,) = kit["showtimes"]
    assert (show["showtime_id"], show["sold"], show["admitted"]) == (door.show.showtime_id, 2, 1)
    assert show["valid_from"] < show["starts_at"] < show["valid_until"]
    other = await door.client.get("/api/v1/staff/door/day", params=query, headers=door.other_staff)
    assert other.status_code == 404


async def test_sync_admits_offline_scans_and_reports_conflicts(door: Door) -> None:
    first, second, third = await door.sell("B-1", "B-2", "B-3")
    # While door "west" was offline: "north" (online) let `first` in; then "west" scanned it too,
    # and `third` was refunded after the kit was downloaded.
    assert (await door.scan({"qr": await door.qr(first), "door": "north"})).status_code == 200
    async with door.runtime.db.begin() as conn:
        await conn.execute(update(tickets).where(tickets.c.code == third).values(live=None))
    scans = [
        {"qr": await door.qr(first), "door": "west", "scanned_at": _ago(2)},
        {"qr": await door.qr(second), "door": "west", "scanned_at": _ago(3)},
        {"code": third, "door": "west", "scanned_at": _ago(1)},
        {"qr": "SC1.k1.bm90.aGVsbG8", "door": "west", "scanned_at": _ago(1)},
    ]
    answer = await _sync(door, scans)
    statuses = [(r["code"], r["status"], r["reason"]) for r in answer["results"]]
    assert statuses == [
        (first, "conflict", "admitted_elsewhere"),
        (second, "admitted", None),
        (third, "conflict", "ticket_not_live"),
        (None, "refused", "ticket_invalid"),
    ]
    assert answer["results"][0]["door"] == "north"
    assert answer["conflicts"] == 2
    # The door syncs again after a lost answer: its own scans are duplicates, not conflicts.
    again = await _sync(door, scans[1:2])
    assert again["results"][0]["status"] == "duplicate" and again["conflicts"] == 0
    counter = await door.client.get(
        f"/api/v1/staff/door/showtimes/{door.show.showtime_id}", headers=door.staff
    )
    assert counter.json()["admitted"] == 2


async def test_two_offline_doors_admitting_one_ticket_conflict_at_sync(door: Door) -> None:
    (code,) = await door.sell("C-1")
    qr = await door.qr(code)
    west = await _sync(door, [{"qr": qr, "door": "west", "scanned_at": _ago(5)}])
    east = await _sync(door, [{"qr": qr, "door": "east", "scanned_at": _ago(4)}])
    assert west["results"][0]["status"] == "admitted"
    assert east["results"][0] | {"checked_in_at": None} == {
        "code": code,
        "status": "conflict",
        "reason": "admitted_elsewhere",
        "door": "west",
        "checked_in_at": None,
        "seat": "C-1",
    }


async def test_sync_refuses_bad_scans(door: Door) -> None:
    (code,) = await door.sell("D-1")
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    answer = await _sync(door, [{"code": code, "door": "west", "scanned_at": future}])
    assert answer["results"][0]["status"] == "refused" and answer["results"][0]["reason"] == "bad_scan_time"
    naive = {"code": code, "door": "west", "scanned_at": "2026-12-04T10:00:00"}
    response = await door.client.post("/api/v1/staff/door/sync", json={"scans": [naive]}, headers=door.staff)
    assert response.status_code == 422
    empty = await door.client.post("/api/v1/staff/door/sync", json={"scans": []}, headers=door.staff)
    assert empty.status_code == 422
