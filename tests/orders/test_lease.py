"""The process lease: held while the app runs (so its work is never taken over), ended on a clean
shutdown (so its work is taken over at once), lapsing by itself when the process stops beating."""

from __future__ import annotations

import redis.asyncio as aioredis

from seatcore.app import create_app
from seatcore.orders.lease import ProcessLease, living
from seatcore.settings import Settings
from tests.orders.conftest import orders_of
from tests.polling import wait_for


async def test_the_app_holds_its_lease_while_it_runs_and_ends_it_on_shutdown(settings: Settings) -> None:
    redis = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        owner = orders_of(app).idempotency.lease.owner
        assert await living(redis, [owner]) == {owner}
    assert await living(redis, [owner]) == set()
    await redis.aclose()


async def test_a_lease_nobody_refreshes_lapses(redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    lease = ProcessLease(redis, "lease-test-lapse", ttl_ms=100)
    await lease.keep_alive()
    assert await living(redis, [lease.owner, "never-seen"]) <= {lease.owner}

    async def lapsed() -> bool:
        return not await living(redis, [lease.owner])

    await wait_for(lapsed)
    await lease.keep_alive()  # a lease that has not beaten within refresh_s beats again
    assert await living(redis, [lease.owner]) == {lease.owner}
    await lease.end()
    assert await living(redis, [lease.owner]) == set()
    await redis.aclose()
