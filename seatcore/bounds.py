"""The bounds every outside value is held to, and the one parser of each kind.

Whatever a client sends (a path segment, a query parameter, a cursor, a hold id, a WebSocket URL)
becomes an id, an integer or a date only through these, so nothing past what the database and the
seat scripts can hold gets beyond the edge (a value out of bounds is refused there, never a 500):

- ids are ASCII decimal digits, 1 .. MAX_ID - 1: inside a signed 64-bit column and exact as a
  JavaScript number (the mini-program and the console read ids as numbers);
- other integers a client may send (counts, sequence numbers) are 0 .. MAX_INT, signed 64-bit;
- dates and times are within the years FIRST_YEAR .. LAST_YEAR: wide enough for any schedule or
  report, narrow enough that a day's arithmetic (the day before, a week after, a time zone's
  offset) never leaves what ``datetime`` and the databases represent.
"""

from __future__ import annotations

import datetime as dt
import re

MAX_ID = 2**53  # ids are below it
MAX_INT = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_ID))
MAX_INT_DIGITS = len(str(MAX_INT))
FIRST_YEAR = 2000
LAST_YEAR = 2100
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)
LAST_DAY = dt.date(LAST_YEAR, 12, 31)
# The same window as a regular expression on ISO 8601 text, for the OpenAPI document: JSON Schema
# has no minimum for dates, so the document states it as a pattern on the year.
YEAR_PATTERN = r"^(20[0-9]{2}|2100)-"
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _digits(text: str, max_digits: int) -> int | None:
    # str.isdigit() also accepts "²" and other Unicode digits that int() then refuses or reads.
    if not 0 < len(text) <= max_digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def parse_id(text: str) -> int | None:
    """The id ``text`` spells in ASCII digits, or None when it is not one (or out of bounds)."""
    value = _digits(text, MAX_ID_DIGITS)
    return value if value is not None and 0 < value < MAX_ID else None


def parse_count(text: str) -> int | None:
    """A non-negative integer up to MAX_INT in ASCII digits, or None."""
    value = _digits(text, MAX_INT_DIGITS)
    return value if value is not None and value <= MAX_INT else None


def is_id(value: object) -> bool:
    """Whether a decoded value (from a cursor's JSON) is an id: an int, not a bool, in bounds."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < MAX_ID


def is_count(value: object) -> bool:
    """Whether a decoded value is an integer in 0 .. MAX_INT (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INT


def day_in_window(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def parse_moment(text: str) -> dt.datetime | None:
    """An ISO 8601 date-time inside the window, or None (naive stays naive, as it was sent)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if day_in_window(moment.date()) else None
