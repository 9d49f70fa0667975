"""Watchers: moviegoers who keep a seat map open over WebSocket, and the delay of every change.

``SeatMapWatcher`` opens ``/ws/showtimes/{id}`` on one of ``--watch-showtimes`` (default: the
premiere), applies the snapshot and then each delta as the protocol says (docs/websocket.md),
pings every few seconds, and when the server asks it to resync (close 4000, 1001, 4408) comes back
with ``since`` and ``epoch``. A delta that skips sequence numbers is a failure (``WS gap``).

``SeatChanger`` makes the changes whose delay is measured: it holds a seat on a watched showtime,
keeps it a moment and releases it, stamping each seat with the moment it sent the request. A
watcher that receives that change records ``WS change to arrival``: from the request leaving the
changer to the delta arriving at the watcher, i.e. the service's whole path (HTTP, the Lua script,
pub/sub, the hub, coalescing, the socket) plus the load generator's own scheduling. Every watcher
records each change it receives, so the row's percentiles are the fan-out latency over all
watchers. Stamps are shared by the users of one locust process only: with ``--processes`` each
process measures the changes its own changers make.

Other events: ``WS connect`` (from opening the socket to the first frame), ``WS resync <code>``.
"""

from __future__ import annotations

import struct
import threading
import time
from dataclasses import dataclass

import orjson
import websocket
from locust import between, constant, task

from loadtests.scenarios._common import (
    API,
    Json,
    Moviegoer,
    elapsed_ms,
    record,
    watched_showtimes,
)
from loadtests.scenarios._seats import pick_seats

PING_EVERY_S = 10.0
CONNECT_TIMEOUT_S = 30.0
STAMP_VALID_S = 30.0
RESYNC_CODES = (1001, 4000, 4408)  # the server asks the client to come back with since
HOLD_REFUSALS = ("seat_unavailable", "stranded_seat")


@dataclass
class Stamp:
    sent: float  # time.perf_counter() when the request left
    state: str  # the state the change will carry
    hold_id: str | None = None  # for a hold, once its answer came back


# (showtime, seat) -> the last change a changer asked for there
STAMPS: dict[tuple[int, str], Stamp] = {}


class SeatMapWatcher(Moviegoer):
    weight = 9
    wait_time = constant(1.0)  # before reconnecting after a socket ended

    def on_start(self) -> None:
        self.showtime_id = self.rng.choice(watched_showtimes(self))
        self.seq: int | None = None
        self.epoch: str | None = None
        self.states: dict[str, str] = {}
        self.socket: websocket.WebSocket | None = None

    def on_stop(self) -> None:
        if self.socket is not None:
            self.socket.close()

    def url(self) -> str:
        base = str(self.host).replace("https://", "wss://").replace("http://", "ws://").rstrip("/")
        url = f"{base}/ws/showtimes/{self.showtime_id}"
        if self.seq is not None and self.epoch is not None:
            url += f"?since={self.seq}&epoch={self.epoch}"
        return url

    @task
    def watch(self) -> None:
        """One socket, from opening to its close (then the task runs again and reconnects)."""
        opened = time.perf_counter()
        headers = [f"{name}: {value}" for name, value in self.headers().items()]
        try:
            sock = websocket.create_connection(self.url(), timeout=CONNECT_TIMEOUT_S, header=headers)
        except (OSError, websocket.WebSocketException) as exc:
            record(self.environment, "WS", "connect", ms=elapsed_ms(opened), error=repr(exc))
            return
        self.socket = sock
        sock.settimeout(None)
        done = threading.Event()
        threading.Thread(target=self._ping, args=(sock, done), daemon=True).start()
        try:
            self._receive(sock, opened)
        finally:
            done.set()
            sock.close()
            self.socket = None

    def _ping(self, sock: websocket.WebSocket, done: threading.Event) -> None:
        """Ping every few seconds (the server drops clients it has not heard from) until done."""
        while not done.wait(PING_EVERY_S):
            try:
                sock.send('{"type":"ping"}')
            except (OSError, websocket.WebSocketException):
                return

    def _receive(self, sock: websocket.WebSocket, opened: float) -> None:
        first = True
        while True:
            try:
                opcode, frame = sock.recv_data_frame(False)
            except (OSError, websocket.WebSocketException) as exc:
                record(self.environment, "WS", "connection lost", error=repr(exc))
                self.seq = None
                return
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self._closed(frame.data)
                return
            message: Json = orjson.loads(frame.data)
            if first:
                record(self.environment, "WS", "connect", ms=elapsed_ms(opened), length=len(frame.data))
                first = False
            if message["type"] == "snapshot":
                self.seq, self.epoch = int(message["seq"]), str(message["epoch"])
                self.states = dict(message["states"])
            elif message["type"] == "delta" and not self._delta(message, len(frame.data)):
                return

    def _delta(self, delta: Json, size: int) -> bool:
        """Apply a delta; False when it skipped sequence numbers (the socket is then given up)."""
        arrived = time.perf_counter()
        start, end = int(delta["from_seq"]), int(delta["seq"])
        if self.seq is None or end <= self.seq:
            return True
        if start > self.seq + 1:
            record(self.environment, "WS", "gap", error=f"at seq {self.seq} got a delta from {start}")
            return False
        self.seq = end
        for change in delta["changes"]:
            self.states[change["seat"]] = change["state"]
            stamp = STAMPS.get((self.showtime_id, change["seat"]))
            if stamp is None or stamp.state != change["state"] or arrived - stamp.sent > STAMP_VALID_S:
                continue
            if stamp.state == "held" and stamp.hold_id not in (None, change.get("hold_id")):
                continue
            record(self.environment, "WS", "change to arrival", ms=(arrived - stamp.sent) * 1000, length=size)
        return True

    def _closed(self, data: bytes) -> None:
        code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
        if code in RESYNC_CODES:
            record(self.environment, "WS", f"resync {code}")
            return  # the next watch() resumes with since and epoch
        record(self.environment, "WS", f"close {code}", error=data[2:].decode(errors="replace"))
        self.seq = self.epoch = None


class SeatChanger(Moviegoer):
    """Holds a seat on a watched showtime, keeps it a moment, releases it: changes to measure."""

    weight = 1
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.sign_in()
        self.showtime_id = self.rng.choice(watched_showtimes(self))

    @task
    def flip(self) -> None:
        if self.token is None:
            return
        seat_map = self.seat_map(self.showtime_id)
        if seat_map is None or not seat_map["sales_open"]:
            return
        picked = pick_seats(seat_map["layout"], seat_map["states"], 1, self.rng)
        if picked is None:
            return
        where = (self.showtime_id, picked[0])
        stamp = STAMPS[where] = Stamp(time.perf_counter(), "held")
        answer = self.call(
            "POST",
            f"{API}/showtimes/{self.showtime_id}/holds",
            name="POST /showtimes/[id]/holds",
            json={"seats": picked},
            expect=HOLD_REFUSALS,
        )
        if not answer.ok:
            if STAMPS.get(where) is stamp:
                del STAMPS[where]
            return
        stamp.hold_id = str(answer.body["id"])
        time.sleep(self.rng.uniform(0.5, 2.0))
        STAMPS[where] = Stamp(time.perf_counter(), "free")
        self.call("DELETE", f"{API}/holds/{stamp.hold_id}", name="DELETE /holds/[id]")
