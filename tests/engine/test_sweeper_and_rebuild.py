"""The sweeper publishes expired holds; a showtime's state is rebuilt from MySQL after Redis lost it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import orjson
import pytest
import redis.asyncio as aioredis
from sqlalchemy import insert
from starlette.applications import Starlette

from seatcore import keys
from seatcore.db.schema import orders, tickets
from seatcore.domain.layout import grid_layout
from seatcore.engine.service import SeatEngine
from seatcore.engine.sweeper import Sweeper
from tests.conftest import Login
from tests.engine.conftest import EngineFactory, FakeClock, FakeSeating
from tests.factories import make_show


async def _message(pubsub: aioredis.client.PubSub, showtime_id: int, epoch: str) -> dict[str, object]:
    """The next message about this test's showtime (other runs share the channel)."""
    async with asyncio.timeout(10):
        while True:
            raw = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if raw is not None:
                message: dict[str, object] = orjson.loads(raw["data"])
                if message["showtime_id"] == showtime_id and message["epoch"] == epoch:
                    return message


async def test_sweeper_publishes_expired_holds_and_ends_tombstones(
    make_engine: EngineFactory, source: FakeSeating, clock: FakeClock, aredis: aioredis.Redis
) -> None:
    source.add(1, grid_layout(2, 4))
    engine = make_engine(ttl_ms=1_000, tombstone_ms=2_000)
    sweeper = Sweeper(engine, interval_ms=10)
    epoch = await engine.load(1)
    hold = await engine.hold(1, 1, seats=["A-1", "A-2"])
    assert await sweeper.run_once() == 0  # nothing due yet
    clock.advance(1_000)
    async with aredis.pubsub() as pubsub:
        await pubsub.subscribe(keys.seat_changes(1))
        assert await sweeper.run_once() == 1
        message = await _message(pubsub, 1, epoch)
    assert message["seq"] == 2
    assert message["changes"] == [{"seat": "A-1", "state": "free"}, {"seat": "A-2", "state": "free"}]
    assert await aredis.zscore(keys.HOLD_SWEEP_INDEX, hold.id) == clock.now_ms + 2_000
    assert await aredis.zcard(keys.user_holds(1)) == 1  # expired entries are dropped when counted
    clock.advance(2_000)
    assert await sweeper.run_once() == 1
    assert await aredis.zcard(keys.HOLD_SWEEP_INDEX) == 0
    assert await aredis.hlen(keys.show_key(1, "holds")) == 0
    assert (await engine.snapshot(1, None)).seq == 2  # ending a tombstone is no seat change


async def test_sweeper_heals_an_early_index_entry(
    engine: SeatEngine, source: FakeSeating, clock: FakeClock, aredis: aioredis.Redis
) -> None:
    source.add(1, grid_layout(1, 4))
    hold = await engine.hold(1, 1, seats=["A-1"])
    await aredis.zadd(keys.HOLD_SWEEP_INDEX, {hold.id: clock.now_ms, "junk": 0})
    assert await Sweeper(engine, 10).run_once() == 2
    assert await aredis.zscore(keys.HOLD_SWEEP_INDEX, hold.id) == hold.expires_at_ms
    assert await aredis.zscore(keys.HOLD_SWEEP_INDEX, "junk") is None
    assert (await engine.snapshot(1, 1)).mine == ["A-1"]


@pytest.mark.seat_settings(hold_ttl_s=1, hold_max_life_s=1, sweeper_interval_ms=50)
async def test_the_apps_sweeper_releases_expired_holds(
    app: Starlette, client: httpx.AsyncClient, login: Login, redis_url: str
) -> None:
    show = await make_show(app.state.runtime.db)
    seat_map = (await client.get(f"/api/v1/showtimes/{show.showtime_id}/seats")).json()
    listener = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        async with listener.pubsub() as pubsub:
            await pubsub.subscribe(keys.seat_changes(show.showtime_id))
            held = await client.post(
                f"/api/v1/showtimes/{show.showtime_id}/holds",
                json={"seats": ["A-1"]},
                headers=await login("leo"),
            )
            assert held.status_code == 201
            first = await _message(pubsub, show.showtime_id, seat_map["epoch"])
            released = await _message(pubsub, show.showtime_id, seat_map["epoch"])
    finally:
        await listener.aclose()
    leo = str((await client.get("/api/v1/me", headers=await login("leo"))).json()["id"])
    assert first["changes"] == [{"seat": "A-1", "state": "held", "hold_id": held.json()["id"], "user": leo}]
    assert released == {
        "showtime_id": show.showtime_id,
        "seq": 2,
        "epoch": seat_map["epoch"],
        "changes": [{"seat": "A-1", "state": "free"}],
    }


async def test_rebuild_after_redis_lost_everything_keeps_sold_seats(
    app: Starlette, client: httpx.AsyncClient, login: Login, redis_url: str
) -> None:
    runtime = app.state.runtime
    show = await make_show(runtime.db)
    url = f"/api/v1/showtimes/{show.showtime_id}/seats"
    mia = await login("mia")
    hold = (
        await client.post(url.replace("seats", "holds"), json={"seats": ["B-1", "B-2"]}, headers=mia)
    ).json()
    engine: SeatEngine = runtime.extras["seats"]
    user_id = (await client.get("/api/v1/me", headers=mia)).json()["id"]
    await engine.buy(hold["id"], user_id, "order-rebuild")
    # What the order writer does: the order and its tickets reach MySQL (one refunded earlier).
    now = datetime.now(UTC).replace(tzinfo=None)
    async with runtime.db.begin() as conn:
        await conn.execute(
            insert(orders).values(
                id="order-rebuild",
                user_id=user_id,
                showtime_id=show.showtime_id,
                hold_id=hold["id"],
                status="paid",
                amount_fen=9000,
                seat_count=2,
                created_at=now,
                updated_at=now,
            )
        )
        for seat, live, code in (("B-1", True, "T1"), ("B-2", True, "T2"), ("C-5", None, "T3")):
            await conn.execute(
                insert(tickets).values(
                    order_id="order-rebuild",
                    showtime_id=show.showtime_id,
                    seat_id=seat,
                    price_fen=4500,
                    code=code,
                    live=live,
                    created_at=now,
                )
            )
    other = (
        await client.post(url.replace("seats", "holds"), json={"seats": ["D-1"]}, headers=await login("ned"))
    ).json()
    before = (await client.get(url)).json()
    assert before["seq"] == 3 and before["states"]["D-1"] == "held"

    flusher = aioredis.Redis.from_url(redis_url)
    await flusher.flushdb()  # this run's own database: Redis "lost everything"
    await flusher.aclose()

    after = (await client.get(url)).json()
    assert after["epoch"] != before["epoch"] and after["seq"] == 0
    assert {seat for seat, state in after["states"].items() if state != "free"} == {"B-1", "B-2"}
    assert after["states"]["B-1"] == "sold"
    assert after["states"]["D-1"] == "free"  # holds may be lost; sales may not
    assert after["states"]["C-5"] == "free"  # a refunded ticket is not a sale
    refused = await client.post(
        url.replace("seats", "holds"), json={"seats": ["B-1", "B-2"]}, headers=await login("olga")
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "seat_unavailable"
    assert other["id"]


async def test_taken_counts_only_read_loaded_showtimes(engine: SeatEngine, source: FakeSeating) -> None:
    source.add(1, grid_layout(2, 4))
    source.add(2, grid_layout(2, 4))
    source.sold[1] = {"A-1": "order-1"}
    assert await engine.taken_counts([1, 2]) == {}
    await engine.hold(1, 1, seats=["B-1", "B-2"])
    assert await engine.taken_counts([1, 2, 1]) == {1: 3}
