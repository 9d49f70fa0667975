"""Order pipeline benchmark: confirmed orders/s written to MySQL, batched against one by one.

    python -m loadtests.bench_orders [--orders 10000] [--writers 2] [--batch 500] [--concurrency 16]

Two arms in one run, on the same MariaDB database (one of its own, dropped at the end) and the
same kind of orders (paid, two seats each, a payment and two tickets):

1. pipeline: the order stream as the service runs it: every paid order goes on the Redis Stream
   (a throwaway redis-server), ``--writers`` OrderWriters of one consumer group land them in
   batches (one multi-row INSERT per table per batch, one commit) and tidy Redis after each;
   timed from the first XADD to the last order in MySQL;
2. one by one: the design it replaces, each order written by its own transaction (its INSERTs,
   one commit) as a request handler would, ``--concurrency`` at a time.

It prints orders/s for each and the ratio (targets: at least 1,000 orders/s, at least 3x).
Only 127.0.0.1 is used; everything it starts it stops. Needs redis-server on the PATH and MariaDB
at 127.0.0.1:3306 (root, no password; see --mysql-port).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import redis.asyncio as aioredis
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from loadtests._infra import HOST, fresh_database, throwaway_redis
from seatcore.db.engine import create_db_engine
from seatcore.db.schema import cinemas, halls, movies, orders, showtimes, users
from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.domain.orders import OrderStatus
from seatcore.orders import store
from seatcore.orders.ids import new_order_id, new_ticket_code
from seatcore.orders.inflight import InFlightOrders
from seatcore.orders.records import Order, Payment, Ticket, now_utc, whole_second
from seatcore.orders.stream import OrderStream
from seatcore.orders.writer import OrderWriter
from seatcore.settings import Settings

ROWS = COLUMNS = 20  # a 400-seat hall: 200 two-seat orders per showtime
MAX_ORDERS = 100_000
PRICE_FEN = 4500
TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Result:
    arm: str
    orders: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.orders / self.seconds if self.seconds else 0.0


async def seed(db: AsyncEngine, showtime_count: int) -> tuple[int, list[int]]:
    """A user and ``showtime_count`` showtimes in one hall; answers their ids."""
    now = now_utc().replace(tzinfo=None)
    starts = now + timedelta(days=1)
    async with db.begin() as conn:
        user_id = (await conn.execute(insert(users).values(openid="bench", created_at=now))).lastrowid
        movie_id = (
            await conn.execute(
                insert(movies).values(
                    title="Bench", duration_min=100, synopsis="", created_at=now, updated_at=now
                )
            )
        ).lastrowid
        cinema_id = (
            await conn.execute(insert(cinemas).values(name="Bench", city="Bench", created_at=now))
        ).lastrowid
        hall_id = (
            await conn.execute(
                insert(halls).values(
                    cinema_id=cinema_id,
                    name="Hall",
                    layout=orjson.dumps(grid_layout(ROWS, COLUMNS)).decode(),
                    seat_count=ROWS * COLUMNS,
                    created_at=now,
                )
            )
        ).lastrowid
        ids = []
        for n in range(showtime_count):
            at = starts + timedelta(hours=3 * n)
            result = await conn.execute(
                insert(showtimes).values(
                    hall_id=hall_id,
                    cinema_id=cinema_id,
                    movie_id=movie_id,
                    starts_at=at,
                    ends_at=at + timedelta(hours=2),
                    prices='{"standard": 4500}',
                    created_at=now,
                )
            )
            ids.append(int(result.lastrowid))
    return int(user_id), ids


def paid_orders(user_id: int, showtime_ids: list[int], count: int) -> list[Order]:
    """``count`` paid orders of two seats, filling the showtimes' seats in turn."""
    seats = list(parse_layout(grid_layout(ROWS, COLUMNS)).seats)
    per_show = len(seats) // 2
    now = whole_second(datetime.now(UTC))
    made = []
    for n in range(count):
        showtime_id = showtime_ids[n // per_show]
        pair = seats[2 * (n % per_show) : 2 * (n % per_show) + 2]
        order_id = new_order_id(showtime_id)
        made.append(
            Order(
                id=order_id,
                user_id=user_id,
                showtime_id=showtime_id,
                hold_id=f"{showtime_id}-{secrets.token_hex(8)}",
                status=OrderStatus.PAID,
                seats=dict.fromkeys(pair, PRICE_FEN),
                created_at=now,
                updated_at=now,
                payment=Payment("bench", f"txn-{order_id}", PRICE_FEN * 2, now),
                tickets=tuple(Ticket(new_ticket_code(), seat, PRICE_FEN, True) for seat in pair),
            )
        )
    return made


async def landed_count(db: AsyncEngine) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(orders))).scalar_one())


async def pipeline(
    db: AsyncEngine, redis: aioredis.Redis, batch: list[Order], writers: int, batch_size: int
) -> Result:
    stream = OrderStream(redis, key=f"sc:orders:bench-{secrets.token_hex(4)}")
    await stream.ensure_group()
    inflight = InFlightOrders(redis)
    landed = 0
    done = asyncio.Event()

    async def on_landed(orders: Sequence[Order]) -> None:
        nonlocal landed
        await inflight.forget(orders)  # what the service does after each batch
        landed += len(orders)
        if landed >= len(batch):
            done.set()

    running = [
        OrderWriter(
            db, stream, consumer=f"bench-{n}", batch_size=batch_size, block_ms=20, on_landed=on_landed
        )
        for n in range(writers)
    ]
    started = time.perf_counter()
    tasks = [asyncio.create_task(writer.run()) for writer in running]
    try:
        for start in range(0, len(batch), 1000):  # producers: the payment notices' XADDs
            async with redis.pipeline(transaction=False) as pipe:
                for order in batch[start : start + 1000]:
                    pipe.xadd(stream.key, {"order": order.to_json()})
                await pipe.execute()
        await asyncio.wait_for(done.wait(), timeout=TIMEOUT_S)
        elapsed = time.perf_counter() - started
    finally:
        for writer in running:
            writer.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await redis.delete(stream.key)
    return Result(f"batched pipeline ({writers} writers, batches of {batch_size})", len(batch), elapsed)


async def one_by_one(db: AsyncEngine, batch: list[Order], concurrency: int) -> Result:
    queue = list(reversed(batch))

    async def worker() -> None:
        while queue:
            await store.land_one_by_one(db, queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(
        f"one INSERT+commit per order ({concurrency} at a time)", len(batch), time.perf_counter() - started
    )


async def main_async(args: argparse.Namespace) -> list[Result]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-orders-") as folder,
        throwaway_redis(Path(folder)) as redis_url,
        fresh_database(f"mysql://root@{HOST}:{args.mysql_port}/", "bench_orders") as db_url,
    ):
        db = create_db_engine(Settings(database_url=db_url, redis_url=redis_url))
        redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
        try:
            shows_per_arm = -(-args.orders // (ROWS * COLUMNS // 2))
            user_id, showtime_ids = await seed(db, 2 * shows_per_arm)
            batched = paid_orders(user_id, showtime_ids[:shows_per_arm], args.orders)
            naive = paid_orders(user_id, showtime_ids[shows_per_arm:], args.orders)
            results = [
                await pipeline(db, redis, batched, args.writers, args.batch),
                await one_by_one(db, naive, args.concurrency),
            ]
            assert await landed_count(db) == 2 * args.orders, "every order must land exactly once"
            return results
        finally:
            await redis.aclose()
            await db.dispose()


def report(results: list[Result]) -> str:
    width = max(len(r.arm) for r in results)
    lines = [f"{'design':<{width}}  {'orders':>7}  {'seconds':>8}  {'orders/s':>9}"]
    lines += [f"{r.arm:<{width}}  {r.orders:>7}  {r.seconds:>8.2f}  {r.rate:>9.0f}" for r in results]
    pipeline_rate, naive_rate = results[0].rate, results[1].rate
    ratio = pipeline_rate / naive_rate if naive_rate else float("inf")
    lines.append(f"ratio: {ratio:.1f}x (targets: >= 1,000 orders/s batched, >= 3x)")
    return "\n".join(lines)


def main() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: still drop what it made
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000, help=f"orders per arm (at most {MAX_ORDERS})")
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16, help="one-by-one writers at a time")
    parser.add_argument(
        "--mysql-port", type=int, default=3306, help="MariaDB on 127.0.0.1, root without password"
    )
    args = parser.parse_args()
    if not 1 <= args.orders <= MAX_ORDERS or not 1 <= args.writers <= 16 or not 1 <= args.concurrency <= 64:
        sys.exit(f"--orders must be 1..{MAX_ORDERS}, --writers 1..16, --concurrency 1..64")
    print(report(asyncio.run(main_async(args))))


if __name__ == "__main__":
    main()
