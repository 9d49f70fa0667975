"""Idempotency-Key on every money-changing call: same key + same request = same answer, once;
same key + another request = 409; no key = 400; keys belong to one user."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from seatcore.errors import SeatcoreError
from seatcore.orders.idempotency import Answer, IdempotencyStore, fingerprint
from tests.orders.conftest import Shop, key


async def test_create_pay_refund_replay_with_the_same_key(shop: Shop) -> None:
    show = await shop.show()
    alice, bob = await shop.login("alice"), await shop.login("bob")
    first_hold = await shop.hold(alice, show.showtime_id, ["A-1"])
    k = key()

    made = await shop.client.post("/api/v1/orders", json={"hold_id": first_hold["id"]}, headers=alice | k)
    again = await shop.client.post("/api/v1/orders", json={"hold_id": first_hold["id"]}, headers=alice | k)
    assert made.status_code == again.status_code == 201
    assert again.json() == made.json() and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in made.headers

    other_hold = await shop.hold(alice, (await shop.show()).showtime_id, ["A-1"])
    reused = await shop.client.post("/api/v1/orders", json={"hold_id": other_hold["id"]}, headers=alice | k)
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_conflict"

    # Keys are per user: bob's identical key is his own.
    bob_hold = await shop.hold(bob, show.showtime_id, ["A-4"])
    bobs = await shop.client.post("/api/v1/orders", json={"hold_id": bob_hold["id"]}, headers=bob | k)
    assert bobs.status_code == 201 and bobs.json()["id"] != made.json()["id"]

    # Without a key (or with a new one for the same hold) nothing is made twice.
    missing = await shop.client.post("/api/v1/orders", json={"hold_id": first_hold["id"]}, headers=alice)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "idempotency_key_required"
    twice = await shop.client.post(
        "/api/v1/orders", json={"hold_id": first_hold["id"]}, headers=alice | key()
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "order_exists"
    assert twice.json()["error"]["details"]["order_id"] == made.json()["id"]

    order_id = made.json()["id"]
    pay_key = key()
    paid = await shop.client.post(f"/api/v1/orders/{order_id}/pay", headers=alice | pay_key)
    paid_again = await shop.client.post(f"/api/v1/orders/{order_id}/pay", headers=alice | pay_key)
    assert paid.status_code == paid_again.status_code == 200 and paid.json() == paid_again.json()
    await shop.wait_status(alice, order_id, "ticketed")

    refund_key = key()
    refunded = await shop.client.post(f"/api/v1/orders/{order_id}/refund", headers=alice | refund_key)
    replayed = await shop.client.post(f"/api/v1/orders/{order_id}/refund", headers=alice | refund_key)
    assert refunded.status_code == replayed.status_code == 200
    assert replayed.json() == refunded.json() and replayed.json()["status"] == "refunded"
    fresh = await shop.client.post(f"/api/v1/orders/{order_id}/refund", headers=alice | key())
    assert fresh.status_code == 409 and fresh.json()["error"]["code"] == "illegal_transition"
    garbled = await shop.client.post(
        f"/api/v1/orders/{order_id}/refund", headers=alice | {"Idempotency-Key": "x" * 300}
    )
    assert garbled.status_code == 400 and garbled.json()["error"]["code"] == "idempotency_key_invalid"


async def test_store_runs_once_under_concurrency_and_forgets_server_faults(redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    store = IdempotencyStore(redis)
    runs = 0

    async def work() -> Answer:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.05)
        return Answer(201, {"n": runs})

    fp = fingerprint("POST", "/x", b'{"a": 1}')
    assert fp == fingerprint("POST", "/x", b'{ "a":1 }')  # the same JSON, spaced differently
    first, second = await asyncio.gather(
        store.run(7, "k-concurrent", fp, work), store.run(7, "k-concurrent", fp, work), return_exceptions=True
    )
    outcomes = [first, second]
    answers = [o for o in outcomes if isinstance(o, Answer)]
    refused = [o for o in outcomes if isinstance(o, SeatcoreError)]
    assert runs == 1 and len(answers) == 1 and refused[0].code == "idempotency_in_progress"
    assert (await store.run(7, "k-concurrent", fp, work)).body == {"n": 1}

    async def broken() -> Answer:
        raise SeatcoreError("database down")

    for _ in range(2):  # a server fault is not kept: the retry runs again
        try:
            await store.run(7, "k-fault", fp, broken)
        except SeatcoreError as exc:
            assert exc.message == "database down"
    assert (await store.run(7, "k-fault", fp, work)).status == 201
    await redis.delete("sc:idem:7:k-concurrent", "sc:idem:7:k-fault")
    await redis.aclose()
