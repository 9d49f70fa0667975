"""Query strings of the staff API: empty parameters count as absent; opaque list cursors.

A cursor is the sort key of the last item of a page, as URL-safe base64 JSON.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

import orjson
from pydantic import Field, model_validator

from seatcore.api._http import Query
from seatcore.errors import ValidationFailed


class StaffQuery(Query):
    """A query where ``?name=`` (as HTML forms send it) means the parameter is absent."""

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data


class PageQuery(StaffQuery):
    cursor: str | None = Field(None, max_length=300, description="next_cursor of the previous page")
    limit: int = Field(20, ge=1, le=100)


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key), default=str)).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The key inside a cursor this API gave out; ValidationFailed for anything else."""
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, list) or len(value) != size:
        raise bad_cursor()
    return value


def bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "invalid query",
        problems=[{"field": "cursor", "problem": "not a cursor this list gave out: start again without it"}],
    )
