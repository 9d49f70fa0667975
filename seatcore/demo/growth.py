"""The demo's moviegoers and their 30 days, so the analytics dashboard, the experiments page and the
recommendations show something real on first start (part of ``seatcore seed-demo``).

- ``MOVIEGOERS`` synthetic moviegoers (seatcore.demo.moviegoers: taste clusters) as accounts
  (openid ``demo-fan-NNNNN``), their want-to-see marks as favourites;
- their 30 days as events in the event store: visits with page views and dwell, the funnel from
  movie to paid (holds now and then refused, a payment now and then failing), and as many
  anonymous visitors who only browse. Their purchases live in the event store only (``order_paid``
  with ``demo-`` order ids): the demo's real past sales are seatcore.demo.history's;
- one finished experiment, ``best_seats_pilot`` (the best-seats row above the map against below it,
  seat map to paid), with exposures and a real difference, and the live ``best_seats_position``
  the mini-program and the web seat page ask for, running with no data yet.

Idempotent: accounts and favourites are found by their natural keys, the events are added only when
the store has none of the demo's, experiments by key. Everything is generated from a fixed seed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.analytics.background import store_path
from seatcore.analytics.store import EventStore
from seatcore.db.schema import favourites, showtimes, users
from seatcore.demo.moviegoers import BOUGHT, WANT, Moviegoer, moviegoers
from seatcore.domain.analytics import actor
from seatcore.domain.experiments import EXPOSED, assign, unit_of
from seatcore.settings import Settings
from seatcore.store import experiments
from seatcore.store._time import utcnow

MOVIEGOERS = 3000
BROWSERS = 3000  # anonymous devices that look and leave
DAYS = 30
OPENID_PREFIX = "demo-fan-"
DEVICE_PREFIX = "demofan"
PILOT = "best_seats_pilot"
LIVE = "best_seats_position"
PILOT_LIFT = 0.6  # of the pilot's "above" seat maps that would not buy, this share buys: a winner on any day
TICKET_FEN = 4500
PAGE_DWELL_S = {
    "pages/home": (5, 40),
    "pages/movie": (10, 60),
    "pages/showtimes": (5, 30),
    "pages/seats": (20, 150),
}


@dataclass
class GrowthReport:
    accounts_added: int = 0
    favourites_added: int = 0
    events_added: int = 0
    experiments_added: int = 0

    def summary(self) -> str:
        return (
            f"demo moviegoers: {MOVIEGOERS} with taste clusters ({self.accounts_added} new accounts, "
            f"{self.favourites_added} want-to-see marks added), {self.events_added} events over {DAYS} days, "
            f"{self.experiments_added} experiments added"
        )


async def seed_growth(settings: Settings, db: AsyncEngine, films: Sequence[tuple[int, Sequence[str]]]) -> str:
    """Seed the moviegoers, their events and the experiments; ``films`` as (movie id, genres)."""
    report = GrowthReport()
    people = moviegoers(films, MOVIEGOERS, days=DAYS)
    ids = await _ensure_accounts(db, report)
    await _ensure_favourites(db, people, ids, report)
    zone = ZoneInfo(settings.analytics_timezone)
    today = dt.datetime.now(zone).date()
    pilot_start = dt.datetime.combine(today - dt.timedelta(days=DAYS - 2), dt.time(), zone)
    pilot_stop = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(), zone)
    await _ensure_experiments(db, pilot_start, pilot_stop, report)
    shows = await _showtimes(db)
    if shows:
        store = await asyncio.to_thread(EventStore, store_path(settings))
        report.events_added = await asyncio.to_thread(
            _ensure_events, store, people, ids, shows, today, zone, (pilot_start, pilot_stop)
        )
    return report.summary()


async def _ensure_accounts(db: AsyncEngine, report: GrowthReport) -> dict[int, int]:
    """Moviegoer number -> user id, creating the missing accounts."""
    async with db.begin() as conn:
        query = select(users.c.openid, users.c.id).where(users.c.openid.like(f"{OPENID_PREFIX}%"))
        existing = {openid: int(user_id) for openid, user_id in await conn.execute(query)}
        now = utcnow()
        missing = [
            {"openid": f"{OPENID_PREFIX}{n:05d}", "nickname": f"影迷{n}", "created_at": now}
            for n in range(MOVIEGOERS)
            if f"{OPENID_PREFIX}{n:05d}" not in existing
        ]
        if missing:
            await conn.execute(insert(users), missing)
            existing = {openid: int(user_id) for openid, user_id in await conn.execute(query)}
        report.accounts_added = len(missing)
    return {int(openid[len(OPENID_PREFIX) :]): user_id for openid, user_id in existing.items()}


async def _ensure_favourites(
    db: AsyncEngine, people: list[Moviegoer], ids: dict[int, int], report: GrowthReport
) -> None:
    wanted = {(ids[p.number], act.movie_id) for p in people for act in p.acts if act.kind == WANT}
    async with db.begin() as conn:
        query = select(favourites.c.user_id, favourites.c.movie_id).where(
            favourites.c.user_id.in_(list(ids.values()))
        )
        existing = {(int(u), int(m)) for u, m in await conn.execute(query)}
        now = utcnow()
        missing = [{"user_id": u, "movie_id": m, "created_at": now} for u, m in sorted(wanted - existing)]
        if missing:
            await conn.execute(insert(favourites), missing)
    report.favourites_added = len(missing)


async def _ensure_experiments(
    db: AsyncEngine, pilot_start: dt.datetime, pilot_stop: dt.datetime, report: GrowthReport
) -> None:
    common: dict[str, Any] = {
        "variants": [("below", 1.0), ("above", 1.0)],
        "channels": [],
        "signed_in": False,
        "metric_from": "seatmap_opened",
        "metric_to": "order_paid",
        "guardrail": "payment_success",
    }
    if await experiments.by_key(db, PILOT) is None:
        utc = dt.UTC
        await experiments.create(
            db,
            None,
            {
                **common,
                "key": PILOT,
                "name": "Pilot: best seats above the map or below it",
                "started_at": pilot_start.astimezone(utc).replace(tzinfo=None),
                "stopped_at": pilot_stop.astimezone(utc).replace(tzinfo=None),
            },
            status=experiments.STOPPED,
        )
        report.experiments_added += 1
    if await experiments.by_key(db, LIVE) is None:
        await experiments.create(
            db,
            None,
            {**common, "key": LIVE, "name": "Best seats above the map or below it"},
            status=experiments.RUNNING,
        )
        report.experiments_added += 1


async def _showtimes(db: AsyncEngine) -> dict[int, list[tuple[int, int]]]:
    """Movie -> its (showtime, cinema) pairs, for the events to name."""
    out: dict[int, list[tuple[int, int]]] = {}
    async with db.connect() as conn:
        for show_id, cinema_id, movie_id in await conn.execute(
            select(showtimes.c.id, showtimes.c.cinema_id, showtimes.c.movie_id)
        ):
            out.setdefault(int(movie_id), []).append((int(show_id), int(cinema_id)))
    return out


def _ensure_events(
    store: EventStore,
    people: list[Moviegoer],
    ids: dict[int, int],
    shows: dict[int, list[tuple[int, int]]],
    today: dt.date,
    zone: ZoneInfo,
    pilot: tuple[dt.datetime, dt.datetime],
) -> int:
    found = store.query("SELECT count(*) FROM events WHERE device LIKE ?", [f"{DEVICE_PREFIX}%"])
    if found[0][0]:
        return 0
    rows = _Journeys(today, zone, pilot, shows).all(people, ids)
    store.append(rows)
    store.refresh()
    return len(rows)


class _Journeys:
    """Turns the moviegoers' acts into the events the clients and the service would have sent."""

    def __init__(
        self,
        today: dt.date,
        zone: ZoneInfo,
        pilot: tuple[dt.datetime, dt.datetime],
        shows: dict[int, list[tuple[int, int]]],
    ) -> None:
        self.today = today
        self.zone = zone
        self.pilot = pilot
        self.shows = shows
        self.rng = random.Random(1717)
        self.rows: list[dict[str, Any]] = []
        self.orders = 0

    def all(self, people: list[Moviegoer], ids: dict[int, int]) -> list[dict[str, Any]]:
        for person in people:
            self.moviegoer(person, ids[person.number])
        for n in range(BROWSERS):
            self.browser(n)
        return self.rows

    def _at(self, day: int, minute: int) -> dt.datetime:
        date = self.today - dt.timedelta(days=day)
        return dt.datetime.combine(date, dt.time(), self.zone) + dt.timedelta(minutes=minute)

    def emit(self, at: dt.datetime, name: str, who: dict[str, Any], **fields: Any) -> None:
        self.rows.append(
            {
                "ts": int(at.timestamp() * 1000),
                "day": at.date().isoformat(),
                "name": name,
                "actor": actor(who.get("user_id"), who["device"]),
                **who,
                **fields,
            }
        )

    def visit(self, who: dict[str, Any], at: dt.datetime, pages: Sequence[str]) -> dt.datetime:
        for page in pages:
            low, high = PAGE_DWELL_S.get(page, (5, 30))
            dwell_s = self.rng.randint(low, high)
            at += dt.timedelta(seconds=dwell_s)
            self.emit(at, "page_view", {**who, "source": "client"}, page=page, dwell_ms=dwell_s * 1000)
        return at

    def moviegoer(self, person: Moviegoer, user_id: int) -> None:
        device = f"{DEVICE_PREFIX}{person.number:05d}"
        channel = "miniprogram" if person.number % 10 < 7 else "web"
        pilot_variant = ("below", "above")[assign(PILOT, unit_of(user_id, device) or "", [1, 1])]
        exposed = False
        purchases = {(act.day, act.movie_id) for act in person.acts if act.kind == BOUGHT}
        for act in person.acts:
            if act.kind == BOUGHT or act.movie_id not in self.shows:
                continue
            at = self._at(act.day, act.minute)
            who = {
                "user_id": user_id,
                "device": device,
                "channel": channel,
                "visit": f"v{device}{act.day:02d}",
            }
            client = {**who, "source": "client"}
            show_id, cinema_id = self.rng.choice(self.shows[act.movie_id])
            where = {"movie_id": act.movie_id, "cinema_id": cinema_id}
            at = self.visit(who, at, ["pages/home"])
            self.emit(at, "movie_opened", client, **where)
            if act.kind == WANT:
                self.visit(who, at, ["pages/movie"])
                continue
            self.emit(at + dt.timedelta(seconds=20), "showtimes_opened", client, **where)
            at += dt.timedelta(seconds=40)
            in_pilot = self.pilot[0] <= at < self.pilot[1]
            if in_pilot and not exposed:
                self.emit(at, EXPOSED, {**who, "source": "server"}, page=PILOT, code=pilot_variant)
                exposed = True
            self.emit(at, "seatmap_opened", client, showtime_id=show_id, **where)
            bought = (act.day, act.movie_id) in purchases
            if not bought and in_pilot and pilot_variant == "above" and self.rng.random() < PILOT_LIFT:
                bought = True
            at = self.visit(who, at, ["pages/movie", "pages/showtimes", "pages/seats"])
            if bought:
                self.purchase(who, at, show_id, where)

    def purchase(self, who: dict[str, Any], at: dt.datetime, show_id: int, where: dict[str, int]) -> None:
        client, server = {**who, "source": "client"}, {**who, "source": "server"}
        seats = self.rng.choice((1, 2, 2, 2, 3, 4))
        self.emit(at, "seat_picked", client, showtime_id=show_id, **where)
        self.emit(at, "hold_asked", client, showtime_id=show_id, **where)
        if self.rng.random() < 0.08:
            code = self.rng.choice(("seat_unavailable", "seat_unavailable", "stranded_seat"))
            self.emit(at, "hold_refused", server, showtime_id=show_id, code=code, **where)
            self.emit(at, "error", client, code=code)
            at += dt.timedelta(seconds=15)
        self.emit(at, "hold_granted", server, showtime_id=show_id, amount_fen=seats * TICKET_FEN, **where)
        self.orders += 1
        order = f"demo-{self.orders:07d}"
        money = {"order_id": order, "showtime_id": show_id, "amount_fen": seats * TICKET_FEN, **where}
        at += dt.timedelta(seconds=30)
        self.emit(at, "order_placed", server, **money)
        self.emit(at, "order_created", client, order_id=order)
        self.emit(at, "pay_started", client, order_id=order)
        if self.rng.random() < 0.015:
            code = self.rng.choice(("payment_declined", "user_cancelled"))
            self.emit(at + dt.timedelta(seconds=20), "payment_failed", server, code=code, **money)
            return
        self.emit(at + dt.timedelta(seconds=20), "order_paid", server, **money)

    def browser(self, n: int) -> None:
        """An anonymous visitor: a look at a movie or two, now and then at its showtimes."""
        device = f"{DEVICE_PREFIX}x{n:05d}"
        day = self.rng.randrange(DAYS)
        at = self._at(day, self.rng.randrange(9 * 60, 23 * 60))
        who = {"device": device, "channel": "web" if n % 2 else "miniprogram", "visit": f"v{device}"}
        at = self.visit(who, at, ["pages/home"])
        for movie_id in self.rng.sample(sorted(self.shows), min(2, len(self.shows))):
            _show, cinema_id = self.rng.choice(self.shows[movie_id])
            self.emit(at, "movie_opened", {**who, "source": "client"}, movie_id=movie_id, cinema_id=cinema_id)
            if self.rng.random() < 0.4:
                self.emit(
                    at,
                    "showtimes_opened",
                    {**who, "source": "client"},
                    movie_id=movie_id,
                    cinema_id=cinema_id,
                )
            at = self.visit(who, at, ["pages/movie"])
