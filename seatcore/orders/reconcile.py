"""Reconciliation: do Redis's sold seats, MySQL's live tickets and the payments agree?

``seatcore reconcile`` prints every difference, one a line, and exits 1 when there are any;
with ``--repair`` it also fixes those that have a safe fix:

- ``sold_in_redis_only``: a seat sold in Redis to an order that holds no live ticket for it and is
  not on its way to MySQL (a refund that stopped between MySQL and the map). Repair: the seat
  is sold back to the map (``unsell``).
- ``missing_in_redis``: a live ticket whose seat Redis does not show as sold. Repair: the
  showtime's state is rebuilt from MySQL (a new epoch; live holds of that showtime are dropped),
  unless orders of the showtime are still on their way to MySQL, which the rebuild would miss.
- ``owner_differs``: Redis and MySQL name different orders for a sold seat. Reported only.
- ``order_stuck``: a paid order still in Redis a while after payment. Repair: settle it again.
- ``refund_stuck``: a refund started but not finished. Repair: drive it through the provider.
- ``refund_failed``: the provider refused or failed a refund. Reported only (an operator acts).
- ``payment_missing``: a ticketed order without a payment row. Reported only.
- ``dead_letter``: an order message no writer could read or write. Reported only.

Showtimes whose state is not in Redis are skipped for the seat comparison: the engine rebuilds
them from MySQL when they are next used, so they agree by construction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore import keys
from seatcore.db.schema import orders, payments, refunds, showtimes, tickets
from seatcore.domain.orders import OrderStatus
from seatcore.orders import seatstate
from seatcore.orders.records import now_utc
from seatcore.orders.service import OrderService
from seatcore.orders.stream import DEAD_LETTERS
from seatcore.settings import Settings
from seatcore.store._time import to_db

STUCK_AFTER = timedelta(minutes=5)
RECENT_SHOWTIMES = timedelta(days=1)  # a showtime's Redis state outlives its end by a day


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str
    detail: str
    showtime_id: int | None = None
    order_id: str | None = None
    seat: str | None = None
    repairable: bool = False

    def line(self) -> str:
        where = " ".join(
            f"{name}={value}"
            for name, value in (("showtime", self.showtime_id), ("order", self.order_id), ("seat", self.seat))
            if value is not None
        )
        return f"{self.kind} {where}: {self.detail}".replace("  ", " ")


async def recent_showtimes(db: AsyncEngine) -> list[int]:
    """Showtimes whose seat state may still be in Redis (not ended more than a day ago)."""
    since = to_db(now_utc() - RECENT_SHOWTIMES)
    query = select(showtimes.c.id).where(showtimes.c.ends_at > since).order_by(showtimes.c.id)
    async with db.connect() as conn:
        return [int(row.id) for row in await conn.execute(query)]


async def live_tickets(db: AsyncEngine, showtime_id: int) -> dict[str, str]:
    query = select(tickets.c.seat_id, tickets.c.order_id).where(
        tickets.c.showtime_id == showtime_id, tickets.c.live.is_not(None)
    )
    async with db.connect() as conn:
        return {str(row.seat_id): str(row.order_id) for row in await conn.execute(query)}


async def _seats(service: OrderService, showtime_id: int) -> list[Difference]:
    in_redis = await seatstate.sold_seats(service.redis, showtime_id)
    if in_redis is None:
        return []
    in_mysql = await live_tickets(service.db, showtime_id)
    found: list[Difference] = []
    for seat, order_id in sorted(in_redis.items()):
        owner = in_mysql.get(seat)
        if owner == order_id:
            continue
        if owner is not None:
            found.append(
                Difference(
                    "owner_differs",
                    f"Redis says order {order_id}, MySQL's live ticket says {owner}",
                    showtime_id,
                    order_id,
                    seat,
                )
            )
            continue
        in_flight = await service.inflight.get(order_id)
        if in_flight is not None and in_flight.payment is not None:
            continue  # paid, on its way to MySQL
        found.append(
            Difference(
                "sold_in_redis_only",
                "sold in Redis, but the order has no live ticket for it and is not on its way to MySQL",
                showtime_id,
                order_id,
                seat,
                repairable=True,
            )
        )
    for seat, owner in sorted(in_mysql.items()):
        if seat not in in_redis:
            found.append(
                Difference(
                    "missing_in_redis",
                    "a live ticket in MySQL, but the seat is not sold in Redis",
                    showtime_id,
                    owner,
                    seat,
                    repairable=True,
                )
            )
    return found


async def _money(service: OrderService) -> list[Difference]:
    found: list[Difference] = []
    stuck_before = to_db(now_utc() - STUCK_AFTER)
    unpaid = (
        select(orders.c.id, orders.c.showtime_id)
        .outerjoin(payments, payments.c.order_id == orders.c.id)
        .where(orders.c.status == OrderStatus.TICKETED.value, payments.c.id.is_(None))
    )
    refund_rows = (
        select(
            orders.c.id,
            orders.c.showtime_id,
            orders.c.status,
            orders.c.updated_at,
            refunds.c.status.label("rs"),
        )
        .join(refunds, refunds.c.order_id == orders.c.id)
        .where(
            orders.c.status.in_((OrderStatus.REFUND_REQUESTED.value, OrderStatus.REFUNDED.value)),
        )
    )
    async with service.db.connect() as conn:
        for unpaid_row in await conn.execute(unpaid):
            found.append(
                Difference(
                    "payment_missing", "ticketed without a payment", unpaid_row.showtime_id, unpaid_row.id
                )
            )
        for row in await conn.execute(refund_rows):
            requested = row.status == OrderStatus.REFUND_REQUESTED.value
            if row.rs == "failed":
                found.append(
                    Difference("refund_failed", "the provider refused the refund", row.showtime_id, row.id)
                )
            elif requested and row.updated_at < stuck_before:
                found.append(
                    Difference(
                        "refund_stuck",
                        "refund started, not finished",
                        row.showtime_id,
                        row.id,
                        repairable=True,
                    )
                )
    for order_id in await service.inflight.ids(limit=100_000):
        order = await service.inflight.get(order_id)
        if order is None or order.payment is None:
            continue
        if order.payment.paid_at < now_utc() - STUCK_AFTER:
            found.append(
                Difference(
                    "order_stuck",
                    f"paid at {order.payment.paid_at.isoformat()}, still {order.status.value} in Redis",
                    order.showtime_id,
                    order.id,
                    repairable=True,
                )
            )
    for entry_id, fields in await service.redis.xrange(DEAD_LETTERS, count=1000) or []:
        problem = str((fields or {}).get("problem", ""))
        found.append(Difference("dead_letter", f"entry {entry_id!s}: {problem}"))
    return found


async def find_differences(
    service: OrderService, showtime_ids: Sequence[int] | None = None
) -> list[Difference]:
    ids = list(showtime_ids) if showtime_ids else await recent_showtimes(service.db)
    found: list[Difference] = []
    for showtime_id in ids:
        found.extend(await _seats(service, showtime_id))
    found.extend(await _money(service))
    return found


async def repair(service: OrderService, differences: Sequence[Difference]) -> list[str]:
    """Fix what has a safe fix; answers what was done, one line each."""
    done: list[str] = []
    rebuild: set[int] = set()
    for diff in differences:
        if not diff.repairable:
            continue
        if diff.kind == "sold_in_redis_only" and diff.showtime_id and diff.order_id and diff.seat:
            freed = await service.seats.unsell(diff.showtime_id, diff.order_id, [diff.seat])
            done.append(f"freed seat {diff.seat} of showtime {diff.showtime_id}" if freed else diff.line())
        elif diff.kind == "missing_in_redis" and diff.showtime_id:
            rebuild.add(diff.showtime_id)
        elif diff.kind == "order_stuck" and diff.order_id:
            await service.settle(diff.order_id)
            done.append(f"settled order {diff.order_id} again")
        elif diff.kind == "refund_stuck" and diff.order_id:
            order = await service.finish_refund(diff.order_id)
            done.append(f"refund of order {diff.order_id}: {order.status.value}")
    for showtime_id in sorted(rebuild):
        done.append(await _rebuild(service, showtime_id))
    return done


async def _rebuild(service: OrderService, showtime_id: int) -> str:
    for order_id in await service.inflight.ids(limit=100_000):
        order = await service.inflight.get(order_id)
        if order is not None and order.showtime_id == showtime_id and order.payment is not None:
            return (
                f"not rebuilding showtime {showtime_id}: order {order_id} is on its way to MySQL; run again"
            )
    await service.redis.delete(*keys.show_keys(showtime_id))
    epoch = await service.seats.load(showtime_id)
    return f"rebuilt showtime {showtime_id} from MySQL (epoch {epoch})"


def main(settings: Settings, showtime_ids: Sequence[int], *, fix: bool) -> int:
    """``seatcore reconcile``: print the differences (and repairs); 1 when any were found."""
    return asyncio.run(_main(settings, showtime_ids, fix=fix))


async def _main(settings: Settings, showtime_ids: Sequence[int], *, fix: bool) -> int:
    from seatcore.engine.loader import MySQLSeating
    from seatcore.engine.service import engine_from_settings
    from seatcore.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        runtime.extras["seats"] = engine_from_settings(
            runtime.redis, MySQLSeating(runtime.db), settings, shard_channels=runtime.shard_channels
        )
        service = OrderService(runtime)
        try:
            differences = await find_differences(service, showtime_ids)
            for diff in differences:
                print(diff.line(), flush=True)
            if fix and differences:
                for line in await repair(service, differences):
                    print(f"repaired: {line}", flush=True)
        finally:
            await service.provider.close()
    print(f"{len(differences)} difference(s)", flush=True)
    return 1 if differences else 0
