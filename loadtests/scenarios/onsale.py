"""The on-sale moment of a premiere through its waiting room (docs/waiting-room.md).

``python -m loadtests.run onsale`` opens a room on the premiere (opening ``--room-opens-in-s``
after the service is up, ``--room-per-minute`` and/or ``--room-cap``) before locust starts. Each
fan signs in, takes a place (``POST /showtimes/{id}/waiting-room``) and watches it over the room's
socket (``WS /ws/showtimes/{id}/waiting-room``: their number, the broadcast front, pings); once
admitted they hold the best N seats with the token (``X-Admission-Token``), order and pay through
the sandbox provider. A share of fans (``--tokenless-ratio``) first try a hold without a token:
the service must refuse it (403 ``admission_required``, counted as ``REFUSED
admission_required``); a hold accepted without a token is a failure (``HOLD without token``).
When the house has no block left for them, a fan leaves the room (their slot goes to the next).

Events of our own: ``LINE admitted`` (from taking the place to the token), ``LINE place at join``
(how many were ahead; the time column holds the count), ``FAN <outcome>``, ``WS <close code>``.
Every fan stays until the run ends (``--users`` distinct fans); the run stops by itself at
``--time``. Traffic goes only to the service under test (127.0.0.1 when run by loadtests.run).
"""

from __future__ import annotations

import struct
import threading
import time

import orjson
import websocket
from locust import events, task
from locust.argument_parser import LocustArgumentParser
from locust.exception import StopUser

from loadtests.scenarios._common import API, Json, Moviegoer, elapsed_ms, option, premiere_id, record
from loadtests.scenarios._seats import free_count

HOLD_REFUSALS = ("seat_unavailable", "stranded_seat", "no_block", "admission_required")
PING_EVERY_S = 10.0
CONNECT_TIMEOUT_S = 30.0
THINK_S = (0.3, 1.5)
DONE_WAIT_S = 30.0
TICKET_WAIT_S = 30.0


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]  # locust's hooks are untyped
def _options(parser: LocustArgumentParser) -> None:
    group = parser.add_argument_group("on-sale fans")
    group.add_argument(
        "--tokenless-ratio",
        type=float,
        default=0.2,
        help="share of fans who first try a hold without an admission token (it must be refused)",
    )


class OnSaleFan(Moviegoer):
    def wait_time(self) -> float:
        return DONE_WAIT_S if self.done else self.rng.uniform(*THINK_S)

    def on_start(self) -> None:
        self.done = False
        self.admission: str | None = None
        self.sign_in()
        if self.token is None:
            raise StopUser()
        self.showtime_id = premiere_id(self)
        self.wanted = self.rng.randint(1, int(option(self.environment, "seats_max")))
        if self.rng.random() < float(option(self.environment, "tokenless_ratio")):
            self.hold_without_token()

    def hold_without_token(self) -> None:
        answer = self.call(
            "POST",
            f"{API}/showtimes/{self.showtime_id}/holds",
            name="POST /showtimes/[id]/holds (no token)",
            json={"best": self.wanted},
            expect=("admission_required",),
        )
        if answer.ok:
            record(self.environment, "HOLD", "without token", error=f"hold {answer.body['id']} accepted")
            self.call("DELETE", f"{API}/holds/{answer.body['id']}", name="DELETE /holds/[id]")

    def outcome(self, what: str) -> None:
        record(self.environment, "FAN", what)
        self.done = True

    @task
    def on_sale(self) -> None:
        if self.done:
            self.call("GET", f"{API}/me/orders", name="GET /me/orders")
            return
        if self.admission is None:
            self.admission = self.wait_in_line()
            if self.admission is None:
                return
        seat_map = self.seat_map(self.showtime_id)
        if seat_map is not None and free_count(seat_map["states"]) < self.wanted:
            self.call(
                "DELETE", f"{API}/showtimes/{self.showtime_id}/waiting-room", name="DELETE waiting-room"
            )
            self.outcome("sold out")
            return
        held = self.call(
            "POST",
            f"{API}/showtimes/{self.showtime_id}/holds",
            name="POST /showtimes/[id]/holds",
            json={"best": self.wanted},
            expect=HOLD_REFUSALS,
            headers={"X-Admission-Token": self.admission},
        )
        if held.code == "admission_required":
            self.admission = None  # the window ended: back in line
            return
        if held.ok:
            self.buy(held.body)

    def wait_in_line(self) -> str | None:
        """Take a place and watch it until the token comes (None: the socket ended first)."""
        joined = time.perf_counter()
        place = self.call(
            "POST",
            f"{API}/showtimes/{self.showtime_id}/waiting-room",
            name="POST /showtimes/[id]/waiting-room",
        )
        if not place.ok:
            return None
        if place.body["admitted"]:
            return str(place.body["token"])
        record(self.environment, "LINE", "place at join", ms=float(place.body["place"]))
        base = str(self.host).replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
        url = f"{base}/ws/showtimes/{self.showtime_id}/waiting-room"
        headers = [f"{name}: {value}" for name, value in self.headers().items()]
        try:
            sock = websocket.create_connection(url, timeout=CONNECT_TIMEOUT_S, header=headers)
        except (OSError, websocket.WebSocketException) as exc:
            record(self.environment, "WS", "connect", error=repr(exc))
            return None
        sock.settimeout(None)
        stop = threading.Event()
        threading.Thread(target=self._ping, args=(sock, stop), daemon=True).start()
        try:
            token = self._watch(sock)
        finally:
            stop.set()
            sock.close()
        if token is not None:
            record(self.environment, "LINE", "admitted", ms=elapsed_ms(joined))
        return token

    def _watch(self, sock: websocket.WebSocket) -> str | None:
        while True:
            try:
                opcode, frame = sock.recv_data_frame(False)
            except (OSError, websocket.WebSocketException) as exc:
                record(self.environment, "WS", "connection lost", error=repr(exc))
                return None
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                code = struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else 1005
                if code not in (1000, 1001, 4408):
                    record(
                        self.environment, "WS", f"close {code}", error=frame.data[2:].decode(errors="replace")
                    )
                return None
            message: Json = orjson.loads(frame.data)
            if message["type"] == "admitted":
                return str(message["token"])

    def _ping(self, sock: websocket.WebSocket, stop: threading.Event) -> None:
        while not stop.wait(PING_EVERY_S):
            try:
                sock.send('{"type":"ping"}')
            except (OSError, websocket.WebSocketException):
                return

    def buy(self, hold: Json) -> None:
        created = self.call(
            "POST",
            f"{API}/orders",
            name="POST /orders",
            json={"hold_id": hold["id"]},
            expect=("hold_expired",),
            money=True,
        )
        if not created.ok:
            return
        order_id = created.body["id"]
        paid = self.call(
            "POST",
            f"{API}/orders/{order_id}/pay",
            name="POST /orders/[id]/pay",
            expect=("hold_expired",),
            money=True,
        )
        if not paid.ok:
            return
        deadline = time.monotonic() + TICKET_WAIT_S
        while time.monotonic() < deadline:
            answer = self.call("GET", f"{API}/orders/{order_id}", name="GET /orders/[id]")
            if answer.ok and answer.body["status"] == "ticketed":
                self.outcome("ticketed")
                return
            time.sleep(0.5)
        self.outcome("paid, no tickets in time")
