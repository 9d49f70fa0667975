"""``WS /ws/showtimes/{id}/waiting-room``: one fan's place in a premiere's line, pushed as it
moves (protocol in docs/websocket.md, "The waiting room's socket").

Same door as the seat map's socket: origin, token (``?token=`` or the header), sockets per
address; a moviegoer's token is required (4401 without one), 4404 when the showtime has no
room. Opening the socket takes the fan's place (as ``POST /api/v1/showtimes/{id}/waiting-room``
does) and, while it stays open, keeps it. The fan's frames are written by one task per socket;
the lobby (seatcore.waitingroom.lobby) fills them.
"""

from __future__ import annotations

import asyncio
import contextlib

from redis.exceptions import RedisError
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from seatcore.auth.principal import authenticate
from seatcore.bounds import parse_id
from seatcore.errors import Unauthorized
from seatcore.live.hub import LiveHub
from seatcore.live.protocol import PONG_TEXT, CloseCode
from seatcore.live.ws import CLIENT_LEFT, Refused, close, listen, origin_allowed
from seatcore.runtime import Runtime
from seatcore.waitingroom.lobby import Fan, Lobby
from seatcore.waitingroom.protocol import PING_TEXT

_SEND_ERRORS = (WebSocketDisconnect, OSError, RuntimeError)


def _door(websocket: WebSocket, runtime: Runtime) -> tuple[int, int]:
    """The showtime and the moviegoer, or Refused with the reason."""
    headers = websocket.headers
    if not origin_allowed(headers.get("origin"), headers.get("host"), runtime.settings.allowed_origins):
        raise Refused(CloseCode.ORIGIN_REFUSED, "this origin may not open waiting rooms")
    showtime_id = parse_id(str(websocket.path_params["showtime_id"]))
    if showtime_id is None:
        raise Refused(CloseCode.NO_SHOWTIME, "no such showtime")
    try:
        principal = authenticate(websocket)
    except Unauthorized as exc:
        raise Refused(CloseCode.BAD_TOKEN, exc.message) from None
    if principal is None or principal.kind != "user":
        raise Refused(CloseCode.BAD_TOKEN, "sign in as a moviegoer to take a place in line")
    return showtime_id, principal.id


async def waiting_room_socket(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    settings = runtime.settings
    lobby: Lobby = runtime.extras["lobby"]
    hub: LiveHub = runtime.extras["live"]
    await websocket.accept()
    ip = websocket.client.host if websocket.client else "unknown"
    try:
        showtime_id, user_id = _door(websocket, runtime)
    except Refused as refusal:
        await close(websocket, refusal.code, refusal.reason, settings)
        return
    if not hub.admit(ip):
        await close(websocket, CloseCode.TOO_MANY_SOCKETS, "too many sockets from your address", settings)
        return
    try:
        try:
            place = await runtime.waiting_rooms.join(
                showtime_id, user_id, per_minute=lobby.speed(showtime_id)
            )
        except RedisError:
            await close(websocket, CloseCode.TRY_LATER, "the waiting room is unavailable", settings)
            return
        if place is None:
            await close(websocket, CloseCode.NO_SHOWTIME, "this showtime has no waiting room", settings)
            return
        fan = lobby.enter(showtime_id, user_id, place)
        try:
            await _serve(websocket, fan, settings.live_close_timeout_s)
        finally:
            lobby.leave(fan)
    finally:
        hub.leave(ip)


async def _serve(websocket: WebSocket, fan: Fan, close_timeout_s: float) -> None:
    pump = asyncio.create_task(_pump(websocket, fan))
    listener = asyncio.create_task(listen(websocket, fan))
    try:
        await fan.ended.wait()
        done, _ = await asyncio.wait({pump}, timeout=close_timeout_s)
    finally:
        pump.cancel()
        listener.cancel()
    assert fan.ending is not None
    code, reason = fan.ending
    if pump in done and not pump.cancelled() and pump.exception() is None and code != CLIENT_LEFT:
        with contextlib.suppress(TimeoutError, *_SEND_ERRORS):
            await asyncio.wait_for(websocket.close(code, reason), close_timeout_s)


async def _pump(websocket: WebSocket, fan: Fan) -> None:
    """The socket's one writer: the fan's own frames, then the room's latest line frame, then
    pongs and a due ping; once the fan's frames are out, an ended socket stops."""
    try:
        while True:
            if fan.outbox:
                await websocket.send_text(fan.outbox.pop(0))
            elif fan.ending is not None:
                return
            elif fan.line is not None:
                text, fan.line = fan.line, None
                await websocket.send_text(text)
            elif fan.pongs_due:
                fan.pongs_due -= 1
                await websocket.send_text(PONG_TEXT)
            elif fan.ping_due:
                fan.ping_due = False
                await websocket.send_text(PING_TEXT)
            else:
                fan.wakeup.clear()
                await fan.wakeup.wait()
    except _SEND_ERRORS:
        fan.end(CLIENT_LEFT, "")


def waiting_room_routes() -> list[BaseRoute]:
    return [
        WebSocketRoute(
            "/ws/showtimes/{showtime_id}/waiting-room", waiting_room_socket, name="waiting_room_socket"
        )
    ]
