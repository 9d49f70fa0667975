"""Query strings of the staff API: empty parameters count as absent; pages go by cursor
(seatcore.api._cursor)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from seatcore.api._cursor import CURSOR_DESCRIPTION, CURSOR_PATTERN, MAX_CURSOR_CHARS
from seatcore.api._http import Query


class StaffQuery(Query):
    """A query where ``?name=`` (as HTML forms send it) means the parameter is absent."""

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data


class PageQuery(StaffQuery):
    cursor: str | None = Field(
        None, max_length=MAX_CURSOR_CHARS, pattern=CURSOR_PATTERN, description=CURSOR_DESCRIPTION
    )
    limit: int = Field(20, ge=1, le=100)
