"""``seatcore reconcile``: Redis's sold seats against MySQL's live tickets and the payments,
differences printed, safe ones repaired."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from seatcore import keys
from seatcore.db.schema import orders
from seatcore.domain.orders import Reason
from seatcore.orders import store
from seatcore.orders.reconcile import find_differences, repair
from seatcore.store._time import utcnow
from tests.orders.conftest import Shop, runtime_of

ROOT = Path(__file__).resolve().parents[2]


async def _sold(shop: Shop, name: str, seats: list[str]) -> tuple[int, str]:
    auth = await shop.login(name)
    show = await shop.show()
    order = await shop.order(auth, (await shop.hold(auth, show.showtime_id, seats))["id"])
    await shop.pay(auth, order["id"])
    await shop.wait_status(auth, order["id"], "ticketed")
    return show.showtime_id, str(order["id"])


async def test_differences_are_found_and_the_safe_ones_repaired(shop: Shop) -> None:
    service = shop.orders
    redis = runtime_of(shop.app).redis
    showtime_id, order_id = await _sold(shop, "alice", ["A-1", "A-2"])
    assert await find_differences(service, [showtime_id]) == []

    seats_key = keys.show_key(showtime_id, "seats")
    await redis.hdel(seats_key, "A-1")  # Redis forgot a sale
    await redis.hset(seats_key, "A-2", "s:someone-else")  # and names another order for one
    await redis.hset(seats_key, "B-5", f"s:{order_id}")  # and sells a seat nobody bought
    found = {(d.kind, d.seat) for d in await find_differences(service, [showtime_id])}
    assert found == {("missing_in_redis", "A-1"), ("owner_differs", "A-2"), ("sold_in_redis_only", "B-5")}

    done = await repair(service, await find_differences(service, [showtime_id]))
    assert any("freed seat B-5" in line for line in done)
    assert any(f"rebuilt showtime {showtime_id}" in line for line in done)
    assert await find_differences(service, [showtime_id]) == []
    states = await shop.states(showtime_id)
    assert (states["A-1"], states["A-2"], states["B-5"]) == ("sold", "sold", "free")


async def test_a_stuck_refund_is_reported_and_finished(shop: Shop) -> None:
    db = runtime_of(shop.app).db
    showtime_id, order_id = await _sold(shop, "bob", ["C-1"])
    landed = await store.get(db, order_id)
    assert landed is not None
    await store.begin_refund(db, landed, Reason.REQUESTED, "user:test")
    async with db.begin() as conn:
        await conn.execute(
            update(orders).where(orders.c.id == order_id).values(updated_at=utcnow() - timedelta(hours=1))
        )
    found = [d for d in await find_differences(shop.orders, [showtime_id]) if d.order_id == order_id]
    assert [d.kind for d in found] == ["refund_stuck"]
    assert await repair(shop.orders, found) == [f"refund of order {order_id}: refunded"]
    assert (await shop.states(showtime_id))["C-1"] == "free"


async def test_the_command_prints_differences_and_exits_nonzero(shop: Shop) -> None:
    runtime = runtime_of(shop.app)
    showtime_id, _ = await _sold(shop, "cai", ["D-1"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEATCORE_")}
    env |= {
        "SEATCORE_CONFIG": str(ROOT / "no-such-config.toml"),
        "SEATCORE_DATABASE_URL": runtime.settings.database_url,
        "SEATCORE_REDIS_URL": runtime.settings.redis_url,
        "SEATCORE_SECRET_KEY": runtime.settings.secret_key,
    }

    async def run() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "seatcore",
            "reconcile",
            "--showtime",
            str(showtime_id),
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await process.communicate()
        return int(process.returncode or 0), out.decode()

    code, out = await run()
    assert code == 0 and out.strip().endswith("0 difference(s)"), out
    await runtime.redis.hdel(keys.show_key(showtime_id, "seats"), "D-1")
    code, out = await run()
    assert code == 1 and f"missing_in_redis showtime={showtime_id}" in out and "seat=D-1" in out, out
