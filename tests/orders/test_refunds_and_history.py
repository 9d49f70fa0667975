"""Refunds under the cinema's policy, by staff, refused or slow at the provider; order history
pages across the orders still in Redis and those in MySQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import update

from seatcore.db.schema import cinemas
from seatcore.orders import recovery
from tests.orders.conftest import REFUND_NOTIFY_PATH, Auth, LiveShop, Shop, key, runtime_of


async def _ticketed(
    shop: Shop, auth: Auth, seats: list[str], **show: object
) -> tuple[int, dict[str, object]]:
    made = await shop.show(**show)
    order = await shop.order(auth, (await shop.hold(auth, made.showtime_id, seats))["id"])
    await shop.pay(auth, order["id"])
    if isinstance(shop, LiveShop):
        assert (await shop.fake.notify_payment(order["id"])).status_code == 204
    return made.cinema_id, await shop.wait_status(auth, order["id"], "ticketed")


async def test_refunds_close_before_the_start_unless_the_cinema_says_otherwise(shop: Shop) -> None:
    alice = await shop.login("alice")
    cinema_id, order = await _ticketed(shop, alice, ["A-1"], starts_in=timedelta(minutes=20))
    assert datetime.fromisoformat(str(order["refundable_until"])) < datetime.now().astimezone()
    late = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert late.status_code == 409 and late.json()["error"]["code"] == "refund_closed"
    assert late.json()["error"]["details"]["deadline"]

    async with runtime_of(shop.app).db.begin() as conn:  # this cinema refunds until 10 minutes before
        await conn.execute(
            update(cinemas).where(cinemas.c.id == cinema_id).values(refund_until_before_min=10)
        )
    allowed = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert allowed.status_code == 200 and allowed.json()["status"] == "refunded"


async def test_staff_refund_ignores_the_deadline(shop: Shop) -> None:
    alice = await shop.login("alice")
    _, order = await _ticketed(shop, alice, ["A-1"], starts_in=timedelta(minutes=20))
    refunded = await shop.orders.refund_by_staff(str(order["id"]), created_by="staff:ops")
    assert refunded.status.value == "refunded" and refunded.refund is not None
    assert refunded.refund.reason.value == "staff" and refunded.refund.created_by == "staff:ops"


async def _refunded_while_redis_fails_the_unsell(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, seats: list[str]
) -> tuple[Auth, str, int]:
    """A ticketed order whose refund reached MySQL but whose seats stayed sold (unsell failed)."""
    alice = await shop.login("alice")
    _, order = await _ticketed(shop, alice, seats)
    showtime_id = int(order["showtime"]["id"])  # type: ignore[index]

    async def redis_down(*args: object, **kwargs: object) -> list[str]:
        raise RedisConnectionError("Redis went away")

    with monkeypatch.context() as patch:
        patch.setattr(shop.orders.seats, "unsell", redis_down)
        failed = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert failed.status_code == 503 and failed.json()["error"]["code"] == "upstream_unavailable"
    states = await shop.states(showtime_id)
    assert all(states[seat] == "sold" for seat in seats)  # refunded in MySQL, still sold in Redis
    return alice, str(order["id"]), showtime_id


async def test_seats_kept_sold_by_a_failed_unsell_go_back_on_sale_at_the_next_attempt(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, order_id, showtime_id = await _refunded_while_redis_fails_the_unsell(
        shop, monkeypatch, ["A-1", "A-2"]
    )
    again = await shop.client.post(f"/api/v1/orders/{order_id}/refund", headers=alice | key())
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    states = await shop.states(showtime_id)
    assert states["A-1"] == states["A-2"] == "free"


async def test_the_sweeper_frees_seats_a_failed_unsell_left_sold(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, showtime_id = await _refunded_while_redis_fails_the_unsell(shop, monkeypatch, ["B-1", "B-2"])
    assert await recovery.release_refunded_seats(shop.orders, timedelta(minutes=15)) == 2
    states = await shop.states(showtime_id)
    assert states["B-1"] == states["B-2"] == "free"
    assert await recovery.release_refunded_seats(shop.orders, timedelta(minutes=15)) == 0


async def test_a_refused_refund_keeps_the_tickets_and_a_slow_one_completes_by_notice(
    live_shop: LiveShop,
) -> None:
    shop = live_shop
    alice = await shop.login("alice")
    _, refused_order = await _ticketed(shop, alice, ["A-1"])
    shop.fake.refund_status = "ABNORMAL"
    refused = await shop.client.post(f"/api/v1/orders/{refused_order['id']}/refund", headers=alice | key())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "refund_failed"
    kept = await shop.get(alice, str(refused_order["id"]))
    assert kept["status"] == "refund_requested" and kept["refund"]["status"] == "failed"
    assert all(t["live"] for t in kept["tickets"])  # not refunded: the tickets still admit

    shop.fake.refund_status = "PROCESSING"
    _, slow_order = await _ticketed(shop, alice, ["B-1"])
    slow = await shop.client.post(f"/api/v1/orders/{slow_order['id']}/refund", headers=alice | key())
    assert slow.status_code == 200
    assert slow.json()["status"] == "refunded" and slow.json()["refund"]["status"] == "processing"
    refund_id = f"{slow_order['id']}-R"
    shop.fake.settle_refund(refund_id)
    notice = await shop.fake.notify_refund(refund_id, shop.base_url + REFUND_NOTIFY_PATH)
    assert notice.status_code == 204, notice.text
    assert (await shop.get(alice, str(slow_order["id"])))["refund"]["status"] == "succeeded"


async def test_history_pages_over_redis_and_mysql_without_gaps_or_repeats(shop: Shop) -> None:
    alice, bob = await shop.login("alice"), await shop.login("bob")
    made = [str((await _ticketed(shop, alice, ["A-1"]))[1]["id"]) for _ in range(3)]
    show = await shop.show()
    pending = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["A-1"]))["id"])
    other = await shop.show()
    cancelled = await shop.order(alice, (await shop.hold(alice, other.showtime_id, ["A-1"]))["id"])
    assert (
        await shop.client.post(f"/api/v1/orders/{cancelled['id']}/cancel", headers=alice)
    ).status_code == 200
    await _ticketed(shop, bob, ["B-1"])

    seen: list[dict[str, object]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = (await shop.client.get("/api/v1/me/orders", params=params, headers=alice)).json()
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [str(item["id"]) for item in seen]
    assert sorted(ids) == sorted([*made, pending["id"], cancelled["id"]])
    keys_seen = [(datetime.fromisoformat(str(item["created_at"])), str(item["id"])) for item in seen]
    assert keys_seen == sorted(keys_seen, reverse=True)
    statuses = {str(item["id"]): item["status"] for item in seen}
    assert statuses[pending["id"]] == "pending_payment" and statuses[cancelled["id"]] == "cancelled"

    bad = await shop.client.get("/api/v1/me/orders", params={"cursor": "%%%"}, headers=alice)
    assert bad.status_code == 422
    too_many = await shop.client.get("/api/v1/me/orders", params={"limit": "500"}, headers=alice)
    assert too_many.status_code == 422
