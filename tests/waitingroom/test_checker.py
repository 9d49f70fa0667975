"""``seatcore check`` looks at the waiting rooms: clean after a rush, and it names a room with
more fans shopping than its cap, or a fan both shopping and in line."""

from __future__ import annotations

from seatcore import keys
from seatcore.checker.waitingroom_side import rooms_within_caps
from seatcore.waitingroom.line import RoomRules
from seatcore.waitingroom.room import WaitingRooms
from tests.waitingroom.conftest import SHOW


async def test_the_checker_finds_a_room_over_its_cap(rooms: WaitingRooms) -> None:
    now = rooms.now_ms()
    await rooms.open(SHOW, RoomRules(now - 1_000, per_minute=0, window_s=600, cap=3))
    for fan in range(1, 11):
        await rooms.join(SHOW, fan, now_ms=now)
    clean = await rooms_within_caps(rooms._redis)
    assert clean.ok and clean.checked == 1
    await rooms._redis.zadd(keys.waiting_room(SHOW, "shopping"), {"10": now + 600_000})  # in line too
    broken = await rooms_within_caps(rooms._redis)
    assert broken.violations == [
        f"showtime {SHOW}: 4 fans shopping, cap 3",
        f"showtime {SHOW}: shopping and in line at once: 10",
    ]
