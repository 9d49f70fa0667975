"""Query strings of the staff API: empty parameters count as absent; pages go by cursor
(seatcore.api._cursor)."""

from __future__ import annotations

from pydantic import Field

from seatcore.api._cursor import MAX_CURSOR_CHARS, cursor_field
from seatcore.api._http import Query


class StaffQuery(Query):
    """A query where ``?name=`` (as HTML forms send it) means the parameter is absent."""

    empty_is_absent = True


class PageQuery(StaffQuery):
    cursor: str | None = cursor_field(MAX_CURSOR_CHARS)
    limit: int = Field(20, ge=1, le=100)
