"""Snacks bought alone (卖品): moviegoers at the premiere's cinema buy from its menu without a ticket.

Each buyer signs in, reads the cinema's menu, buys one or two lines (sometimes of the limited
premiere cup, which many buyers want: invariant 13's race through the whole service), pays through
the sandbox provider and waits for the order to land with its pickup code; a share
(``--abandon-ratio``) cancel instead of paying, which gives their stock back. A sold-out snack is a
refusal (``REFUSED snack_sold_out``), not a failure. Events of our own: ``SNACKS <outcome>``.
"""

from __future__ import annotations

import time

from locust import task

from loadtests.scenarios._common import API, Json, Moviegoer, elapsed_ms, option, premiere_id, record

POLL_EVERY_S = 0.5


class SnackBuyer(Moviegoer):
    def wait_time(self) -> float:
        return self.rng.uniform(1.0, 3.0)

    def on_start(self) -> None:
        self.sign_in()
        show = self.call("GET", f"{API}/showtimes/{premiere_id(self)}", name="GET /showtimes/[id]")
        self.cinema_id = int(show.body["cinema_id"]) if show.ok else 0

    @task
    def buy_alone(self) -> None:
        if not self.token or not self.cinema_id:
            return
        menu = self.call("GET", f"{API}/cinemas/{self.cinema_id}/snacks", name="GET /cinemas/[id]/snacks")
        offered = [item for item in (menu.body or {}).get("items", []) if item["stock_left"] != 0]
        if not menu.ok or not offered:
            record(self.environment, "SNACKS", "nothing on offer")
            return
        picked = self.rng.sample(offered, k=min(len(offered), self.rng.choice((1, 1, 2))))
        started = time.perf_counter()
        made = self.call(
            "POST",
            f"{API}/snack-orders",
            name="POST /snack-orders",
            json={"cinema_id": self.cinema_id, "snacks": [{"id": item["id"], "qty": 1} for item in picked]},
            expect=("snack_sold_out",),
            money=True,
        )
        if not made.ok:
            return
        order_id = made.body["id"]
        if self.rng.random() < float(option(self.environment, "abandon_ratio")):
            self.call("POST", f"{API}/orders/{order_id}/cancel", name="POST /orders/[id]/cancel")
            record(self.environment, "SNACKS", "cancelled", ms=elapsed_ms(started))
            return
        paid = self.call("POST", f"{API}/orders/{order_id}/pay", name="POST /orders/[id]/pay", money=True)
        if paid.ok:
            self._wait_landed(order_id, started)

    def _wait_landed(self, order_id: str, started: float) -> None:
        deadline = time.monotonic() + float(option(self.environment, "ticket_timeout_s"))
        while time.monotonic() < deadline:
            answer = self.call("GET", f"{API}/orders/{order_id}", name="GET /orders/[id]")
            order: Json = answer.body if answer.ok else {}
            if order.get("status") == "ticketed" and order.get("pickup"):
                record(self.environment, "SNACKS", "paid, pickup code", ms=elapsed_ms(started))
                return
            time.sleep(POLL_EVERY_S)
        record(self.environment, "SNACKS", "paid, pickup code", error=f"order {order_id}: not landed in time")
