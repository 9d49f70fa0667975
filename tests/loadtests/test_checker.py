"""The invariant checker: clean on a real sale, and each kind of violation, planted in Redis or
MySQL, is reported by the invariant it breaks (and only there where it breaks one alone)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
from sqlalchemy import update

from seatcore import keys
from seatcore.db.schema import orders, refunds, tickets
from seatcore.domain.orders import OrderStatus
from seatcore.orders.records import Order, Payment, Ticket
from seatcore.settings import Settings
from tests.loadtests.conftest import Sold
from tests.servers import clean_env


def _other_order(showtime_id: int) -> str:
    return f"{showtime_id}-0123456789abcd"


async def test_a_real_sale_passes_every_invariant(sold: Sold) -> None:
    report = await sold.check()
    assert report.ok, report.table()
    counts = {result.key: result.checked for result in report.results}
    assert counts == {
        "double_sale": 2,
        "redis_vs_mysql": 1,
        "payments": 1,
        "holds": 2,
        "seq": 1,
        "exchanges": 0,
        "door": 0,
        "points": 0,
        "coupons": 0,
        "discounts": 0,
        "free_uses": 0,
        "waiting_rooms": 0,
        "snacks": 0,
    }
    assert "all invariants hold" in report.table()


async def test_a_seat_sold_in_redis_to_another_order_is_a_double_sale(sold: Sold) -> None:
    other = _other_order(sold.showtime_id)
    await sold.redis.hset(keys.show_key(sold.showtime_id, "seats"), "A-1", f"s:{other}")
    report = await sold.check()
    assert report.violations("double_sale") == [
        f"showtime {sold.showtime_id} seat A-1: sold to {', '.join(sorted([other, sold.order_id]))}"
    ]
    assert report.violations("redis_vs_mysql") == [
        f"showtime {sold.showtime_id} seat A-1: Redis sold to {other}, MySQL live ticket of {sold.order_id}"
    ]
    assert "INVARIANTS VIOLATED" in report.table()


async def test_a_paid_order_in_flight_for_a_ticketed_seat_is_a_double_sale(sold: Sold) -> None:
    other = _other_order(sold.showtime_id)
    now = datetime.now(UTC).replace(microsecond=0)
    order = Order(
        id=other,
        user_id=1,
        showtime_id=sold.showtime_id,
        hold_id=f"{sold.showtime_id}-00000000000000ff",
        status=OrderStatus.PAID,
        seats={"A-2": 4500},
        created_at=now,
        updated_at=now,
        payment=Payment("sandbox", "txn-planted", 4500, now),
        tickets=(Ticket("ABCDEFGHJKLMNPQR", "A-2", 4500, True),),
    )
    await sold.redis.hset(keys.order(sold.showtime_id, other), mapping={"doc": order.to_json(), "rev": 1})
    report = await sold.check()
    assert f"showtime {sold.showtime_id} seat A-2: sold to" in report.violations("double_sale")[0]
    # ... and it is paid without its seats being sold to it.
    assert report.violations("payments") == [
        f"order {other} (in Redis): paid, but seats A-2 are not sold to it"
    ]


async def test_a_seat_sold_in_redis_without_a_ticket_is_a_difference_not_a_double_sale(sold: Sold) -> None:
    other = _other_order(sold.showtime_id)
    await sold.redis.hset(keys.show_key(sold.showtime_id, "seats"), "E-9", f"s:{other}")
    report = await sold.check()
    assert report.violations("double_sale") == []
    assert report.violations("redis_vs_mysql") == [
        f"showtime {sold.showtime_id} seat E-9: Redis sold to {other}, MySQL no live ticket"
    ]


async def test_a_ticket_that_redis_forgot_is_a_difference(sold: Sold) -> None:
    await sold.redis.hdel(keys.show_key(sold.showtime_id, "seats"), "A-2")
    report = await sold.check()
    assert report.violations("redis_vs_mysql") == [
        f"showtime {sold.showtime_id} seat A-2: Redis free, MySQL live ticket of {sold.order_id}"
    ]


async def test_a_paid_order_whose_tickets_are_gone_is_reported(sold: Sold) -> None:
    async with sold.db.begin() as conn:
        await conn.execute(update(tickets).where(tickets.c.order_id == sold.order_id).values(live=None))
    report = await sold.check()
    assert report.violations("payments") == [f"order {sold.order_id}: ticketed with 0 of 2 tickets live"]


async def test_a_refunded_order_whose_refund_failed_is_reported(sold: Sold) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    async with sold.db.begin() as conn:
        await conn.execute(update(orders).where(orders.c.id == sold.order_id).values(status="refunded"))
        await conn.execute(
            refunds.insert().values(
                order_id=sold.order_id,
                amount_fen=9000,
                status="failed",
                created_at=now,
                updated_at=now,
            )
        )
    report = await sold.check()
    assert report.violations("payments") == [f"order {sold.order_id}: paid, its refund failed"]


async def test_a_hold_that_outlives_its_hard_maximum_is_reported(sold: Sold) -> None:
    holds_key = keys.show_key(sold.showtime_id, "holds")
    status, user, _expires, max_expires, seats, order = str(
        await sold.redis.hget(holds_key, sold.hold_id)
    ).split("|")
    late = int(max_expires) + 60_000
    await sold.redis.hset(holds_key, sold.hold_id, f"{status}|{user}|{late}|{max_expires}|{seats}|{order}")
    report = await sold.check()
    assert report.violations("holds") == [
        f"showtime {sold.showtime_id} hold {sold.hold_id}: expires 60.0 s after its hard maximum"
    ]


async def test_a_gap_in_the_sequence_numbers_is_reported(sold: Sold) -> None:
    seq = int(str(await sold.redis.get(keys.show_seq(sold.showtime_id))))
    skipped = seq + 2  # seq + 1 never logged
    await sold.redis.xadd(
        keys.show_log(sold.showtime_id), {"seq": skipped, "changes": "[]"}, id=f"{skipped}-0"
    )
    await sold.redis.set(keys.show_seq(sold.showtime_id), skipped)
    report = await sold.check()
    assert report.violations("seq") == [
        f"showtime {sold.showtime_id}: the log jumps from seq {seq} to {skipped}"
    ]


async def test_a_seq_ahead_of_its_log_is_reported(sold: Sold) -> None:
    seq = await sold.redis.incr(keys.show_seq(sold.showtime_id))
    report = await sold.check()
    assert report.violations("seq") == [
        f"showtime {sold.showtime_id}: the log ends at seq {seq - 1}, the showtime is at {seq}"
    ]


async def test_settling_waits_for_a_violation_that_goes_away(sold: Sold) -> None:
    seats_key = keys.show_key(sold.showtime_id, "seats")
    await sold.redis.hdel(seats_key, "A-2")
    assert not (await sold.check()).ok  # the control: without settling it is reported

    async def repair() -> None:
        await asyncio.sleep(1.5)
        await sold.redis.hset(seats_key, "A-2", f"s:{sold.order_id}")

    repairing = asyncio.create_task(repair())
    report = await sold.check(settle_s=10)
    await repairing
    assert report.ok, report.table()
    assert report.attempts > 1


def _check_command(settings: Settings, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "seatcore",
            "--database-url",
            settings.database_url,
            "--redis-url",
            settings.redis_url,
            "check",
            "--json",
            str(tmp_path / "report.json"),
        ],
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_check_command_exits_non_zero_on_a_violation(sold: Sold, tmp_path: Path) -> None:
    settings = sold.runtime.settings
    clean = await asyncio.to_thread(_check_command, settings, tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no seat sold twice" in clean.stdout and "all invariants hold" in clean.stdout
    assert orjson.loads((tmp_path / "report.json").read_bytes())["ok"] is True

    await sold.redis.hdel(keys.show_key(sold.showtime_id, "seats"), "A-2")
    broken = await asyncio.to_thread(_check_command, settings, tmp_path)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "1 VIOLATED" in broken.stdout and "seat A-2: Redis free" in broken.stdout
    assert orjson.loads((tmp_path / "report.json").read_bytes())["ok"] is False
