"""Scheduling rules: showtime ends, the overlap rule with its cleaning gap, sales and refund cut-offs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from seatcore.domain.schedule import (
    SalesPolicy,
    Screening,
    check_no_clash,
    find_clash,
    showtime_end,
)
from seatcore.errors import ScheduleClash, ValidationFailed

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 5, 1, hour, minute, tzinfo=SHANGHAI)


def show(start: datetime, minutes: int, id: int | None = None) -> Screening:
    return Screening(starts_at=start, ends_at=start + timedelta(minutes=minutes), id=id)


class TestShowtimeEnd:
    def test_rounds_up_to_five_minutes(self) -> None:
        assert showtime_end(at(19), 117) == at(21)
        assert showtime_end(at(19), 121) == at(21, 5)

    def test_already_round_is_kept(self) -> None:
        assert showtime_end(at(19), 120) == at(21)

    def test_exact_when_asked(self) -> None:
        assert showtime_end(at(19), 117, round_to_min=1) == at(20, 57)

    def test_crosses_midnight_and_keeps_the_zone(self) -> None:
        end = showtime_end(at(22, 30), 148)
        assert end == datetime(2030, 5, 2, 1, 0, tzinfo=SHANGHAI)
        assert end.utcoffset() == timedelta(hours=8)

    def test_seconds_round_up_too(self) -> None:
        assert showtime_end(at(19).replace(second=30), 120) == at(21, 5)

    def test_a_film_must_run(self) -> None:
        with pytest.raises(ValidationFailed):
            showtime_end(at(19), 0)


class TestOverlap:
    GAP = 15

    def test_back_to_back_needs_the_cleaning_gap(self) -> None:
        first = show(at(10), 120, id=1)
        assert find_clash(show(at(12), 100), [first], gap_min=self.GAP) == first
        assert find_clash(show(at(12, 14), 100), [first], gap_min=self.GAP) == first
        assert find_clash(show(at(12, 15), 100), [first], gap_min=self.GAP) is None

    def test_the_gap_counts_before_a_later_showtime_too(self) -> None:
        later = show(at(14), 120, id=2)
        assert find_clash(show(at(12), 110), [later], gap_min=self.GAP) == later
        assert find_clash(show(at(12), 105), [later], gap_min=self.GAP) is None

    def test_contained_and_containing_screenings_clash(self) -> None:
        long = show(at(10), 240, id=1)
        assert find_clash(show(at(11), 60), [long], gap_min=0) == long
        assert find_clash(show(at(9), 400), [show(at(11), 60, id=3)], gap_min=0) is not None

    def test_returns_the_earliest_clash(self) -> None:
        a, b = show(at(10), 90, id=1), show(at(12), 90, id=2)
        assert find_clash(show(at(11), 120), [b, a], gap_min=self.GAP) == a

    def test_an_edited_showtime_does_not_clash_with_itself(self) -> None:
        saved = show(at(10), 120, id=7)
        moved = show(at(10, 30), 120, id=7)
        assert find_clash(moved, [saved], gap_min=self.GAP) is None
        assert find_clash(moved, [saved, show(at(12, 40), 60, id=8)], gap_min=self.GAP) is not None

    def test_zones_do_not_matter(self) -> None:
        shanghai = show(at(10), 120, id=1)
        same_moment_utc = show(at(11).astimezone(UTC), 30)
        assert find_clash(same_moment_utc, [shanghai], gap_min=0) == shanghai

    def test_check_no_clash_names_the_clashing_showtime(self) -> None:
        first = show(at(10), 120, id=42)
        with pytest.raises(ScheduleClash) as caught:
            check_no_clash(show(at(12, 5), 90), [first], gap_min=self.GAP)
        assert caught.value.status == 409
        assert caught.value.details["showtime_id"] == 42
        assert caught.value.details["cleaning_gap_min"] == self.GAP
        check_no_clash(show(at(12, 15), 90), [first], gap_min=self.GAP)

    def test_a_showtime_must_end_after_it_starts(self) -> None:
        with pytest.raises(ValidationFailed):
            find_clash(Screening(at(12), at(12)), [], gap_min=0)


class TestSalesPolicy:
    DEFAULTS = SalesPolicy(close_before_min=10, refund_until_before_min=30)

    def test_sales_close_before_the_start(self) -> None:
        starts = at(20)
        assert self.DEFAULTS.sales_close_at(starts) == at(19, 50)
        assert self.DEFAULTS.selling(starts, at(19, 49))
        assert not self.DEFAULTS.selling(starts, at(19, 50))
        assert not self.DEFAULTS.selling(starts, at(21))

    def test_refunds_until_the_deadline(self) -> None:
        starts = at(20)
        assert self.DEFAULTS.refund_deadline(starts) == at(19, 30)
        assert self.DEFAULTS.refundable(starts, at(19, 29))
        assert not self.DEFAULTS.refundable(starts, at(19, 30))

    def test_a_cinema_overrides_either_default(self) -> None:
        strict = self.DEFAULTS.with_overrides(0, 120)
        assert strict.sales_close_at(at(20)) == at(20)
        assert strict.refund_deadline(at(20)) == at(18)
        assert self.DEFAULTS.with_overrides(None, None) == self.DEFAULTS
        assert self.DEFAULTS.with_overrides(25, None) == SalesPolicy(25, 30)
