"""The cap on fans shopping at once, under a rush: 3,000 fans join at the same moment while
other processes run admission steps, then every shopper buys at once while the steps go on;
never more than the cap shop, and each freed slot goes to exactly one fan. The control admits in
two steps (count the shoppers, then let fans in) and shows the test then catches the overshoot."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from seatcore import keys
from seatcore.waitingroom.line import RoomRules
from seatcore.waitingroom.room import Progress, WaitingRooms
from tests.waitingroom.conftest import OPENS, SHOW

CAP = 50
FANS = 3000
STEPS = 100  # admission steps other processes run during each phase
WINDOW_S = 600


async def _rush(rooms: WaitingRooms) -> tuple[int, int, int]:
    """The most fans seen shopping at once, the shoppers after the fans joined, and after every
    shopper bought."""
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=0, window_s=WINDOW_S, cap=CAP, grace_s=3600))
    redis = rooms._redis
    shopping_key = keys.waiting_room(SHOW, "shopping")
    most = 0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal most
        while not done.is_set():
            most = max(most, await redis.zcard(shopping_key))
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    now = OPENS + 1_000
    joins = [rooms.join(SHOW, fan, now_ms=now) for fan in range(1, FANS + 1)]
    steps = [rooms.advance(SHOW, now) for _ in range(STEPS)]
    await asyncio.gather(*joins, *steps)
    after_joins = await redis.zcard(shopping_key)
    shoppers = [int(fan) for fan in await redis.zrange(shopping_key, 0, -1)]
    bought = [rooms.bought(SHOW, fan) for fan in shoppers]
    steps = [rooms.advance(SHOW, now + 1) for _ in range(STEPS)]
    await asyncio.gather(*bought, *steps)
    done.set()
    await watcher
    after_buying = await redis.zcard(shopping_key)
    return max(most, after_joins, after_buying), after_joins, after_buying


async def test_never_more_than_the_cap_shop_at_once(rooms: WaitingRooms) -> None:
    most, after_joins, after_buying = await _rush(rooms)
    assert most <= CAP
    assert after_joins == CAP and after_buying == CAP, "every freed slot went to the next fan"
    progress = await rooms.advance(SHOW, OPENS + 2_000)
    assert progress is not None and progress.served == 2 * CAP, "each slot to exactly one fan"


async def test_control_admission_in_two_steps_lets_more_than_the_cap_shop(
    rooms: WaitingRooms, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis: Any = rooms._redis
    line, shopping, state = (keys.waiting_room(SHOW, part) for part in ("line", "shopping", "state"))

    async def racy_advance(showtime_id: int, now_ms: int | None = None) -> Progress:
        now = rooms.now_ms() if now_ms is None else now_ms
        free = CAP - await redis.zcard(shopping)  # the count and the admissions are apart
        for _ in range(free):
            head = await redis.zpopmin(line)
            if not head:
                break
            await redis.zadd(shopping, {head[0][0]: now + WINDOW_S * 1000})
            await redis.hincrby(state, "served", 1)
        return Progress(True, int(await redis.hget(state, "served") or 0), await redis.zcard(shopping), 0)

    monkeypatch.setattr(rooms, "advance", racy_advance)
    most, _, _ = await _rush(rooms)
    assert most > CAP
