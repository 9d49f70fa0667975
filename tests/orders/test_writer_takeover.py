"""A dead writer's messages are taken over as soon as its process lease lapses, not after the
30 s idle timeout (which stays for writers alive but stuck); of several writers taking over at
once each message goes to exactly one, and the control without the one-script claim shows the
test catches duplicates."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from seatcore.orders.lease import ProcessLease, living
from seatcore.orders.stream import Message, OrderStream
from seatcore.orders.writer import CLAIM_IDLE_MS, OrderWriter
from tests.orders.conftest import Shop, runtime_of
from tests.orders.test_writer import batch_of, counts
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def stream(shop: Shop) -> AsyncIterator[OrderStream]:
    """A stream of the test's own, so that the app's writer does not take its messages."""
    redis = runtime_of(shop.app).redis
    own = OrderStream(redis, key=f"sc:orders:test-{secrets.token_hex(4)}")
    await own.ensure_group()
    yield own
    await redis.delete(own.key)


async def lapsed(stream: OrderStream, owner: str) -> bool:
    return owner not in await living(stream.redis, [owner])


async def test_a_dead_writers_messages_are_taken_at_the_next_pass_after_its_lease(
    shop: Shop, stream: OrderStream
) -> None:
    db = runtime_of(shop.app).db
    for order in await batch_of(shop, 20):
        await stream.add(order)
    doomed = ProcessLease(stream.redis, "writer-doomed", ttl_ms=200)
    await doomed.beat()
    # The doomed writer has read the batch (pending under it) and stops beating: killed.
    assert len(await stream.read(doomed.owner, count=100, block_ms=None, own_pending=False)) == 20

    survivor = OrderWriter(db, stream, consumer="writer-survivor", claim_every_s=0, block_ms=10)
    assert survivor.claim_idle_ms == CLAIM_IDLE_MS  # the idle fallback is not what takes them
    await wait_for(lambda: lapsed(stream, doomed.owner))
    result = await survivor.step()
    assert result.read == 20 and result.landed == 20
    assert await counts(db) == (20, 40, 20)
    assert await stream.pending_count() == 0 and await stream.length() == 0


async def test_a_living_writers_messages_stay_its_own(shop: Shop, stream: OrderStream) -> None:
    db = runtime_of(shop.app).db
    for order in await batch_of(shop, 5):
        await stream.add(order)
    alive = ProcessLease(stream.redis, "writer-alive", ttl_ms=60_000)
    await alive.beat()
    await stream.read(alive.owner, count=100, block_ms=None, own_pending=False)
    survivor = OrderWriter(db, stream, consumer="writer-other", claim_every_s=0, block_ms=10)
    assert (await survivor.step()).read == 0
    assert await stream.pending_count() == 5
    await alive.end()
    assert (await survivor.step()).landed == 5  # a clean shutdown ends the lease: taken at once


async def _takeovers(shop: Shop, stream: OrderStream, claim: str) -> list[str]:
    for order in await batch_of(shop, 25):
        await stream.add(order)
    await stream.read("writer-dead", count=100, block_ms=None, own_pending=False)
    survivors = [f"writer-{n}" for n in range(10)]

    async def two_steps(owner: str, consumer: str, *, count: int) -> list[Message]:
        """The claim as two calls (list, then claim): what the one script is there to prevent."""
        pending = await stream.redis.xpending_range(stream.key, stream.group, "-", "+", count, owner)
        await asyncio.sleep(0.01)
        ids = [entry["message_id"] for entry in pending]
        claimed = await stream.redis.xclaim(stream.key, stream.group, consumer, 0, ids) if ids else []
        return [Message(str(entry_id), None) for entry_id, _fields in claimed]

    take = stream.claim_from if claim == "script" else two_steps
    taken = await asyncio.gather(*(take("writer-dead", name, count=100) for name in survivors))
    return [message.id for messages in taken for message in messages]


async def test_of_writers_taking_over_at_once_each_message_goes_to_one(
    shop: Shop, stream: OrderStream
) -> None:
    ids = await _takeovers(shop, stream, "script")
    assert len(ids) == 25 and len(set(ids)) == 25


async def test_control_a_claim_in_two_steps_hands_messages_out_twice(shop: Shop, stream: OrderStream) -> None:
    ids = await _takeovers(shop, stream, "two steps")
    assert len(set(ids)) == 25 and len(ids) > 25


async def test_a_killed_writer_process_is_taken_over_without_the_idle_timeout(
    shop: Shop, stream: OrderStream
) -> None:
    db = runtime_of(shop.app).db
    batch = [order for _ in range(4) for order in await batch_of(shop, 25)]
    for order in batch:
        await stream.add(order)
    settings = runtime_of(shop.app).settings
    script = textwrap.dedent(
        f"""
        import asyncio
        import redis.asyncio as aioredis
        from sqlalchemy import event
        from seatcore.db.engine import create_db_engine
        from seatcore.orders.stream import OrderStream
        from seatcore.orders.writer import OrderWriter
        from seatcore.settings import Settings

        async def main():
            settings = Settings(database_url={settings.database_url!r}, redis_url={settings.redis_url!r})
            redis = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
            db = create_db_engine(settings)
            event.listen(db.sync_engine, "before_cursor_execute", lambda *a: __import__("time").sleep(3600))
            writer = OrderWriter(db, OrderStream(redis, key={stream.key!r}), consumer="doomed", batch_size=20)
            await writer.run()

        asyncio.run(main())
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEATCORE_")}
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=ROOT, env=env)
    try:
        # It has read a batch and hangs in its first write: kill it there.
        await wait_for(lambda: _holds(stream, "doomed"), timeout_s=60)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    survivor = OrderWriter(db, stream, consumer="survivor", claim_every_s=0, block_ms=10)

    async def all_landed() -> bool:
        await survivor.step()
        return await stream.length() == 0

    await wait_for(all_landed, timeout_s=30)  # the idle timeout (30 s) would not have come yet
    assert await counts(db) == (100, 200, 100)
    assert await stream.pending_count() == 0


async def _holds(stream: OrderStream, owner: str) -> bool:
    return owner in await stream.pending_owners()
