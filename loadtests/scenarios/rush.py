"""Premiere rush: thousands of distinct moviegoers fight for the seats of one large showtime.

Each fan signs in (dev provider), opens the seat map and tries to hold 1..``--seats-max`` seats,
either picked from the map near the sweet spot (``--careless-ratio`` of picks may strand a seat) or
asked for as best available (``--best-ratio``). A refused hold (seat taken, stranded seat, no block
left) sends the fan back to a fresh map; when the house has no seats left for them the fan waits a
few seconds for returns (expired or released holds, refunds) and tries again, until the run ends.
A fan who got seats then does one of:

- walks away (``--abandon-ratio``): the hold expires and its seats come back;
- releases the hold (``--release-ratio``);
- orders and pays through the sandbox provider, waits for the tickets, and
  (``--refund-ratio``) asks for a refund once ticketed;

A share of the fans (``--member-ratio``) join as members on arrival and claim a coupon from the
coupon centre (the premiere's campaign has fewer coupons than fans), and order with it; a share of
those (``--points-ratio``) are regulars, members seeded with points (loadtests/premiere.py), who
also pay 5..20 yuan of the order with points (one regular may be two fans at once: their points
race, invariant 9);

and stays on its order page, looking at its orders every half minute, until the run ends: so
``--users`` is the number of distinct fans (locust replaces a user that stops, and a fan who left
would come back as a new person).

Events of our own in the statistics: ``FAN <outcome>`` (time from arrival to the outcome),
``ORDER paid to ticketed`` (from /pay to seeing the tickets) and ``REFUSED <code>``.
"""

from __future__ import annotations

import itertools
import time

from locust import task
from locust.exception import StopUser

from loadtests.premiere import regular_name
from loadtests.scenarios._common import API, Answer, Json, Moviegoer, elapsed_ms, option, premiere_id, record
from loadtests.scenarios._seats import free_count, pick_seats

HOLD_REFUSALS = ("seat_unavailable", "stranded_seat", "no_block")
CLAIM_REFUSALS = ("out_of_stock", "coupon_limit_reached")
DISCOUNT_REFUSALS = (
    "coupon_unavailable",
    "coupon_not_applicable",
    "coupon_min_spend",
    "points_insufficient",
    "points_over_cap",
)
POINTS_STEPS = range(500, 2001, 100)  # what a regular pays with points
_regulars = itertools.count()  # this process's next regular
RETURNS_WAIT_S = (3.0, 8.0)
POLL_EVERY_S = 0.5
REFUND_TRIES = 20
THINK_S = (0.5, 2.0)  # between a fan's steps
DONE_WAIT_S = (20.0, 40.0)  # a fan with an outcome looks at their orders this often


class PremiereFan(Moviegoer):
    def wait_time(self) -> float:
        return self.rng.uniform(*DONE_WAIT_S) if self.done else self.rng.uniform(*THINK_S)

    def on_start(self) -> None:
        self.arrived = time.perf_counter()
        self.done = False
        member = self.rng.random() < float(option(self.environment, "member_ratio"))
        regular = member and self.rng.random() < float(option(self.environment, "points_ratio"))
        self.sign_in(regular_name(next(_regulars)) if regular else None)
        if self.token is None:
            raise StopUser()
        self.showtime_id = self.target_showtime()
        self.wanted = self.rng.randint(1, int(option(self.environment, "seats_max")))
        self.best = self.rng.random() < float(option(self.environment, "best_ratio"))
        fate = self.rng.random()
        abandon = float(option(self.environment, "abandon_ratio"))
        release = float(option(self.environment, "release_ratio"))
        self.fate = "abandon" if fate < abandon else "release" if fate < abandon + release else "buy"
        self.refunds = self.rng.random() < float(option(self.environment, "refund_ratio"))
        self.coupon_id: int | None = None
        self.points = self.rng.choice(POINTS_STEPS) if regular else 0
        if member:
            self.join_and_claim()

    def join_and_claim(self) -> None:
        """Become a member and take a coupon from the coupon centre, if one is left."""
        self.call("POST", f"{API}/me/membership", name="POST /me/membership")
        centre = self.call("GET", f"{API}/coupons", name="GET /coupons")
        if not centre.ok or not centre.body["items"]:
            return
        claimed = self.call(
            "POST",
            f"{API}/coupons/claim",
            name="POST /coupons/claim",
            json={"campaign_id": centre.body["items"][0]["id"]},
            expect=CLAIM_REFUSALS,
        )
        if claimed.ok:
            self.coupon_id = int(claimed.body["id"])

    def target_showtime(self) -> int:
        return premiere_id(self)

    def outcome(self, what: str) -> None:
        """The fan is done: what they got, timed from their arrival."""
        record(self.environment, "FAN", what, ms=elapsed_ms(self.arrived))
        self.done = True

    @task
    def hunt(self) -> None:
        if self.done:
            self.call("GET", f"{API}/me/orders", name="GET /me/orders")
            return
        seat_map = self.seat_map(self.showtime_id)
        if seat_map is None:
            return
        if not seat_map["sales_open"]:
            self.outcome("sales closed")
            return
        if free_count(seat_map["states"]) < self.wanted:
            time.sleep(self.rng.uniform(*RETURNS_WAIT_S))  # sold out for now: wait for returns
            return
        hold = self.hold(seat_map)
        if hold is None:
            return
        if self.fate == "abandon":
            self.outcome("walked away from a hold")
        elif self.fate == "release":
            answer = self.call("DELETE", f"{API}/holds/{hold['id']}", name="DELETE /holds/[id]")
            self.outcome("released a hold" if answer.ok else "could not release")
        elif not self.buy(hold):
            return  # the hold ended before the order: hunt again

    def hold(self, seat_map: Json) -> Json | None:
        body: Json
        if self.best:
            body = {"best": self.wanted}
        else:
            careless = self.rng.random() < float(option(self.environment, "careless_ratio"))
            seats = pick_seats(
                seat_map["layout"], seat_map["states"], self.wanted, self.rng, careless=careless
            )
            if seats is None:
                time.sleep(self.rng.uniform(*RETURNS_WAIT_S))
                return None
            body = {"seats": seats}
        answer = self.call(
            "POST",
            f"{API}/showtimes/{self.showtime_id}/holds",
            name="POST /showtimes/[id]/holds",
            json=body,
            expect=HOLD_REFUSALS,
        )
        return answer.body if answer.ok else None

    def buy(self, hold: Json) -> bool:
        """Order, pay, wait for the tickets, maybe refund; False when the hold ended first."""
        created = self.order(hold)
        if not created.ok and created.code in DISCOUNT_REFUSALS:
            self.coupon_id = None  # used, not for this order, or points spent: order without them
            self.points = 0
            created = self.order(hold)
        if not created.ok:
            return False
        order_id = created.body["id"]
        paying = time.perf_counter()
        paid = self.call(
            "POST",
            f"{API}/orders/{order_id}/pay",
            name="POST /orders/[id]/pay",
            expect=("hold_expired",),
            money=True,
        )
        if not paid.ok:
            return False
        order = self.wait_for_tickets(order_id)
        if order is None:
            self.outcome("paid, no tickets in time")
            return True
        if order["status"] != "ticketed":
            self.outcome(f"paid late, {order['status']}")
            return True
        record(self.environment, "ORDER", "paid to ticketed", ms=elapsed_ms(paying))
        if self.refunds:
            self.refund(order_id)
        else:
            self.outcome("ticketed")
        return True

    def order(self, hold: Json) -> Answer:
        body: Json = {"hold_id": hold["id"]}
        if self.coupon_id is not None:
            body["coupon_id"] = self.coupon_id
        if self.points:
            body["points"] = self.points
        return self.call(
            "POST",
            f"{API}/orders",
            name="POST /orders",
            json=body,
            expect=("hold_expired", *DISCOUNT_REFUSALS),
            money=True,
        )

    def wait_for_tickets(self, order_id: str) -> Json | None:
        deadline = time.monotonic() + float(option(self.environment, "ticket_timeout_s"))
        while time.monotonic() < deadline:
            answer = self.call("GET", f"{API}/orders/{order_id}", name="GET /orders/[id]")
            if answer.ok and answer.body["status"] in ("ticketed", "refund_requested", "refunded"):
                body: Json = answer.body
                return body
            time.sleep(POLL_EVERY_S)
        record(self.environment, "ORDER", "paid to ticketed", error=f"order {order_id}: no tickets in time")
        return None

    def refund(self, order_id: str) -> None:
        for _ in range(REFUND_TRIES):
            answer: Answer = self.call(
                "POST",
                f"{API}/orders/{order_id}/refund",
                name="POST /orders/[id]/refund",
                expect=("order_not_ticketed",),
                money=True,
            )
            if answer.ok:
                self.outcome("ticketed, then refunded")
                return
            if answer.code != "order_not_ticketed":
                break  # a failure, counted by call()
            time.sleep(POLL_EVERY_S)
        else:
            record(self.environment, "ORDER", "refund", error=f"order {order_id} never became refundable")
        self.outcome("ticketed, refund refused")
