"""A year of screenings and sales in one cinema, with figures that can be worked out by hand.

Every day d = 0..364 of 2025 (cinema time, Asia/Shanghai, UTC+8) has three screenings:

- A: hall 1 (20 seats, zone standard at 4000 fen), movie Alpha, 10:00; sells ``d % 7`` tickets
- B: hall 1, movie Beta, 19:00; sells ``2 * (d % 3)`` tickets, refunded on days with ``d % 10 == 0``
- C: hall 2 (5 standard + 5 vip seats), movie Beta, 07:30 (23:30 UTC the day before!); sells
  ``d % 4`` vip tickets at 8000 fen; cancelled on day 100 (which sold none)

Each screening's tickets are one order, paid two hours before the start. Days with ``d % 50 == 0``
also have an unpaid order for A holding seat D-5 (it must not count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import cinemas, halls, movies, orders, showtimes, tickets, users
from seatcore.domain.layout import grid_layout, parse_layout

ZONE = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2025, 1, 1)
DAYS = 365
BASE_ID = 500_000


@dataclass
class Year:
    cinema_id: int
    hall_1: int
    hall_2: int
    alpha: int
    beta: int


def show_id(day: int, slot: int) -> int:
    return BASE_ID + day * 3 + slot


def _local(day: int, hour: int, minute: int) -> datetime:
    moment = datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time()).replace(
        hour=hour, minute=minute, tzinfo=ZONE
    )
    return moment.astimezone(UTC).replace(tzinfo=None)


async def make_year(db: AsyncEngine) -> Year:
    now = datetime.now(UTC).replace(tzinfo=None)
    layout_1 = grid_layout(4, 5)
    layout_2 = grid_layout(2, 5, zones={1: "vip"})
    async with db.begin() as conn:
        cinema_id = (
            await conn.execute(
                insert(cinemas).values(
                    name="Year Cinema", city="Hangzhou", timezone="Asia/Shanghai", created_at=now
                )
            )
        ).lastrowid
        hall_ids = []
        for name, layout in (("Hall 1", layout_1), ("Hall 2", layout_2)):
            result = await conn.execute(
                insert(halls).values(
                    cinema_id=cinema_id,
                    name=name,
                    layout=orjson.dumps(layout).decode(),
                    seat_count=parse_layout(layout).seat_count,
                    created_at=now,
                )
            )
            hall_ids.append(int(result.lastrowid))
        movie_ids = []
        for title, minutes in (("Alpha", 100), ("Beta", 110)):
            result = await conn.execute(
                insert(movies).values(
                    title=title, duration_min=minutes, synopsis="", created_at=now, updated_at=now
                )
            )
            movie_ids.append(int(result.lastrowid))
        user_id = (await conn.execute(insert(users).values(openid="year-buyer", created_at=now))).lastrowid
        year = Year(int(cinema_id), hall_ids[0], hall_ids[1], movie_ids[0], movie_ids[1])

        show_rows, order_rows, ticket_rows = [], [], []
        for day in range(DAYS):
            plan = [
                (0, year.hall_1, year.alpha, (10, 0), day % 7, 4000, "A"),
                (1, year.hall_1, year.beta, (19, 0), 2 * (day % 3), 4000, "A"),
                (2, year.hall_2, year.beta, (7, 30), day % 4, 8000, "B"),
            ]
            for slot, hall_id, movie_id, (hour, minute), sold, price, row_label in plan:
                starts = _local(day, hour, minute)
                sid = show_id(day, slot)
                cancelled = slot == 2 and day == 100
                show_rows.append(
                    {
                        "id": sid,
                        "hall_id": hall_id,
                        "cinema_id": year.cinema_id,
                        "movie_id": movie_id,
                        "starts_at": starts,
                        "ends_at": starts + timedelta(minutes=120),
                        "language": "",
                        "format": "2D",
                        "prices": orjson.dumps({"standard": 4000, "vip": 8000}).decode(),
                        "sales_open": not cancelled,
                        "status": "cancelled" if cancelled else "scheduled",
                        "created_at": now,
                    }
                )
                refunded = slot == 1 and day % 10 == 0
                if sold:
                    order_id = f"Y{sid}"
                    paid = starts - timedelta(hours=2)
                    order_rows.append(
                        _order(
                            order_id,
                            user_id,
                            sid,
                            "refunded" if refunded else "ticketed",
                            sold * price,
                            sold,
                            paid,
                            now,
                        )
                    )
                    for n in range(1, sold + 1):
                        seat = f"{row_label}-{n}"
                        ticket_rows.append(
                            _ticket(order_id, sid, seat, price, None if refunded else True, paid)
                        )
                if slot == 0 and day % 50 == 0:
                    order_id = f"Y{sid}p"
                    order_rows.append(_order(order_id, user_id, sid, "pending_payment", 4000, 1, None, now))
                    ticket_rows.append(_ticket(order_id, sid, "D-5", 4000, True, starts - timedelta(hours=1)))
        await conn.execute(insert(showtimes), show_rows)
        await conn.execute(insert(orders), order_rows)
        await conn.execute(insert(tickets), ticket_rows)
    return year


def _order(
    order_id: str,
    user_id: int,
    sid: int,
    status: str,
    amount: int,
    seats: int,
    paid: datetime | None,
    now: datetime,
) -> dict[str, object]:
    return {
        "id": order_id,
        "user_id": user_id,
        "showtime_id": sid,
        "hold_id": f"h-{order_id}",
        "status": status,
        "amount_fen": amount,
        "seat_count": seats,
        "created_at": paid or now,
        "paid_at": paid,
        "updated_at": now,
    }


def _ticket(
    order_id: str, sid: int, seat: str, price: int, live: bool | None, at: datetime
) -> dict[str, object]:
    return {
        "order_id": order_id,
        "showtime_id": sid,
        "seat_id": seat,
        "price_fen": price,
        "code": f"{order_id}-{seat}",
        "live": live,
        "created_at": at,
    }
