"""Each admission at the door is the analytics event ``checked_in`` (the service's own, as orders
record theirs): online scans and an offline door's sync alike; refusals record nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from starlette.applications import Starlette

from tests.analytics.conftest import landed, store_of
from tests.door.conftest import Door


async def test_admissions_are_recorded_once(app: Starlette, door: Door) -> None:
    online, offline, refunded = (
        await door.sell("D-1"),
        await door.sell("D-2"),
        await door.sell("D-3", live=False),
    )
    qr = await door.qr(online[0])
    assert (await door.scan({"qr": qr, "door": "north"})).status_code == 200
    assert (await door.scan({"qr": qr, "door": "south"})).status_code == 409  # already in: no event
    assert (await door.scan({"qr": await door.qr(refunded[0])})).status_code == 409  # not live
    scans = [{"qr": await door.qr(offline[0]), "door": "east", "scanned_at": datetime.now(UTC).isoformat()}]
    synced = await door.client.post("/api/v1/staff/door/sync", json={"scans": scans}, headers=door.staff)
    assert synced.status_code == 200, synced.text
    assert synced.json()["results"][0]["status"] == "admitted"

    await landed(app, 2)
    await asyncio.sleep(0.5)  # a third event, if one were wrongly recorded, would have landed too
    rows = await asyncio.to_thread(
        store_of(app).query,
        "SELECT name, source, cinema_id, movie_id, showtime_id, user_id IS NOT NULL FROM events",
        [],
    )
    show = door.show
    expected = ("checked_in", "server", show.cinema_id, show.movie_id, show.showtime_id, True)
    assert sorted(rows) == [expected, expected]
