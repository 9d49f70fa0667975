"""The race of a cancel against payments landing (issue 12, finding 1), and its control.

Fans have prepaid orders; their payments land before, during and after staff cancel the
showtime. Whatever the interleaving, no payment may end in a live ticket the cancel did not
account for: an order bought before the cancel's mark is listed in its answer (refunded now, or
failed with ``order_not_ticketed`` and refunded by cancelling again), every later one is refunded
automatically with ``showtime_cancelled``. The control turns the Redis step of the cancel off
(as the code was before) and shows the same check catching tickets sold after the cancel.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from seatcore.auth.principal import Principal
from seatcore.db.schema import tickets
from seatcore.payments import PaymentNotice
from seatcore.settings import Settings
from seatcore.store import users
from tests.orders.conftest import Auth, Shop, runtime_of
from tests.polling import wait_for

FANS = 18


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The sandbox never pays by itself: the test hands each payment over when it wants."""
    return settings.model_copy(update={"sandbox_pay_delay_ms": 3_600_000})


async def _admin(shop: Shop) -> Auth:
    runtime = runtime_of(shop.app)
    staff_id = await users.create_staff(
        runtime.db, f"boss-{secrets.token_hex(4)}", "not-a-password-hash", "admin", ()
    )
    token = runtime.tokens.issue(Principal(kind="staff", id=staff_id, role="admin"))
    return {"Authorization": f"Bearer {token}"}


async def _race(shop: Shop) -> tuple[list[str], int]:
    """Run the race; answers the orders that ended with live tickets nobody accounted for, and
    the showtime."""
    show = await shop.show()
    staff = await _admin(shop)
    fans: list[tuple[Auth, dict[str, Any]]] = []
    for n in range(FANS):  # two seats each, pairs side by side from the left of rows A-D
        fan = await shop.login(f"fan{n}")
        row, pair = "ABCD"[n // 5], n % 5
        hold = await shop.hold(fan, show.showtime_id, [f"{row}-{2 * pair + 1}", f"{row}-{2 * pair + 2}"])
        order = await shop.order(fan, hold["id"])
        await shop.pay(fan, order["id"])
        fans.append((fan, order))

    def notice(order: dict[str, Any]) -> PaymentNotice:
        return PaymentNotice(
            order["id"], f"sb-{order['id']}", order["amount_fen"], "paid", datetime.now(UTC), {}
        )

    async def cancel() -> dict[str, Any]:
        response = await shop.client.post(
            f"/api/v1/staff/showtimes/{show.showtime_id}/cancel", headers=staff, json={"reason": "flood"}
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    third = FANS // 3
    before, during, after = fans[:third], fans[third : 2 * third], fans[2 * third :]
    for _, order in before:
        await shop.orders.on_notice(notice(order))
    answer, *_ = await asyncio.gather(cancel(), *(shop.orders.on_notice(notice(o)) for _, o in during))
    for _, order in after:
        await shop.orders.on_notice(notice(order))

    listed = set(answer["refunded"]) | {failure["order_id"] for failure in answer["failed"]}
    for fan, order in fans:  # every order reaches MySQL, ticketed or refunded

        async def landed(fan: Auth = fan, order_id: str = order["id"]) -> bool:
            return (await shop.get(fan, order_id))["status"] in ("ticketed", "refunded")

        await wait_for(landed)
    async with runtime_of(shop.app).db.connect() as conn:
        live = {
            row.order_id
            for row in await conn.execute(select(tickets.c.order_id).where(tickets.c.live.is_not(None)))
        }
    return sorted(live - listed), show.showtime_id


async def _live_tickets(shop: Shop) -> int:
    async with runtime_of(shop.app).db.connect() as conn:
        return len((await conn.execute(select(tickets.c.id).where(tickets.c.live.is_not(None)))).all())


async def test_no_payment_ends_in_a_ticket_the_cancel_did_not_account_for(shop: Shop) -> None:
    unaccounted, showtime_id = await _race(shop)
    assert unaccounted == []
    again = await shop.client.post(  # what the answer asks staff to do while it lists failures
        f"/api/v1/staff/showtimes/{showtime_id}/cancel", headers=await _admin(shop), json={"reason": "flood"}
    )
    assert again.status_code == 200 and again.json()["failed"] == [], again.text
    assert await _live_tickets(shop) == 0


async def test_control_without_the_redis_step_tickets_are_sold_after_the_cancel(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def nothing(service: object, showtime_id: int) -> list[str]:
        return []

    monkeypatch.setattr("seatcore.api.staff.showtimes.close_showtime", nothing)
    unaccounted, _ = await _race(shop)
    assert len(unaccounted) >= FANS // 3  # at least every payment after the cancel
