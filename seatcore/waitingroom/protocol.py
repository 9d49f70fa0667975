"""The waiting room's socket protocol (``WS /ws/showtimes/{id}/waiting-room``): frame shapes
and their JSON schemas. docs/websocket.md ("The waiting room's socket") explains them.

Server frames: ``place`` (the fan's number: on joining, and again at the opening when early
places are drawn), ``line`` (the room's front and speed, the same frame for every socket),
``admitted`` (the token; the server then closes the socket with 1000), ``closed`` (staff closed
the room: holds need no token), ``ping`` and ``pong``. Clients send only ``{"type": "ping"}``.
A fan's place is ``max(0, number - served)``, its wait about ``(place + 1) * 60 / per_minute`` s.
"""

from __future__ import annotations

import time

import orjson

from seatcore.types import JSON
from seatcore.waitingroom.room import Place

CLOSED_TEXT = '{"type":"closed"}'
PING_TEXT = '{"type":"ping"}'


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def place_frame(showtime_id: int, place: Place, per_minute: float, open_: bool) -> str:
    return orjson.dumps(
        {
            "type": "place",
            "showtime_id": showtime_id,
            "number": place.number,
            "served": place.served,
            "per_minute": round(per_minute, 1),
            "open": open_,
        }
    ).decode()


def line_frame(served: int, per_minute: float, open_: bool) -> str:
    return orjson.dumps(
        {"type": "line", "served": served, "per_minute": round(per_minute, 1), "open": open_}
    ).decode()


def admitted_frame(token: str, expires_ms: int) -> str:
    return orjson.dumps({"type": "admitted", "token": token, "expires_at": iso(expires_ms)}).decode()


_COUNT = {"type": "integer", "minimum": 0}
_SPEED = {"type": "number", "minimum": 0}  # places a minute, one decimal


def _schema(title: str, kind: str, properties: dict[str, JSON]) -> JSON:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "required": ["type", *properties],
        "properties": {"type": {"const": kind}, **properties},
        "additionalProperties": False,
    }


# One JSON schema (draft 2020-12) per server frame type, keyed by ``type``.
SCHEMAS: dict[str, JSON] = {
    "place": _schema(
        "place (server to client: the fan's number)",
        "place",
        {
            "showtime_id": {"type": "integer", "minimum": 1},
            "number": {"type": "integer", "minimum": -1},
            "served": _COUNT,
            "per_minute": _SPEED,
            "open": {"type": "boolean"},
        },
    ),
    "line": _schema(
        "line (server to client: the same for every socket of the room)",
        "line",
        {"served": _COUNT, "per_minute": _SPEED, "open": {"type": "boolean"}},
    ),
    "admitted": _schema(
        "admitted (server to client, then close 1000)",
        "admitted",
        {
            "token": {"type": "string", "minLength": 1},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    ),
    "closed": _schema("closed (server to client: the room closed, then close 1000)", "closed", {}),
    "ping": _schema("ping (server to client, every ping interval)", "ping", {}),
    "pong": _schema("pong (server to client, the answer to a client ping)", "pong", {}),
}
