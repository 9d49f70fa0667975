"""Scheduling rules: when a showtime ends, which screenings clash, when sales and refunds close.

Pure functions over aware datetimes; the store feeds them rows and the API reports what they say.

- A showtime ends ``duration_min`` after it starts, rounded up to the next 5 minutes on the
  clock (cinemas print tidy times; every UTC offset is a multiple of 15 minutes, so rounding in
  UTC and in the cinema's zone agree).
- Two screenings in one hall clash unless one ends at least a cleaning gap before the other starts.
- Sales close ``close_before_min`` minutes before the start; refunds are allowed until
  ``refund_until_before_min`` minutes before it. A cinema may override either default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from seatcore.errors import ScheduleClash, ValidationFailed

END_ROUNDING_MIN = 5


@dataclass(frozen=True, slots=True)
class Screening:
    """One showtime's time in its hall; ``id`` is None for one not saved yet."""

    starts_at: datetime
    ends_at: datetime
    id: int | None = None


def showtime_end(starts_at: datetime, duration_min: int, *, round_to_min: int = END_ROUNDING_MIN) -> datetime:
    """When a showtime of a film running ``duration_min`` minutes ends (``round_to_min`` <= 1: exact)."""
    if duration_min < 1:
        raise ValidationFailed("a film runs at least one minute", duration_min=duration_min)
    end = starts_at + timedelta(minutes=duration_min)
    if round_to_min <= 1:
        return end
    step = timedelta(minutes=round_to_min)
    remainder = (end - end.replace(minute=0, second=0, microsecond=0)) % step
    return end + (step - remainder) if remainder else end


def find_clash(new: Screening, others: Iterable[Screening], *, gap_min: int) -> Screening | None:
    """The earliest screening of ``others`` that ``new`` clashes with, counting the cleaning gap.

    A screening never clashes with itself (same id), so an edited showtime can be checked against
    its hall's schedule as it stands.
    """
    if new.ends_at <= new.starts_at:
        raise ValidationFailed("a showtime must end after it starts")
    gap = timedelta(minutes=gap_min)
    clashes = [
        other
        for other in others
        if (new.id is None or other.id != new.id)
        and new.starts_at < other.ends_at + gap
        and other.starts_at < new.ends_at + gap
    ]
    return min(clashes, key=lambda s: s.starts_at, default=None)


def check_no_clash(new: Screening, others: Iterable[Screening], *, gap_min: int) -> None:
    """Raise ScheduleClash naming the clashing showtime when ``new`` does not fit the hall's schedule."""
    clash = find_clash(new, others, gap_min=gap_min)
    if clash is not None:
        raise ScheduleClash(
            f"the hall is busy then: another showtime runs {clash.starts_at.isoformat()} to "
            f"{clash.ends_at.isoformat()} and halls need {gap_min} minutes of cleaning between screenings",
            showtime_id=clash.id,
            starts_at=clash.starts_at.isoformat(),
            ends_at=clash.ends_at.isoformat(),
            cleaning_gap_min=gap_min,
        )


@dataclass(frozen=True, slots=True)
class SalesPolicy:
    """When a showtime stops selling and stops refunding, in minutes before its start."""

    close_before_min: int
    refund_until_before_min: int

    def with_overrides(
        self, close_before_min: int | None, refund_until_before_min: int | None
    ) -> SalesPolicy:
        """This policy with a cinema's own values where it has them (None keeps the default)."""
        return replace(
            self,
            close_before_min=self.close_before_min if close_before_min is None else close_before_min,
            refund_until_before_min=(
                self.refund_until_before_min if refund_until_before_min is None else refund_until_before_min
            ),
        )

    def sales_close_at(self, starts_at: datetime) -> datetime:
        return starts_at - timedelta(minutes=self.close_before_min)

    def refund_deadline(self, starts_at: datetime) -> datetime:
        return starts_at - timedelta(minutes=self.refund_until_before_min)

    def selling(self, starts_at: datetime, now: datetime) -> bool:
        """True while tickets may still be sold by time (staff may also stop sales by hand)."""
        return now < self.sales_close_at(starts_at)

    def refundable(self, starts_at: datetime, now: datetime) -> bool:
        return now < self.refund_deadline(starts_at)
