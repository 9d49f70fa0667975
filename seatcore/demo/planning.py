"""How the demo fills a hall's day: films in turn from the hall's first start to the last start,
on the quarter hour, with the cleaning gap between screenings. The seeded week and the seeded
past both plan with it, so a day planned twice comes out the same and the overlap rule skips it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from seatcore.demo.films import Film
from seatcore.demo.venues import TIMEZONE, HallSpec
from seatcore.domain.schedule import showtime_end

LAST_START = time(22, 30)
START_STEP_MIN = 15  # showtimes start on the quarter hour


def plan_day(
    day: date, hall_index: int, spec: HallSpec, films: list[tuple[int, Film]], gap_min: int
) -> list[tuple[int, Film, datetime, datetime]]:
    """One hall's screenings on one day: films in turn from the hall's first start until the last
    start, each starting on the quarter hour after the previous one ended and the hall was cleaned."""
    zone = ZoneInfo(TIMEZONE)
    hour, minute = (int(part) for part in spec.first_start.split(":"))
    starts = datetime.combine(day, time(hour, minute), zone)
    last_start = datetime.combine(day, LAST_START, zone)
    turn = hall_index * 3 + day.toordinal()
    plan = []
    while starts <= last_start:
        movie_id, film = films[turn % len(films)]
        ends = showtime_end(starts, film.duration_min)
        plan.append((movie_id, film, starts, ends))
        starts = _next_quarter(ends + timedelta(minutes=gap_min))
        turn += 1
    return plan


def _next_quarter(moment: datetime) -> datetime:
    step = timedelta(minutes=START_STEP_MIN)
    remainder = (moment - moment.replace(minute=0, second=0, microsecond=0)) % step
    return moment + (step - remainder) if remainder else moment
