"""The public showtimes: the showtimes of a day, one showtime.

What the cache keeps of a showtime (seatcore.api._catalogue says how) lacks what moves without a
catalogue change: its free seats (``free_seat_counts``) and whether it still sells (time passes).
Both are filled on every read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field
from starlette.requests import Request

from seatcore.api._catalogue import TAG, CatalogueQuery, JSONDoc, runtime_of
from seatcore.api._http import Answer, Endpoints, IsoDate, path_id
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.domain import names
from seatcore.domain.members import Tier, opens_for
from seatcore.domain.schedule import SalesPolicy
from seatcore.errors import NotFound
from seatcore.loyalty.service import Loyalty
from seatcore.runtime import Runtime
from seatcore.store import catalogue as store

endpoints = Endpoints(TAG)

# Showtimes are listed a day at a time; dates further than this from today have none to list.
MAX_DAYS_FROM_TODAY = 366


class ShowtimesQuery(CatalogueQuery):
    movie_id: int | None = Field(None, ge=1, lt=MAX_ID)
    cinema_id: int | None = Field(None, ge=1, lt=MAX_ID)
    date: IsoDate | None = Field(None, description="a day in the cinema's time zone; default today")


class ShowtimeFields(Answer):
    """What every answer about a showtime starts with (the public one and the staff one)."""

    id: int
    movie_id: int
    movie_title: str
    cinema_id: int
    cinema_name: str
    hall_id: int
    hall_name: str
    starts_at: dt.datetime = Field(description="ISO 8601 with the cinema's UTC offset")
    ends_at: dt.datetime
    language: str
    format: str


class ShowtimeOut(ShowtimeFields):
    language_name: str = Field(description="the language's display name (GET /api/v1/dictionary)")
    format_name: str = Field(description="the format's display name")
    prices: dict[str, int] = Field(description="fen per seat, by price zone")
    price_from_fen: int
    price_to_fen: int
    seat_count: int
    free_seats: int
    sales_open: bool = Field(description="false once sales closed by time or by staff")
    status: Literal["scheduled", "cancelled"]
    on_sale_at: dt.datetime | None = Field(
        None, description="on sale to everyone from then (null: on sale already)"
    )
    bookable_from: dt.datetime | None = Field(
        None, description="when the caller may hold seats: on_sale_at less their tier's early booking"
    )
    waiting_room: bool = Field(
        False, description="sales go through a waiting room now: take a place before holding seats"
    )


class ShowtimeList(Answer):
    items: list[ShowtimeOut]


# ------------------------------------------------------------------------------------- live overlays


async def free_seat_counts(runtime: Runtime, showtime_ids: Sequence[int]) -> dict[int, int]:
    """Free seats of each showtime: its hall's seats less the seats taken.

    Taken seats come from the seat engine's live state (held or sold) where the engine has the
    showtime loaded, one cheap count each; a listing never loads a showtime's state. Elsewhere
    they are the showtime's live tickets in the database.
    """
    counts = await store.seats_and_live_tickets(runtime.db, showtime_ids)
    engine = runtime.extras.get("seats")
    taken = await engine.taken_counts(list(counts)) if engine is not None else {}
    return {
        showtime_id: max(0, seats - taken.get(showtime_id, sold))
        for showtime_id, (seats, sold) in counts.items()
    }


def _sales_policy(runtime: Runtime) -> SalesPolicy:
    settings = runtime.settings
    return SalesPolicy(settings.sales_close_before_min, settings.refund_until_before_min)


async def _with_live_seats(
    runtime: Runtime, entries: list[JSONDoc], principal: Principal | None
) -> list[JSONDoc]:
    """Public showtime documents from cached entries, with free seats, the sales state of now,
    whether a waiting room is open and when the caller may book (their tier's early booking
    before the on-sale moment)."""
    now = dt.datetime.now(dt.UTC)
    ids = [entry["showtime"]["id"] for entry in entries]
    free, rooms = await asyncio.gather(free_seat_counts(runtime, ids), runtime.waiting_rooms.with_rooms(ids))
    documents = []
    tier: Tier | None = None
    if principal is not None and principal.kind == "user" and any(e["on_sale_at"] for e in entries):
        tier = await Loyalty(runtime).member_tier(principal.id)
    for entry in entries:
        document = dict(entry["showtime"])
        if entry["on_sale_at"]:
            on_sale_at = dt.datetime.fromisoformat(entry["on_sale_at"])
            document["bookable_from"] = opens_for(on_sale_at, tier).isoformat()
        document["free_seats"] = free.get(document["id"], 0)
        document["waiting_room"] = document["id"] in rooms
        document["sales_open"] = (
            entry["staff_open"]
            and document["status"] == "scheduled"
            and now < dt.datetime.fromisoformat(entry["sales_close_at"])
        )
        documents.append(document)
    return documents


def _showtime_entry(show: store.Showtime, defaults: SalesPolicy) -> JSONDoc:
    """What the cache keeps of a showtime: its public document (free seats and sales state are
    filled on each read) and what deciding those needs."""
    starts_local = show.starts_at.astimezone(ZoneInfo(show.timezone))
    document = ShowtimeOut(
        id=show.id,
        movie_id=show.movie_id,
        movie_title=show.movie_title,
        cinema_id=show.cinema_id,
        cinema_name=show.cinema_name,
        hall_id=show.hall_id,
        hall_name=show.hall_name,
        starts_at=starts_local,
        ends_at=show.ends_at.astimezone(starts_local.tzinfo),
        language=show.language,
        format=show.format,
        language_name=names.name_of(names.LANGUAGES, show.language),
        format_name=names.name_of(names.FORMATS, show.format),
        prices=show.prices,
        price_from_fen=min(show.prices.values(), default=0),
        price_to_fen=max(show.prices.values(), default=0),
        seat_count=show.seat_count,
        free_seats=show.seat_count,
        sales_open=False,
        status="cancelled" if show.status == "cancelled" else "scheduled",
        on_sale_at=show.on_sale_at.astimezone(starts_local.tzinfo) if show.on_sale_at else None,
    ).model_dump(mode="json")
    return {
        "showtime": document,
        "on_sale_at": document["on_sale_at"],
        "staff_open": show.sales_open,
        "sales_close_at": show.policy(defaults).sales_close_at(show.starts_at).isoformat(),
        "timezone": show.timezone,
        "local_date": starts_local.date().isoformat(),
    }


# ---------------------------------------------------------------------------------------- endpoints


@endpoints.get(
    "/api/v1/showtimes",
    "Showtimes of one day in each cinema's time zone (default today), by start; past ones left out",
    query=ShowtimesQuery,
    answer=ShowtimeList,
    auth="optional",
)
async def list_showtimes(request: Request, principal: Principal | None, query: ShowtimesQuery) -> JSONDoc:
    runtime = runtime_of(request)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    centre = query.date or today
    if abs((centre - today).days) > MAX_DAYS_FROM_TODAY:
        return {"items": []}

    async def load() -> list[JSONDoc]:
        # Three UTC days around the date hold that date in every time zone (offsets are < 15 h).
        start = dt.datetime.combine(centre - dt.timedelta(days=1), dt.time(), dt.UTC)
        shows = await store.showtimes_between(
            runtime.reports_db,
            start,
            start + dt.timedelta(days=3),
            movie_id=query.movie_id,
            cinema_id=query.cinema_id,
        )
        policy = _sales_policy(runtime)
        return [_showtime_entry(show, policy) for show in shows]

    name = f"showtimes:{query.movie_id or '-'}:{query.cinema_id or '-'}:{centre.isoformat()}"
    entries: list[JSONDoc] = await runtime.cache.get_or_load(name, load)
    wanted_dates: dict[str, str] = {}

    def on_the_day(entry: JSONDoc) -> bool:
        if query.date is not None:
            return bool(entry["local_date"] == query.date.isoformat())
        zone = entry["timezone"]
        if zone not in wanted_dates:
            wanted_dates[zone] = now.astimezone(ZoneInfo(zone)).date().isoformat()
        return bool(entry["local_date"] == wanted_dates[zone])

    upcoming = [
        entry
        for entry in entries
        if on_the_day(entry) and dt.datetime.fromisoformat(entry["showtime"]["starts_at"]) > now
    ]
    return {"items": await _with_live_seats(runtime, upcoming, principal)}


@endpoints.get(
    "/api/v1/showtimes/{id:int}",
    "One showtime, with free seats, whether it sells and when the caller may book",
    answer=ShowtimeOut,
    auth="optional",
)
async def showtime_detail(request: Request, principal: Principal | None) -> JSONDoc:
    runtime = runtime_of(request)
    showtime_id = path_id(request)

    async def load() -> JSONDoc:
        show = await store.get_showtime(runtime.db, showtime_id)
        if show is None:
            raise NotFound("no such showtime", showtime_id=showtime_id)
        return _showtime_entry(show, _sales_policy(runtime))

    entry: JSONDoc = await runtime.cache.get_or_load(f"showtime:{showtime_id}", load)
    (document,) = await _with_live_seats(runtime, [entry], principal)
    return document
