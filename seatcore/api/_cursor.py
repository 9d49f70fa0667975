"""Opaque page cursors: a list's sort key of the last item given out, as URL-safe base64 JSON.

Each list checks the decoded key's types itself and answers ``bad_cursor()`` when they are wrong.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

import orjson

from seatcore.errors import ValidationFailed


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The two-part key a cursor holds; anything else is refused as ``bad_cursor()``."""
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, list) or len(value) != 2:
        raise bad_cursor()
    return value


def bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "invalid query",
        problems=[{"field": "cursor", "problem": "not a cursor this list gave out: start again without it"}],
    )
