"""Times in the store are naive UTC; the edges speak aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def to_db(moment: datetime) -> datetime:
    """An aware datetime as the store's naive UTC."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must carry a time zone")
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_db(moment: datetime, tz: str = "UTC") -> datetime:
    """A stored naive UTC datetime in the given zone (the cinema's)."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
