"""Invariant 12: many doors scanning one ticket at the same moment admit it exactly once, and the
control without the guard (the ``checked_in_at IS NULL`` of the conditional UPDATE) lets more in."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select, true

from seatcore.db.schema import door_scans
from tests.door.conftest import Door

DOORS = 20


async def _scan_everywhere(door: Door, qr: str) -> Counter[str]:
    answers = await asyncio.gather(*(door.scan({"qr": qr, "door": f"door-{n}"}) for n in range(DOORS)))
    return Counter(
        "admitted" if answer.status_code == 200 else answer.json()["error"]["code"] for answer in answers
    )


async def _admitted_rows(door: Door) -> int:
    async with door.runtime.db.connect() as conn:
        query = select(func.count()).select_from(door_scans).where(door_scans.c.outcome == "admitted")
        return int((await conn.execute(query)).scalar_one())


async def test_many_doors_at_once_admit_a_ticket_once(door: Door) -> None:
    (code,) = await door.sell("A-1")
    outcomes = await _scan_everywhere(door, await door.qr(code))
    assert outcomes == Counter({"admitted": 1, "already_checked_in": DOORS - 1})
    assert await _admitted_rows(door) == 1


async def test_control_without_the_guard_more_than_one_door_admits(
    door: Door, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("seatcore.store.door._still_outside", true)
    (code,) = await door.sell("A-1")
    outcomes = await _scan_everywhere(door, await door.qr(code))
    assert outcomes["admitted"] > 1
    assert await _admitted_rows(door) > 1
