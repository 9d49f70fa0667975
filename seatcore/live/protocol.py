"""The live seat map's wire protocol: frame shapes, their JSON schemas and the close codes.

Server frames are ``snapshot``, ``delta``, ``ping`` and ``pong``; the only frame a client may send
is ``{"type": "ping"}``. docs/websocket.md prints ``SCHEMAS`` and explains the rules around them
(resync, coalescing, heartbeats); a test keeps the two identical.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Literal, TypedDict

import orjson

from seatcore.types import JSON, SeatId

SeatState = Literal["free", "held", "sold"]
MAX_CLIENT_FRAME_CHARS = 256


class Change(TypedDict, total=False):
    """One seat's new state as a socket is sent it; ``hold_id`` only when held by a hold of the
    socket's own moviegoer (seatcore.live.frames)."""

    seat: SeatId
    state: SeatState
    hold_id: str


class CloseCode(enum.IntEnum):
    """WebSocket close codes the server sends, and what the client should do about each."""

    GOING_AWAY = 1001  # the server is stopping: reconnect with since
    TRY_LATER = 1013  # the server cannot follow seat changes right now (Redis away): retry later
    RESYNC = 4000  # slow consumer or epoch changed: reconnect with since
    BAD_FRAME = 4400  # the client sent something other than a ping: a client bug, do not retry
    BAD_TOKEN = 4401  # the token is invalid or expired: sign in again
    ORIGIN_REFUSED = 4403  # the page's origin may not open sockets here
    NO_SHOWTIME = 4404  # no such showtime: do not retry
    IDLE_TIMEOUT = 4408  # nothing heard from the client for the idle timeout: reconnect with since
    TOO_MANY_SOCKETS = 4429  # too many sockets from this address: retry later


class BadFrame(ValueError):
    """A client frame the protocol does not allow; answered with close 4400."""


def snapshot_frame(
    showtime_id: int,
    seq: int,
    epoch: str,
    states: Mapping[SeatId, str],
    mine: Iterable[SeatId],
    my_hold: JSON | None,
) -> JSON:
    return {
        "type": "snapshot",
        "showtime_id": showtime_id,
        "seq": seq,
        "epoch": epoch,
        "states": dict(states),
        "mine": list(mine),
        "my_hold": my_hold,
    }


def delta_frame(from_seq: int, seq: int, changes: Iterable[Change]) -> JSON:
    return {"type": "delta", "from_seq": from_seq, "seq": seq, "changes": list(changes)}


def ping_frame(seq: int) -> JSON:
    return {"type": "ping", "seq": seq}


PONG_TEXT = '{"type":"pong"}'


def encode(frame: JSON) -> str:
    """The frame as JSON text, the form every socket is sent."""
    return orjson.dumps(frame).decode()


def parse_client_frame(text: str) -> Literal["ping"]:
    """The one frame a client may send; anything else raises BadFrame."""
    if len(text) > MAX_CLIENT_FRAME_CHARS:
        raise BadFrame("frame too long")
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadFrame("not JSON") from None
    if not isinstance(frame, dict) or frame.get("type") != "ping" or len(frame) != 1:
        raise BadFrame('the only client frame is {"type": "ping"}')
    return "ping"


_SEQ = {"type": "integer", "minimum": 0}
_SEAT = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"}
_STATE = {"enum": ["free", "held", "sold"]}
_CHANGE = {
    "type": "object",
    "required": ["seat", "state"],
    "properties": {"seat": _SEAT, "state": _STATE, "hold_id": {"type": "string"}},
    "additionalProperties": False,
}
_HOLD = {
    "type": "object",
    "required": ["id", "showtime_id", "seats", "expires_at", "max_expires_at", "amount_fen"],
    "properties": {
        "id": {"type": "string"},
        "showtime_id": {"type": "integer"},
        "seats": {"type": "array", "items": _SEAT},
        "expires_at": {"type": "string", "format": "date-time"},
        "max_expires_at": {"type": "string", "format": "date-time"},
        "amount_fen": {"type": "integer", "minimum": 0},
    },
    "additionalProperties": False,
}

# One JSON schema (draft 2020-12) per frame type, keyed by ``type``.
SCHEMAS: dict[str, JSON] = {
    "snapshot": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "snapshot (server to client)",
        "type": "object",
        "required": ["type", "showtime_id", "seq", "epoch", "states", "mine", "my_hold"],
        "properties": {
            "type": {"const": "snapshot"},
            "showtime_id": {"type": "integer", "minimum": 1},
            "seq": _SEQ,
            "epoch": {"type": "string", "minLength": 1},
            "states": {"type": "object", "propertyNames": _SEAT, "additionalProperties": _STATE},
            "mine": {"type": "array", "items": _SEAT},
            "my_hold": {"oneOf": [{"type": "null"}, _HOLD]},
        },
        "additionalProperties": False,
    },
    "delta": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "delta (server to client)",
        "type": "object",
        "required": ["type", "from_seq", "seq", "changes"],
        "properties": {
            "type": {"const": "delta"},
            "from_seq": {"type": "integer", "minimum": 1},
            "seq": {"type": "integer", "minimum": 1},
            "changes": {"type": "array", "items": _CHANGE},
        },
        "additionalProperties": False,
    },
    "ping": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ping (server to client, every ping interval)",
        "type": "object",
        "required": ["type", "seq"],
        "properties": {"type": {"const": "ping"}, "seq": _SEQ},
        "additionalProperties": False,
    },
    "pong": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "pong (server to client, the answer to a client ping)",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"const": "pong"}},
        "additionalProperties": False,
    },
    "client_ping": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ping (client to server; the only frame a client may send)",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"const": "ping"}},
        "additionalProperties": False,
    },
}
