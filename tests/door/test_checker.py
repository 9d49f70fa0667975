"""`seatcore check` and invariant 12: clean after real check-ins, and each planted violation found."""

from __future__ import annotations

from sqlalchemy import insert, update

from seatcore.checker.door_side import admitted_once, read_door
from seatcore.checker.runner import check_deployment
from seatcore.db.schema import door_scans, tickets
from seatcore.store._time import utcnow
from tests.door.conftest import Door


async def _violations(door: Door) -> list[str]:
    return admitted_once(await read_door(door.runtime.db)).violations


async def test_real_check_ins_pass_and_show_in_the_report(door: Door) -> None:
    first, _ = await door.sell("A-1", "A-2")
    await door.scan({"code": first})
    await door.scan({"code": first})  # refused: not a second admission
    report = await check_deployment(door.runtime.redis, door.runtime.db, max_life_ms=1_800_000)
    (row,) = [result for result in report.results if result.key == "door"]
    assert row.ok and row.checked == 1


async def test_planted_violations_are_reported(door: Door) -> None:
    twice, refunded, marked, unmarked = await door.sell("B-1", "B-2", "B-3", "B-4")
    await door.scan({"code": twice})
    await door.scan({"code": refunded})
    scan = {
        "showtime_id": door.show.showtime_id,
        "cinema_id": door.show.cinema_id,
        "door": "side",
        "scanned_at": utcnow(),
        "recorded_at": utcnow(),
        "outcome": "admitted",
        "offline": True,
    }
    async with door.runtime.db.begin() as conn:
        await conn.execute(insert(door_scans), [{**scan, "ticket_code": code} for code in (twice, unmarked)])
        await conn.execute(update(tickets).where(tickets.c.code == refunded).values(live=None))
        mark = {"checked_in_at": utcnow(), "checked_in_door": "x"}
        await conn.execute(update(tickets).where(tickets.c.code == marked).values(**mark))
    assert sorted(await _violations(door)) == sorted(
        [
            f"ticket {twice}: admitted 2 times",
            f"ticket {refunded}: admitted at main, and no longer live",
            f"ticket {marked}: checked in without an admitted scan",
            f"ticket {unmarked}: an admitted scan, but not checked in",
        ]
    )
