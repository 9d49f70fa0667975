"""The demo's past: 30 days of screenings before the seeded week, sold the way cinemas sell, so
the box office shows real shapes on first start.

Each hall's past days are planned like its week (``seed.plan_day``, films only after their
release) and checked against the hall's schedule with the overlap rule, so a second run adds
nothing; only screenings this run adds get sales, so an existing showtime's orders are never
touched. Sales land straight in the database as the order writer lands them: a ticketed order,
its succeeded sandbox payment and one live ticket per seat, which is what ``seatcore check``
expects of a paid order. The showtimes are in the past and were never on sale, so Redis holds
nothing of them.

About half the orders buy snacks from the cinema's menu (picked up at the counter before the
film), and most tickets were checked in at the door in the half hour before the start, each with
the admitted scan the door writes, so the snack and door figures show something on first start.
A few orders of snacks alone (no ticket) are paid around each screening too.

The shape: evenings busiest, afternoons half that, mornings thin; Friday evening and the weekend
busier; good scores sell better and films fade with age; a film's first three evenings sell out.
Random draws are seeded by hall and day, so the same past comes out on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seatcore.db.schema import (
    door_scans,
    order_snacks,
    orders,
    payments,
    showtimes,
    snack_pickups,
    tickets,
    users,
)
from seatcore.demo.films import Film
from seatcore.demo.planning import plan_day
from seatcore.demo.venues import TIMEZONE, HallSpec
from seatcore.domain.layout import Layout, Seat, parse_layout
from seatcore.domain.schedule import Screening, find_clash
from seatcore.domain.snacks import PICKUP_ALPHABET, PICKUP_CODE_CHARS, Snack
from seatcore.orders.ids import new_order_id, new_snack_order_id, new_ticket_code
from seatcore.store._time import to_db, utcnow
from seatcore.store.catalogue import hall_screenings

HISTORY_DAYS = 30
MOVIEGOERS = 400  # demo-history-1 .. : the buyers of the past orders
PREMIERE_EVENINGS = 3
PARTY_SIZES = (1, 2, 3, 4)
PARTY_WEIGHTS = (0.22, 0.5, 0.13, 0.15)  # couples and friends, a few families
INSERT_CHUNK = 2000  # rows per multi-row INSERT
SNACK_SHARE = 0.5  # of orders that buy snacks
SNACKS_ALONE_PER_SCREENING = (0, 0, 1, 1, 2)  # orders of snacks alone around one screening
CHECKED_IN_SHARE = 0.9  # of parties that came (the rest never showed up)
DOOR_MINUTES = (1.0, 28.0)  # how long before the start people came in


@dataclass
class HistoryReport:
    showtimes: int = 0
    orders: int = 0
    tickets: int = 0
    revenue_fen: int = 0
    snack_orders: int = 0
    check_ins: int = 0


def demand(starts: datetime, film: Film, released: date, rng: random.Random) -> float:
    """The share of a screening's seats that sells, 0..1."""
    hour, weekday = starts.hour, starts.weekday()
    age_days = (starts.date() - released).days
    evening = 18 <= hour <= 21
    if age_days < PREMIERE_EVENINGS and evening:
        return 1.0
    by_hour = 0.12 if hour < 12 else 0.28 if hour < 17 else 0.62 if hour <= 21 else 0.36
    by_day = {4: 1.25 if hour >= 17 else 1.0, 5: 1.5, 6: 1.35}.get(weekday, 0.95)
    by_film = min(1.35, max(0.5, 0.7 + ((film.score or 7.0) - 7.0) * 0.35))
    by_age = max(0.45, 1.0 - age_days / 60)
    return min(0.97, by_hour * by_day * by_film * by_age * rng.uniform(0.8, 1.2))


def seats_in_taste_order(layout: Layout) -> list[Seat]:
    """Seats as buyers pick them: two thirds back from the screen, towards the centre first."""
    best_row = (len(layout.rows) - 1) * 0.65
    centre = (layout.columns - 1) / 2
    return sorted(
        layout.seats.values(), key=lambda s: (abs(s.row - best_row) * 1.5 + abs(s.col - centre), s.id)
    )


def parties(sold: int, rng: random.Random) -> list[int]:
    """Order sizes adding up to ``sold`` seats."""
    found: list[int] = []
    while sum(found) < sold:
        found.append(min(rng.choices(PARTY_SIZES, PARTY_WEIGHTS)[0], sold - sum(found)))
    return found


def sale_time(starts: datetime, premiere: bool, rng: random.Random) -> datetime:
    """When an order was paid: premieres sell days ahead, most others on the day."""
    if premiere or rng.random() < 0.3:
        lead = timedelta(hours=rng.uniform(20, 24 * 6))
    else:
        lead = timedelta(minutes=rng.uniform(20, 8 * 60))
    return starts - lead


async def ensure_moviegoers(conn: AsyncConnection) -> list[int]:
    """The ids of the demo's past buyers, made when missing (found by openid)."""
    names = [f"demo-history-{n}" for n in range(1, MOVIEGOERS + 1)]
    query = select(users.c.id, users.c.openid).where(users.c.openid.in_(names))
    found = {str(row.openid): int(row.id) for row in await conn.execute(query)}
    missing = [name for name in names if name not in found]
    if missing:
        now = utcnow()
        await conn.execute(insert(users), [{"openid": name, "created_at": now} for name in missing])
        found.update({str(row.openid): int(row.id) for row in await conn.execute(query)})
    return [found[name] for name in names]


@dataclass
class _Sales:
    orders: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    snacks: list[dict[str, Any]]
    pickups: list[dict[str, Any]]
    scans: list[dict[str, Any]]
    codes: set[str]


def snack_lines(menu: tuple[Snack, ...], party: int, rng: random.Random) -> list[tuple[Snack, int]]:
    """What a party buys: a combo or an item or two (snacks of limited stock are left to the living)."""
    offered = [snack for snack in menu if snack.on_sale and snack.stock is None]
    combos = [snack for snack in offered if snack.kind == "combo"]
    items = [snack for snack in offered if snack.kind == "item"]
    if combos and rng.random() < 0.5:
        return [(rng.choice(combos), max(1, party // 2))]
    picked = rng.sample(items, min(len(items), rng.choice((1, 2))))
    return [(snack, rng.randint(1, max(1, party))) for snack in picked]


def pickup_code(rng: random.Random, used: set[str]) -> str:
    """A code no other order of this run has (the unique key would refuse the whole batch)."""
    while True:
        code = "".join(rng.choice(PICKUP_ALPHABET) for _ in range(PICKUP_CODE_CHARS))
        if code not in used:
            used.add(code)
            return code


def sell(
    showtime_id: int,
    starts: datetime,
    film: Film,
    released: date,
    layout: Layout,
    prices: dict[str, int],
    buyers: list[int],
    rng: random.Random,
    into: _Sales,
    menu: tuple[Snack, ...],
    cinema_id: int,
) -> int:
    """Orders for one past screening, appended to ``into``; returns the tickets sold."""
    share = demand(starts, film, released, rng)
    taste = seats_in_taste_order(layout)
    sold = round(len(taste) * share)
    premiere = (starts.date() - released).days < PREMIERE_EVENINGS
    taken = 0
    for size in parties(sold, rng):
        seats = taste[taken : taken + size]
        taken += size
        order_id = new_order_id(showtime_id)
        paid_at = sale_time(starts, premiere, rng)
        tickets_fen = sum(prices[seat.zone] for seat in seats)
        came_at = starts - timedelta(minutes=rng.uniform(*DOOR_MINUTES))
        came = rng.random() < CHECKED_IN_SHARE
        bought = snack_lines(menu, size, rng) if menu and rng.random() < SNACK_SHARE else []
        snacks_fen = sum(snack.price_fen * qty for snack, qty in bought)
        amount = tickets_fen + snacks_fen
        price = None
        if bought:
            price = _price(tickets_fen, snacks_fen)
            code = pickup_code(rng, into.codes)
            picked_up_at = came_at - timedelta(minutes=rng.uniform(1, 6)) if came else None
            _snacks_of(into, order_id, bought, cinema_id, code, picked_up_at)
        _paid(
            into,
            order_id,
            user_id=rng.choice(buyers),
            showtime_id=showtime_id,
            amount=amount,
            seat_count=len(seats),
            created_at=paid_at - timedelta(seconds=rng.randint(40, 400)),
            paid_at=paid_at,
            price=price,
        )
        codes = [new_ticket_code() for _ in seats]
        into.tickets.extend(
            {
                "order_id": order_id,
                "showtime_id": showtime_id,
                "seat_id": seat.id,
                "price_fen": prices[seat.zone],
                "code": code,
                "live": True,
                "created_at": to_db(paid_at),
                "checked_in_at": to_db(came_at) if came else None,
                "checked_in_door": "main" if came else None,
            }
            for seat, code in zip(seats, codes, strict=True)
        )
        if came:
            into.scans.extend(
                {
                    "ticket_code": code,
                    "showtime_id": showtime_id,
                    "cinema_id": cinema_id,
                    "door": "main",
                    "scanned_at": to_db(came_at),
                    "recorded_at": to_db(came_at),
                    "outcome": "admitted",
                    "offline": False,
                }
                for code in codes
            )
    if menu:
        _snacks_alone(starts, menu, buyers, rng, into, cinema_id)
    return taken


def _snacks_alone(
    starts: datetime,
    menu: tuple[Snack, ...],
    buyers: list[int],
    rng: random.Random,
    into: _Sales,
    cinema_id: int,
) -> None:
    """A few orders of snacks alone around a screening (a parent waiting in the lobby, a ticket
    bought at the box office): paid in the hour before the start, most of them picked up."""
    for _ in range(rng.choice(SNACKS_ALONE_PER_SCREENING)):
        order_id = new_snack_order_id(cinema_id)
        paid_at = starts - timedelta(minutes=rng.uniform(5, 60))
        bought = snack_lines(menu, rng.randint(1, 2), rng)
        if not bought:
            return
        amount = sum(snack.price_fen * qty for snack, qty in bought)
        picked = rng.random() < CHECKED_IN_SHARE
        _paid(
            into,
            order_id,
            user_id=rng.choice(buyers),
            showtime_id=None,
            amount=amount,
            seat_count=0,
            created_at=paid_at - timedelta(seconds=rng.randint(20, 120)),
            paid_at=paid_at,
            price=_price(0, amount),
        )
        code = pickup_code(rng, into.codes)
        picked_up_at = paid_at + timedelta(minutes=rng.uniform(2, 10)) if picked else None
        _snacks_of(into, order_id, bought, cinema_id, code, picked_up_at)


def _price(tickets_fen: int, snacks_fen: int) -> str:
    """The price breakdown of a demo order (list prices, no discounts)."""
    steps = {"member_discount_fen": 0, "coupon_fen": 0, "points_fen": 0, "points_used": 0}
    return orjson.dumps(
        {"list_fen": tickets_fen, **steps, "snacks_fen": snacks_fen, "paid_fen": tickets_fen + snacks_fen}
    ).decode()


def _paid(
    into: _Sales,
    order_id: str,
    *,
    user_id: int,
    showtime_id: int | None,
    amount: int,
    seat_count: int,
    created_at: datetime,
    paid_at: datetime,
    price: str | None,
) -> None:
    """A landed, ticketed order (``showtime_id`` None: snacks alone) and its sandbox payment."""
    into.orders.append(
        {
            "id": order_id,
            "user_id": user_id,
            "showtime_id": showtime_id,
            "hold_id": "" if showtime_id is None else f"demo-{order_id}",
            "status": "ticketed",
            "amount_fen": amount,
            "seat_count": seat_count,
            "created_at": to_db(created_at),
            "paid_at": to_db(paid_at),
            "updated_at": utcnow(),
            "price": price,
        }
    )
    into.payments.append(
        {
            "order_id": order_id,
            "provider": "sandbox",
            "provider_txn_id": f"demo-{order_id}",
            "amount_fen": amount,
            "status": "succeeded",
            "created_at": to_db(paid_at),
            "updated_at": utcnow(),
        }
    )


def _snacks_of(
    into: _Sales,
    order_id: str,
    bought: list[tuple[Snack, int]],
    cinema_id: int,
    code: str,
    picked_up_at: datetime | None,
) -> None:
    """An order's snack lines and its pickup (handed over at ``picked_up_at``, or still waiting)."""
    into.snacks.extend(
        {
            "order_id": order_id,
            "snack_id": snack.id,
            "name": snack.name,
            "qty": qty,
            "price_fen": snack.price_fen,
        }
        for snack, qty in bought
    )
    into.pickups.append(
        {
            "order_id": order_id,
            "cinema_id": cinema_id,
            "code": code,
            "picked_up_at": to_db(picked_up_at) if picked_up_at else None,
            "picked_up_by": "staff:demo" if picked_up_at else "",
        }
    )


async def add_history(
    db: AsyncEngine,
    *,
    cinema_id: int,
    hall_id: int,
    spec: HallSpec,
    hall_index: int,
    films: list[tuple[int, Film]],
    first_day: date,
    gap_min: int,
    report: HistoryReport,
    menu: tuple[Snack, ...] = (),
) -> None:
    """The hall's past ``HISTORY_DAYS`` before ``first_day``: screenings and their sales."""
    zone = ZoneInfo(TIMEZONE)
    layout = parse_layout(spec.layout)
    gap = timedelta(minutes=gap_min)
    since = datetime.combine(first_day - timedelta(days=HISTORY_DAYS), datetime.min.time(), zone)
    until = datetime.combine(first_day, datetime.min.time(), zone)
    prices_json = orjson.dumps(spec.prices).decode()
    sales = _Sales([], [], [], [], [], [], set())
    async with db.begin() as conn:
        buyers = await ensure_moviegoers(conn)
        booked = await hall_screenings(conn, hall_id, since - gap, until + gap)
        for back in range(HISTORY_DAYS, 0, -1):
            day = first_day - timedelta(days=back)
            rng = random.Random(f"{hall_id}:{day.isoformat()}")
            released = [(mid, f) for mid, f in films if f.showing and f.released_days_ago >= back]
            if not released:
                continue
            for movie_id, film, starts, ends in plan_day(day, hall_index, spec, released, gap_min):
                planned = Screening(starts_at=starts, ends_at=ends)
                if find_clash(planned, booked, gap_min=gap_min) is not None:
                    continue  # there already: an earlier run's, or the hall's own
                result = await conn.execute(
                    insert(showtimes).values(
                        hall_id=hall_id,
                        cinema_id=cinema_id,
                        movie_id=movie_id,
                        starts_at=to_db(starts),
                        ends_at=to_db(ends),
                        language=film.language,
                        format=spec.format,
                        prices=prices_json,
                        created_at=utcnow(),
                    )
                )
                booked.append(planned)
                report.showtimes += 1
                release_day = first_day - timedelta(days=film.released_days_ago)
                report.tickets += sell(
                    int(result.lastrowid),
                    starts,
                    film,
                    release_day,
                    layout,
                    spec.prices,
                    buyers,
                    rng,
                    sales,
                    menu,
                    cinema_id,
                )
        written = (
            (orders, sales.orders),
            (payments, sales.payments),
            (tickets, sales.tickets),
            (order_snacks, sales.snacks),
            (snack_pickups, sales.pickups),
            (door_scans, sales.scans),
        )
        for table, rows in written:
            for chunk in range(0, len(rows), INSERT_CHUNK):
                await conn.execute(insert(table), rows[chunk : chunk + INSERT_CHUNK])
    report.orders += len(sales.orders)
    report.snack_orders += len(sales.pickups)
    report.check_ins += len(sales.scans)
    report.revenue_fen += sum(row["amount_fen"] for row in sales.orders)
