"""Opaque page cursors: a list's sort key of the last item given out, as URL-safe base64 JSON.

Every list reads its cursors here, naming the kind of each part of its key, so a cursor that was
tampered with (a number past 64 bits, a date in year 9999, a part of the wrong type) is refused
as ``bad_cursor()`` before it reaches a query.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import orjson
from pydantic import Field, JsonValue

from seatcore.bounds import is_count, is_id, parse_moment
from seatcore.errors import ValidationFailed

# id: an id (seatcore.bounds); count: an integer 0..2**63-1; moment: an ISO 8601 date-time in the
# bounds' window, given back as a datetime; text: a string of at most MAX_TEXT characters.
Part = Literal["id", "count", "moment", "text"]
MAX_TEXT = 64
MAX_CURSOR_CHARS = 300
# What the OpenAPI document says of every cursor parameter.
# (Empty: no cursor, as in ``?cursor=``.) Its own format name tells fuzzers and generated clients
# that no string is a cursor unless a list gave it out.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"
CURSOR_FORMAT = "opaque-cursor"
CURSOR_DESCRIPTION = "next_cursor of the previous page, as it was given (URL-safe base64)"


def cursor_field(max_length: int) -> Any:
    """The ``cursor`` query parameter of a list."""
    schema: dict[str, JsonValue] = {
        "type": "string",
        "format": CURSOR_FORMAT,
        "pattern": CURSOR_PATTERN,
        "maxLength": max_length,
    }
    return Field(
        None,
        max_length=max_length,
        pattern=CURSOR_PATTERN,
        description=CURSOR_DESCRIPTION,
        json_schema_extra={"anyOf": [schema, {"type": "null"}]},
    )


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key), default=str)).decode().rstrip("=")


def decode_cursor(cursor: str, parts: Sequence[Part]) -> list[Any]:
    """The key a cursor holds, one value per part of the kinds named; anything else is refused
    as ``bad_cursor()``."""
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, list) or len(value) != len(parts):
        raise bad_cursor()
    return [_part(kind, item) for kind, item in zip(parts, value, strict=True)]


def _part(kind: Part, item: Any) -> Any:
    if (kind == "id" and is_id(item)) or (kind == "count" and is_count(item)):
        return item
    if kind == "text" and isinstance(item, str) and len(item) <= MAX_TEXT:
        return item
    if kind == "moment" and isinstance(item, str) and len(item) <= MAX_TEXT:
        moment: dt.datetime | None = parse_moment(item)
        if moment is not None:
            return moment
    raise bad_cursor()


def bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "invalid query",
        problems=[{"field": "cursor", "problem": "not a cursor this list gave out: start again without it"}],
    )
