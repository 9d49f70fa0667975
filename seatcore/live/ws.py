"""``WS /ws/showtimes/{id}``: one moviegoer's live seat map (protocol in docs/websocket.md).

The socket is accepted first and refused with a close code, so that browsers and the mini-program
can tell why: 4403 foreign origin, 4404 no such showtime, 4400 bad query, 4401 bad token, 4429 too
many sockets from one address. A watcher is registered with the hub, and the hub's subscription to
its showtime confirmed, before the snapshot (or the replay of a resume) is read, so no change can
fall between the first frame and the deltas.

Each socket runs two tasks beside its own: a pump, the socket's only writer, and a listener for
the client's pings. The socket's own task waits for the watcher to end, gives the pump the close
timeout to finish the send it is in (a client that stopped reading may never let it), and closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from starlette.websockets import WebSocket, WebSocketDisconnect

from seatcore.auth.principal import authenticate
from seatcore.bounds import parse_count, parse_id
from seatcore.errors import NotFound, Unauthorized
from seatcore.live.frames import Gap, catch_up
from seatcore.live.hub import FRAMES_SENT, LiveHub, Watcher
from seatcore.live.protocol import (
    PONG_TEXT,
    BadFrame,
    CloseCode,
    encode,
    parse_client_frame,
    ping_frame,
)
from seatcore.live.source import first_frame
from seatcore.runtime import Runtime
from seatcore.settings import Settings

log = logging.getLogger("seatcore.live")
MAX_EPOCH_CHARS = 64
MAX_REASON_BYTES = 123  # what a close frame has room for
CLIENT_LEFT = 1005  # "no status": never sent on the wire, marks a watcher whose client closed
_SEND_ERRORS = (WebSocketDisconnect, OSError, RuntimeError)


class Refused(Exception):
    """The socket must close with ``code`` before any frame is sent."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Resume:
    since: int | None
    epoch: str | None


async def seat_map_socket(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    settings = runtime.settings
    hub: LiveHub = runtime.extras["live"]
    await websocket.accept()
    ip = websocket.client.host if websocket.client else "unknown"
    try:
        showtime_id, resume, user_id = _admission(websocket, settings)
    except Refused as refusal:
        await close(websocket, refusal.code, refusal.reason, settings)
        return
    if not hub.admit(ip):
        await close(websocket, CloseCode.TOO_MANY_SOCKETS, "too many sockets from your address", settings)
        return
    try:
        if not hub.ready.is_set():
            try:
                await asyncio.wait_for(hub.ready.wait(), settings.live_close_timeout_s)
            except TimeoutError:
                await close(websocket, CloseCode.TRY_LATER, "live updates are unavailable", settings)
                return
        watcher = hub.watch(showtime_id, user_id)
        try:
            await _serve(websocket, hub, watcher, runtime, resume, user_id)
        finally:
            watcher.end(CLIENT_LEFT, "")
    finally:
        hub.leave(ip)


def _admission(websocket: WebSocket, settings: Settings) -> tuple[int, Resume, int | None]:
    """The showtime, the resume point and the moviegoer, or Refused with the reason."""
    headers = websocket.headers
    if not origin_allowed(headers.get("origin"), headers.get("host"), settings.allowed_origins):
        raise Refused(CloseCode.ORIGIN_REFUSED, "this origin may not open seat maps")
    showtime_id = parse_id(str(websocket.path_params["showtime_id"]))
    if showtime_id is None:
        raise Refused(CloseCode.NO_SHOWTIME, "no such showtime")
    resume = parse_resume(websocket.query_params)
    try:
        principal = authenticate(websocket)
    except Unauthorized as exc:
        raise Refused(CloseCode.BAD_TOKEN, exc.message) from None
    user_id = principal.id if principal is not None and principal.kind == "user" else None
    return showtime_id, resume, user_id


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """No Origin (not a browser), the page's own host, or an origin listed in the settings."""
    if origin is None:
        return True
    wanted = origin.strip().rstrip("/").lower()
    if "*" in allowed or wanted in (o.strip().rstrip("/").lower() for o in allowed):
        return True
    netloc = urlsplit(wanted).netloc
    return bool(netloc) and host is not None and netloc == host.strip().lower()


def parse_resume(query: Mapping[str, str]) -> Resume:
    since_raw, epoch = query.get("since"), query.get("epoch")
    since = None
    if since_raw:
        since = parse_count(since_raw)
        if since is None:
            raise Refused(CloseCode.BAD_FRAME, "since must be a sequence number")
    if epoch and (len(epoch) > MAX_EPOCH_CHARS or not epoch.isprintable()):
        raise Refused(CloseCode.BAD_FRAME, "epoch is not one the server gave")
    return Resume(since, epoch or None)


async def _serve(
    websocket: WebSocket,
    hub: LiveHub,
    watcher: Watcher,
    runtime: Runtime,
    resume: Resume,
    user_id: int | None,
) -> None:
    settings = runtime.settings
    await hub.subscribed(watcher)  # unconfirmed after a while, the hub's audit fills in
    try:
        epoch, seq, text = await first_frame(
            runtime, watcher.showtime_id, user_id, resume.since, resume.epoch
        )
    except NotFound:
        await close(websocket, CloseCode.NO_SHOWTIME, "no such showtime", settings)
        return
    except RedisError:
        await close(websocket, CloseCode.TRY_LATER, "seat states are unavailable", settings)
        return
    try:
        if text is not None:
            await websocket.send_text(text)
    except _SEND_ERRORS:
        return
    await hub.joined(watcher, epoch, seq)
    pump = asyncio.create_task(_pump(websocket, hub, watcher))
    listener = asyncio.create_task(listen(websocket, watcher))
    try:
        await watcher.ended.wait()
        # The pump leaves at its next look at the watcher; a client that stopped reading keeps
        # it in its current send, so it gets the close timeout to drain and no more.
        done, _ = await asyncio.wait({pump}, timeout=settings.live_close_timeout_s)
    finally:
        pump.cancel()
        listener.cancel()
    assert watcher.ending is not None
    code, reason = watcher.ending
    if pump not in done or pump.cancelled():
        return  # still stuck behind a client that does not read: no close frame can get through
    if (error := pump.exception()) is not None:
        log.error("a seat-map socket's writer failed", exc_info=error)
    elif code != CLIENT_LEFT:
        await close(websocket, code, reason, settings)


class Peer(Protocol):
    """The other end of a socket, as its reader sees it (a seat-map watcher, a waiting fan)."""

    def heard(self) -> None: ...
    def want_pong(self) -> None: ...
    def end(self, code: int, reason: str) -> None: ...


async def listen(websocket: WebSocket, peer: Peer) -> None:
    """Read client frames: a ping is answered, the client leaving or breaking the protocol ends it."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            peer.end(CLIENT_LEFT, "")
            return
        peer.heard()
        try:
            text = message.get("text")
            if text is None:
                raise BadFrame("binary frames are not part of the protocol")
            parse_client_frame(text)
        except BadFrame as exc:
            peer.end(CloseCode.BAD_FRAME, str(exc))
            return
        peer.want_pong()


async def _pump(websocket: WebSocket, hub: LiveHub, watcher: Watcher) -> None:
    """The socket's one writer: pongs, then everything queued as one delta, then a due ping."""
    try:
        while watcher.ending is None:
            if not (watcher.frames or watcher.pongs_due or watcher.ping_due):
                watcher.wakeup.clear()
                await watcher.wakeup.wait()
                continue
            while watcher.pongs_due and watcher.ending is None:
                watcher.pongs_due -= 1
                await websocket.send_text(PONG_TEXT)
            if watcher.frames and watcher.ending is None:
                await _send_queued(websocket, watcher)
            if watcher.ping_due and watcher.ending is None and watcher.sent_seq is not None:
                watcher.ping_due = False
                watcher.sent(watcher.sent_seq)
                latest = hub.latest_seq(watcher.showtime_id, watcher.sent_seq)
                await websocket.send_text(encode(ping_frame(latest)))
    except _SEND_ERRORS:
        watcher.end(CLIENT_LEFT, "")


async def _send_queued(websocket: WebSocket, watcher: Watcher) -> None:
    frames = list(watcher.frames)
    watcher.frames.clear()
    assert watcher.sent_seq is not None  # set by hub.joined before the pump starts
    try:
        text, seq = catch_up(frames, watcher.sent_seq, watcher.user_id)
    except Gap:
        watcher.end(CloseCode.RESYNC, "missed changes: reconnect with since")
        return
    if text is not None:
        watcher.sent(seq)
        await websocket.send_text(text)
        FRAMES_SENT.inc()


async def close(websocket: WebSocket, code: int, reason: str, settings: Settings) -> None:
    """Send the close frame, waiting no longer than the close timeout for a stuck client."""
    reason = reason.encode()[:MAX_REASON_BYTES].decode(errors="ignore")
    with contextlib.suppress(TimeoutError, *_SEND_ERRORS):
        await asyncio.wait_for(websocket.close(int(code), reason), settings.live_close_timeout_s)
