"""What every scenario shares: its command-line options, the moviegoer base class (sign-in, a client
address of its own, API calls whose expected refusals count as refusals, not failures), events of
our own in locust's statistics, and finding the showtimes to load.

Expected refusals (a seat someone else took first, a selection that would strand a seat, a sold-out
house...) are the service working as designed: the request counts as a success in locust's table
and one more event ``REFUSED <code>`` is recorded, so the report shows how often each happened.
Anything else that is not a 2xx answer is a failure.

Each simulated moviegoer sends ``X-Forwarded-For`` with an address of its own (10.x.y.z), as a
reverse proxy in front of the service would: sign-in and WebSocket limits are per client address,
and thousands of people do not share one. The service trusts that header only from its own host
(uvicorn's default, 127.0.0.1); elsewhere put the load generator where the proxy's addresses are
trusted, or pass ``--no-forwarded-for`` and raise the limits.

Locust patches the standard library with gevent, so ``time.sleep`` and threads in the scenarios
are cooperative: a sleeping user lets the others run.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Collection, Mapping
from typing import Any

import orjson
from locust import FastHttpUser, events
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment

API = "/api/v1"
Json = dict[str, Any]


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]  # locust's hooks are untyped
def _options(parser: LocustArgumentParser) -> None:
    group = parser.add_argument_group("seatcore scenarios")
    group.add_argument(
        "--showtime-id",
        type=int,
        default=0,
        help="the premiere showtime of the rush (0: the showtime with the most seats on sale)",
    )
    group.add_argument(
        "--watch-showtimes",
        default="",
        help="comma-separated showtime ids the watchers watch (empty: the premiere)",
    )
    group.add_argument("--seats-max", type=int, default=4, help="a fan wants 1..N seats")
    group.add_argument(
        "--best-ratio", type=float, default=0.4, help="share of fans asking for best available"
    )
    group.add_argument(
        "--careless-ratio", type=float, default=0.15, help="share of picks that may strand a seat"
    )
    group.add_argument(
        "--abandon-ratio",
        type=float,
        default=0.1,
        help="share of fans who hold and walk away (the hold expires)",
    )
    group.add_argument(
        "--release-ratio", type=float, default=0.05, help="share of fans who hold, then release"
    )
    group.add_argument("--refund-ratio", type=float, default=0.1, help="share of fans who pay, then refund")
    group.add_argument(
        "--member-ratio",
        type=float,
        default=0.3,
        help="share of fans who join as members and claim a coupon from the coupon centre to pay with",
    )
    group.add_argument(
        "--points-ratio",
        type=float,
        default=0.5,
        help="share of those members who are regulars with points (seeded) and pay with some of them",
    )
    group.add_argument(
        "--ticket-timeout-s", type=float, default=60.0, help="how long a fan waits for tickets after paying"
    )
    group.add_argument(
        "--no-forwarded-for",
        action="store_true",
        help="do not send X-Forwarded-For (every user then shares the load generator's address)",
    )


def option(environment: Environment, name: str) -> Any:
    return getattr(environment.parsed_options, name)


def record(
    environment: Environment,
    kind: str,
    name: str,
    *,
    ms: float = 0.0,
    length: int = 0,
    error: str | None = None,
) -> None:
    """One event of our own in locust's statistics (``kind`` is its type column)."""
    environment.events.request.fire(  # type: ignore[no-untyped-call]
        request_type=kind,
        name=name,
        response_time=ms,
        response_length=length,
        exception=None if error is None else RuntimeError(error),
        context={},
    )


def fake_address(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


class Answer:
    """What a call got: the status, the JSON body (or None) and, for an error, its code."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        self.code: str | None = error.get("code") if isinstance(error, dict) else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Moviegoer(FastHttpUser):
    """A moviegoer with an address of its own, signed in through the dev provider when asked."""

    abstract = True
    network_timeout = 60.0
    connection_timeout = 30.0

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.rng = random.Random()
        self.address = fake_address(self.rng)
        self.token: str | None = None
        self.user_id: int | None = None

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {} if option(self.environment, "no_forwarded_for") else {"X-Forwarded-For": self.address}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def call(
        self,
        method: str,
        path: str,
        *,
        name: str,
        json: Any = None,
        expect: Collection[str] = (),
        money: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """One API call. ``expect``: error codes that are refusals, not failures. ``money``: the call
        changes money and carries a fresh Idempotency-Key. ``headers``: more request headers."""
        extra = dict(headers or {})
        if money:
            extra["Idempotency-Key"] = secrets.token_hex(12)
        with self.client.request(
            method, path, name=name, json=json, headers=self.headers(extra), catch_response=True
        ) as response:
            try:
                body = orjson.loads(response.content) if response.content else None
            except orjson.JSONDecodeError:
                body = None
            answer = Answer(response.status_code or 0, body)
            if answer.ok:
                response.success()
            elif answer.code is not None and answer.code in expect:
                response.success()
                record(self.environment, "REFUSED", answer.code)
            else:
                message = (
                    answer.body["error"].get("message", "") if answer.code else (response.text or "")[:200]
                )
                response.failure(f"{answer.status} {answer.code or ''}: {message}")
        return answer

    def sign_in(self, name: str | None = None) -> None:
        """Sign in as moviegoer ``name``, by default a new one (the dev provider: code ``dev-NAME``)."""
        name = name or f"lt{secrets.token_hex(6)}"
        answer = self.call(
            "POST", f"{API}/auth/wx-login", name="POST /auth/wx-login", json={"code": f"dev-{name}"}
        )
        if answer.ok:
            self.token = answer.body["token"]
            self.user_id = int(answer.body["user"]["id"])

    def seat_map(self, showtime_id: int) -> Json | None:
        answer = self.call("GET", f"{API}/showtimes/{showtime_id}/seats", name="GET /showtimes/[id]/seats")
        return answer.body if answer.ok else None


# ------------------------------------------------------------------------------ finding showtimes

_found: dict[str, list[int]] = {}


def _listed_showtimes(user: Moviegoer) -> list[Json]:
    """Showtimes on sale today and tomorrow (in UTC days: the service reads them in each cinema's zone)."""
    found: list[Json] = []
    today = dt.datetime.now(dt.UTC).date()
    for day in (today, today + dt.timedelta(days=1)):
        answer = user.call("GET", f"{API}/showtimes?date={day.isoformat()}", name="GET /showtimes?date=")
        if answer.ok:
            found += [show for show in answer.body["items"] if show.get("sales_open")]
    return found


def premiere_id(user: Moviegoer) -> int:
    """The ``--showtime-id`` showtime, or the one with the most seats on sale."""
    chosen = int(option(user.environment, "showtime_id"))
    if chosen:
        return chosen
    if "premiere" not in _found:
        shows = sorted(_listed_showtimes(user), key=lambda show: (show["seat_count"], show["id"]))
        if not shows:
            raise RuntimeError("no showtime is on sale today or tomorrow: give --showtime-id")
        _found["premiere"] = [int(shows[-1]["id"])]
    return _found["premiere"][0]


def on_sale(user: Moviegoer) -> list[int]:
    """Ids of the showtimes on sale today and tomorrow (read once per process)."""
    if "on_sale" not in _found:
        _found["on_sale"] = [int(show["id"]) for show in _listed_showtimes(user)]
    return _found["on_sale"]


def watched_showtimes(user: Moviegoer) -> list[int]:
    listed = str(option(user.environment, "watch_showtimes"))
    chosen = [int(part) for part in listed.split(",") if part.strip()]
    return chosen or [premiere_id(user)]


def elapsed_ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
