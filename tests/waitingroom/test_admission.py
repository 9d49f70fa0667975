"""The line in Redis with thousands of simulated fans: early fans shuffled and later ones in
order, admission at the set rate (and no burst above it), one place per fan however many devices
join at once (with the control that a two-step join fails), and a fan who leaves losing the place
after the grace period, or keeping it when back in time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from seatcore import keys
from seatcore.waitingroom.line import RoomRules
from seatcore.waitingroom.room import Place, WaitingRooms
from tests.waitingroom.conftest import OPENS, SHOW

FANS = 2000
STILL = 1  # admissions a minute that admit nobody in a test's first minute


async def _join(rooms: WaitingRooms, fan: int, now_ms: int) -> Place:
    place = await rooms.join(SHOW, fan, now_ms=now_ms)
    assert place is not None
    return place


async def test_early_fans_are_shuffled_and_later_ones_queue_in_order(rooms: WaitingRooms) -> None:
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=STILL, window_s=600, grace_s=3600))
    early = list(range(1, FANS // 2 + 1))
    late = list(range(FANS // 2 + 1, FANS + 1))
    for fan in early:
        await _join(rooms, fan, OPENS - 60_000 + fan)
    numbers = {fan: (await _join(rooms, fan, OPENS + fan)).number for fan in early + late}
    order = sorted(numbers, key=numbers.__getitem__)
    assert sorted(numbers.values()) == list(range(FANS)), "one number each, none skipped"
    assert sorted(order[: len(early)]) == early, "every early fan ahead of every later one"
    assert order[: len(early)] != early, "early fans are not served in arrival order"
    assert order[len(early) :] == late, "later fans in arrival order"

    # Staff turn the dial up: a minute later the first 610 numbers are shopping, with tokens.
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=600, window_s=600, grace_s=3600))
    at = OPENS + 60_000
    places = {fan: await _join(rooms, fan, at) for fan in order}
    admitted = [fan for fan in order if places[fan].admitted]
    assert admitted == order[:610]
    assert all(places[fan].token for fan in admitted)
    assert [places[fan].place for fan in order[610:615]] == [0, 1, 2, 3, 4]
    # Coming back does not move a fan, nor extend the shopping window.
    again = await _join(rooms, order[0], at + 5_000)
    assert again.admitted and again.token_expires_ms == places[order[0]].token_expires_ms


async def test_admission_keeps_to_the_rate_minute_by_minute(rooms: WaitingRooms) -> None:
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=120, window_s=3600, grace_s=3600))
    for fan in range(1, FANS + 1):
        await _join(rooms, fan, OPENS - 1_000 + fan % 500)
    per_minute = []
    before = 0
    for minute in range(3):
        for second in range(60):
            progress = await rooms.advance(SHOW, OPENS + (minute * 60 + second) * 1000)
            assert progress is not None
        per_minute.append(progress.shopping - before)
        before = progress.shopping
    assert per_minute == [2 + 118, 120, 120]  # the first second's share at the opening


async def test_slots_freed_at_once_do_not_let_a_burst_past_the_rate(rooms: WaitingRooms) -> None:
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=600, window_s=3600, cap=50, grace_s=3600))
    for fan in range(1, 301):
        await _join(rooms, fan, OPENS - 1_000)
    for second in range(30):
        progress = await rooms.advance(SHOW, OPENS + second * 1000)
    assert progress is not None and progress.shopping == 50
    shopping = await rooms._redis.zrange(keys.waiting_room(SHOW, "shopping"), 0, 29)
    for fan in shopping:  # 30 buy at once
        await rooms.bought(SHOW, int(fan))
    progress = await rooms.advance(SHOW, OPENS + 30_000)
    assert progress is not None and progress.admitted == 10, "one second's share, not 30"
    progress = await rooms.advance(SHOW, OPENS + 31_000)
    assert progress is not None and progress.admitted == 10 and progress.shopping == 40


async def _rush(rooms: WaitingRooms) -> tuple[set[int], list[int]]:
    """Fan 7 on 50 devices among 200 other fans, all joining at once (a device of fan 7 after
    every fourth fan): fan 7's numbers, and the others'."""
    joins = []
    for fan in range(100, 300):
        joins.append((fan, rooms.join(SHOW, fan, now_ms=OPENS + 10)))
        if fan % 4 == 0:
            joins.append((7, rooms.join(SHOW, 7, now_ms=OPENS + 10)))
    answers = await asyncio.gather(*(join for _, join in joins))
    assert all(answers)
    mine = {answer.number for (fan, _), answer in zip(joins, answers, strict=True) if fan == 7 and answer}
    others = [answer.number for (fan, _), answer in zip(joins, answers, strict=True) if fan != 7 and answer]
    return mine, others


def _kept_first_place(numbers: set[int]) -> bool:
    """One place, the one fan 7's first device took (it came right after the first fan; a
    little slack for the order in which the pool's connections reach Redis)."""
    return len(numbers) == 1 and min(numbers) < 10


async def test_a_fan_gets_one_place_however_many_devices_join_at_once(rooms: WaitingRooms) -> None:
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=STILL, window_s=600))
    mine, others = await _rush(rooms)
    assert _kept_first_place(mine)
    assert sorted([*mine, *others]) == list(range(201))  # one place each, none skipped


async def test_control_a_join_in_two_steps_gives_a_fan_several_places(
    rooms: WaitingRooms, monkeypatch: pytest.MonkeyPatch
) -> None:
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=STILL, window_s=600))
    redis: Any = rooms._redis

    async def racy_join(*, keys: list[str], args: list[Any]) -> list[int]:
        _, line, arrivals, *_ = keys
        if await redis.zscore(line, args[1]) is None:  # the check and the add are apart
            await redis.zadd(line, {str(args[1]): 1 + await redis.incr(arrivals)})
        return [0, int(await redis.zrank(line, args[1])), 0]

    monkeypatch.setattr(rooms, "_join", racy_join)
    mine, _ = await _rush(rooms)
    assert not _kept_first_place(mine)


GRACE_S = 30


async def test_a_fan_back_within_the_grace_period_keeps_the_place(rooms: WaitingRooms) -> None:
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=STILL, window_s=600, grace_s=GRACE_S))
    first = {fan: (await _join(rooms, fan, OPENS + fan)).number for fan in (1, 2, 3)}
    back = await _join(rooms, 1, OPENS + 1 + GRACE_S * 1000)  # just in time
    assert back.number == first[1]
    late = await _join(rooms, 2, OPENS + 2 + GRACE_S * 1000 + 1)  # just too late: to the back
    assert late.number == 3
    assert (await _join(rooms, 3, OPENS + 3 + GRACE_S * 1000)).number == first[3], "the others do not move"


async def test_the_front_skips_a_fan_away_past_the_grace_period(rooms: WaitingRooms) -> None:
    await rooms.open(SHOW, RoomRules(OPENS, per_minute=0, window_s=600, cap=1, grace_s=GRACE_S))
    shopper = await _join(rooms, 100, OPENS)
    assert shopper.admitted
    away, here, back_in_time = 1, 2, 3
    for fan in (away, here, back_in_time):
        await _join(rooms, fan, OPENS + 10)
    later = OPENS + 10 + GRACE_S * 1000 + 1
    await _join(rooms, here, later - 5_000)
    await _join(rooms, back_in_time, later - 5_000)
    await rooms.leave(SHOW, 100)  # the slot frees when the grace period of fan 1 is over
    progress = await rooms.advance(SHOW, later)
    assert progress is not None and progress.admitted == 1 and progress.served == 3
    assert (await _join(rooms, here, later)).admitted
    returned = await _join(rooms, away, later)
    assert not returned.admitted and returned.place == 1, "back of the line, behind fan 3"
    await rooms.bought(SHOW, here)
    assert (await _join(rooms, back_in_time, later)).admitted
