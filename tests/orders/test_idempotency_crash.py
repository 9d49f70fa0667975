"""A crash in the middle of a money-changing call: the key's owner process is gone, so a retry
takes the key over at once (not after the entry's minute) and gets the original answer; of many
retries exactly one runs, and the control without the compare-and-set shows the test catches it."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from seatcore import keys
from seatcore.api.orders import CreateOrderBody
from seatcore.errors import Conflict
from seatcore.orders.idempotency import Answer, IdempotencyStore, fingerprint
from seatcore.orders.lease import ProcessLease, living
from seatcore.store.users import get_or_create_user
from tests.orders.conftest import Shop, key, orders_of, runtime_of
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]
FP = fingerprint("POST", "/x", b'{"a": 1}')


@pytest.fixture
async def redis(redis_url: str) -> Any:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def lapsed(redis: aioredis.Redis, owner: str) -> bool:
    return owner not in await living(redis, [owner])


async def dead_first_call(
    redis: aioredis.Redis, user_id: int, idem_key: str, fp: str, work: Any
) -> asyncio.Task[Any]:
    """A first call that did ``work`` and then hung: its process stopped beating, as a killed one
    does. Answers the task (cancel it to tidy up); returns once the owner's lease has lapsed."""
    victim = IdempotencyStore(redis, lease=ProcessLease(redis, f"victim-{secrets.token_hex(3)}", ttl_ms=100))
    started = asyncio.Event()

    async def first() -> Answer:
        answer = await work()
        started.set()
        await asyncio.Event().wait()  # never answers
        return answer

    task = asyncio.create_task(victim.run(user_id, idem_key, fp, first))
    await started.wait()
    await wait_for(lambda: lapsed(redis, victim.lease.owner))
    return task


async def test_a_retry_takes_over_a_dead_owners_key_at_once(redis: aioredis.Redis) -> None:
    idem_key = f"k-{secrets.token_hex(4)}"
    alive = IdempotencyStore(redis, lease=ProcessLease(redis, f"alive-{secrets.token_hex(3)}", ttl_ms=60_000))
    hung = asyncio.Event()

    async def hangs() -> Answer:
        hung.set()
        await asyncio.Event().wait()
        return Answer(500, {})

    running = asyncio.create_task(alive.run(7, idem_key, FP, hangs))
    await hung.wait()
    retry = IdempotencyStore(redis)
    with pytest.raises(Conflict) as refused:  # a living owner: still in progress
        await retry.run(7, idem_key, FP, hangs)
    assert refused.value.code == "idempotency_in_progress"
    running.cancel()

    async def made() -> Answer:
        return Answer(201, {"order": "made by the first call"})

    async def found() -> Answer:
        return Answer(201, {"order": "found by the retry"})

    dead = await dead_first_call(redis, 7, idem_key + "-dead", FP, made)
    answer = await retry.run(7, idem_key + "-dead", FP, made, resume=found)  # the first retry
    assert answer == Answer(201, {"order": "found by the retry"})
    dead.cancel()  # the hung first call fails at last: it must not drop the retry's answer
    await asyncio.gather(dead, return_exceptions=True)
    replayed = await retry.run(7, idem_key + "-dead", FP, made, resume=found)
    assert replayed.replayed and replayed.body == {"order": "found by the retry"}
    assert await redis.ttl(keys.idempotency(7, idem_key + "-dead")) > 3600  # kept as an answer
    await redis.delete(keys.idempotency(7, idem_key), keys.idempotency(7, idem_key + "-dead"))


async def _retries_after_a_crash(redis: aioredis.Redis, guarded: bool) -> int:
    idem_key = f"k-{secrets.token_hex(4)}"

    async def nothing() -> Answer:
        return Answer(201, {})

    dead = await dead_first_call(redis, 9, idem_key, FP, nothing)
    runs = 0

    async def resume() -> Answer:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.05)
        return Answer(201, {"runs": runs})

    stores = [IdempotencyStore(redis) for _ in range(20)]  # twenty workers, each retried once
    for store in stores:
        store._owner_died = _slowly(store._owner_died)  # type: ignore[method-assign]
        if not guarded:
            store._replace_if = _unconditional(redis)  # type: ignore[method-assign]
    outcomes = await asyncio.gather(
        *(store.run(9, idem_key, FP, nothing, resume=resume) for store in stores), return_exceptions=True
    )
    dead.cancel()
    await asyncio.gather(dead, return_exceptions=True)
    await redis.delete(keys.idempotency(9, idem_key))
    for outcome in outcomes:
        assert isinstance(outcome, Answer) or getattr(outcome, "code", "") == "idempotency_in_progress"
    return runs


def _slowly(owner_died: Any) -> Any:
    """The liveness check with a slow network after it: every retry sees the dead owner before
    any of them takes the key over, the widest window the take-over has to be safe in."""

    async def check(stored: dict[str, Any]) -> bool:
        died = bool(await owner_died(stored))
        await asyncio.sleep(0.05)
        return died

    return check


def _unconditional(redis: aioredis.Redis) -> Any:
    """The take-over without its compare: what the guard is there to prevent."""

    async def replace(keys: list[str], args: list[Any]) -> int:
        if args[1] == "":
            await redis.delete(keys[0])
        else:
            await redis.set(keys[0], args[1], px=int(args[2]))
        return 1

    return replace


async def test_of_many_retries_after_a_crash_exactly_one_runs(redis: aioredis.Redis) -> None:
    assert await _retries_after_a_crash(redis, guarded=True) == 1


async def test_control_without_the_compare_and_set_retries_run_twice(redis: aioredis.Redis) -> None:
    assert await _retries_after_a_crash(redis, guarded=False) > 1


async def test_a_retried_create_order_after_a_crash_answers_201_with_the_order(shop: Shop) -> None:
    show = await shop.show()
    alice = await shop.login("alice")
    user = await get_or_create_user(runtime_of(shop.app).db, "dev:alice", "alice")
    hold = await shop.hold(alice, show.showtime_id, ["A-1", "A-2"])
    headers = alice | key()
    body = CreateOrderBody(hold_id=hold["id"])
    fp = fingerprint("POST", "/api/v1/orders", body.model_dump_json().encode())
    service = orders_of(shop.app)
    made: dict[str, str] = {}

    async def create() -> Answer:  # the first call got as far as making the order, then died
        order = await service.create(user.id, hold["id"])
        made["id"] = order.id
        return Answer(201, {"id": order.id})

    dead = await dead_first_call(runtime_of(shop.app).redis, user.id, headers["Idempotency-Key"], fp, create)
    try:
        retried = await shop.client.post("/api/v1/orders", json={"hold_id": hold["id"]}, headers=headers)
        assert retried.status_code == 201, retried.text
        assert retried.json()["id"] == made["id"] and retried.json()["status"] == "pending_payment"
        again = await shop.client.post("/api/v1/orders", json={"hold_id": hold["id"]}, headers=headers)
        assert again.status_code == 201 and again.json() == retried.json()
        assert again.headers["idempotent-replayed"] == "true"
        # A new key for the same hold is another request, not a retry: it is refused as before.
        other = await shop.client.post("/api/v1/orders", json={"hold_id": hold["id"]}, headers=alice | key())
        assert other.status_code == 409 and other.json()["error"]["code"] == "order_exists"
    finally:
        dead.cancel()
        await asyncio.gather(dead, return_exceptions=True)


async def test_a_killed_process_leaves_its_key_to_the_next_retry(
    redis: aioredis.Redis, redis_url: str
) -> None:
    """kill -9 of the process running the first call; its entry would block for an hour, but its
    lease lapses within seconds and the retry then answers."""
    idem_key = f"k-{secrets.token_hex(4)}"
    script = textwrap.dedent(
        f"""
        import asyncio
        import redis.asyncio as aioredis
        from seatcore.orders.idempotency import IdempotencyStore

        async def main():
            redis = aioredis.Redis.from_url({redis_url!r}, decode_responses=True)
            store = IdempotencyStore(redis, running_s=3600)
            asyncio.create_task(store.lease.run(asyncio.Event()))

            async def hangs():
                await asyncio.Event().wait()

            await store.run(11, {idem_key!r}, {FP!r}, hangs)

        asyncio.run(main())
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEATCORE_")}
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=ROOT, env=env)
    try:
        await wait_for(lambda: _exists(redis, keys.idempotency(11, idem_key)), timeout_s=60)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    retry = IdempotencyStore(redis)
    answers: list[Answer] = []

    async def answered() -> bool:
        async def found() -> Answer:
            return Answer(200, {"recovered": True})

        try:
            answers.append(await retry.run(11, idem_key, FP, found, resume=found))
        except Conflict as exc:
            assert exc.code == "idempotency_in_progress"
        return bool(answers)

    await wait_for(answered, timeout_s=30)
    assert answers == [Answer(200, {"recovered": True})]
    await redis.delete(keys.idempotency(11, idem_key))


async def _exists(redis: aioredis.Redis, name: str) -> bool:
    return bool(await redis.exists(name))


async def test_a_retried_refund_after_a_crash_answers_200_with_the_refunded_order(shop: Shop) -> None:
    show = await shop.show()
    alice = await shop.login("alice")
    user = await get_or_create_user(runtime_of(shop.app).db, "dev:alice", "alice")
    order = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["A-1"]))["id"])
    await shop.pay(alice, order["id"])
    await shop.wait_status(alice, order["id"], "ticketed")
    headers = alice | key()
    path = f"/api/v1/orders/{order['id']}/refund"
    service = orders_of(shop.app)

    async def refund() -> Answer:  # the first call refunded, then died before it answered
        return Answer(200, {"status": (await service.refund(user.id, order["id"])).status.value})

    dead = await dead_first_call(
        runtime_of(shop.app).redis,
        user.id,
        headers["Idempotency-Key"],
        fingerprint("POST", path, b""),
        refund,
    )
    try:
        retried = await shop.client.post(path, headers=headers)
        assert retried.status_code == 200, retried.text
        assert retried.json()["id"] == order["id"] and retried.json()["status"] == "refunded"
        other = await shop.client.post(path, headers=alice | key())  # a new request, refused as before
        assert other.status_code == 409 and other.json()["error"]["code"] == "illegal_transition"
    finally:
        dead.cancel()
        await asyncio.gather(dead, return_exceptions=True)
