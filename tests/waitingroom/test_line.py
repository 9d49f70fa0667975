"""The line's pure rules: the rate's allowance, the planned and measured speed, the wait."""

from __future__ import annotations

from seatcore.waitingroom.line import RoomRules, measured_per_minute, wait_s
from tests.waitingroom.conftest import OPENS


def test_the_rate_follows_the_clock() -> None:
    rules = RoomRules(OPENS, per_minute=600, window_s=600)
    assert rules.allowance(OPENS - 1) == 0
    assert rules.allowance(OPENS) == 10  # the first second's share at once
    assert rules.allowance(OPENS + 60_000) == 610


def test_the_planned_speed_is_the_slower_dial() -> None:
    assert RoomRules(OPENS, per_minute=600, window_s=600).planned_per_minute == 600
    assert RoomRules(OPENS, per_minute=0, window_s=600, cap=100).planned_per_minute == 10
    assert RoomRules(OPENS, per_minute=5, window_s=600, cap=100).planned_per_minute == 5


def test_the_wait_and_the_measured_speed() -> None:
    assert wait_s(0, 600) == 1 and wait_s(10, 600) == 2 and wait_s(599, 600) == 60
    assert wait_s(0, 0.1) == 600  # a cap of one fan shopping ten minutes: the next fan's wait
    assert wait_s(5, 0) == 0  # nothing moves yet: no figure
    assert measured_per_minute([(0, 0), (5_000, 50)], 600) == 600  # too little history
    assert measured_per_minute([(0, 0), (30_000, 50)], 600) == 100
    assert measured_per_minute([(0, 7), (30_000, 7)], 600) == 600  # the line stood still
