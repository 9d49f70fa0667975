"""The public catalogue: movies, want-to-see favourites, cities, cinemas and showtimes.

Hot reads go through the Redis cache (seatcore.cache) and are dropped when the catalogue changes
(seatcore.store.catalogue.catalogue_changed). What moves without a catalogue change is laid over
the cached documents on every read: want-to-see counts (cached per movie, dropped on each toggle),
free seats (``free_seat_counts``) and whether a showtime still sells (time passes).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any, Literal
from zoneinfo import ZoneInfo

import orjson
from pydantic import Field, model_validator
from starlette.requests import Request

from seatcore import keys
from seatcore.api._http import MAX_ID, Answer, Endpoints, Query, path_id
from seatcore.auth.principal import Principal
from seatcore.domain.schedule import SalesPolicy
from seatcore.errors import NotFound, ValidationFailed
from seatcore.runtime import Runtime
from seatcore.store import catalogue as store

endpoints = Endpoints("catalogue")

HOT_MOVIES = 10
# Showtimes are listed a day at a time; dates further than this from today have none to list.
MAX_DAYS_FROM_TODAY = 366
JSONDoc = dict[str, Any]


# ------------------------------------------------------------------------------------------- queries


class CatalogueQuery(Query):
    """Query strings where an empty parameter (``?q=``) means the parameter is absent."""

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data


class PageQuery(CatalogueQuery):
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")
    limit: int = Field(20, ge=1, le=50)


class MoviesQuery(PageQuery):
    status: Literal["showing", "coming"] | None = None
    q: str | None = Field(None, max_length=100, description="words of the title or original title")
    genre: str | None = Field(None, max_length=32, pattern=r"^[\w-]+$", description="one genre")


class CinemasQuery(CatalogueQuery):
    city: str | None = Field(None, max_length=100)


class ShowtimesQuery(CatalogueQuery):
    movie_id: int | None = Field(None, ge=1, lt=MAX_ID)
    cinema_id: int | None = Field(None, ge=1, lt=MAX_ID)
    date: dt.date | None = Field(None, description="a day in the cinema's time zone; default today")


# ------------------------------------------------------------------------------------------- answers


class MovieOut(Answer):
    id: int
    title: str
    original_title: str
    genres: list[str]
    duration_min: int
    score: float | None = Field(description="out of 10; null until rated")
    poster_url: str
    status: Literal["showing", "coming"]
    release_date: dt.date | None
    want_count: int


class MovieDetail(MovieOut):
    synopsis: str
    director: str
    cast: list[str]
    wanted: bool | None = Field(description="whether the caller wants to see it; null when anonymous")


class MoviePage(Answer):
    items: list[MovieOut]
    next_cursor: str | None


class MovieList(Answer):
    items: list[MovieOut]


class WantAnswer(Answer):
    wanted: bool
    want_count: int


class CityOut(Answer):
    city: str
    cinema_count: int


class CityList(Answer):
    items: list[CityOut]


class CinemaOut(Answer):
    id: int
    name: str
    city: str
    address: str
    timezone: str


class CinemaList(Answer):
    items: list[CinemaOut]


class ShowtimeOut(Answer):
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
    prices: dict[str, int] = Field(description="fen per seat, by price zone")
    price_from_fen: int
    price_to_fen: int
    seat_count: int
    free_seats: int
    sales_open: bool = Field(description="false once sales closed by time or by staff")
    status: Literal["scheduled", "cancelled"]


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


async def want_counts(runtime: Runtime, movie_ids: Sequence[int]) -> dict[int, int]:
    """Want-to-see counts, from Redis where cached, else from the database (then cached).

    A toggle drops its movie's key; a read racing a toggle can put back the old count, which then
    lives at most ``cache_ttl_s`` (the toggle's own answer is always counted afresh).
    """
    ids = list(dict.fromkeys(movie_ids))
    if not ids:
        return {}
    cached = await runtime.redis.mget([keys.want_count(movie_id) for movie_id in ids])
    counts = {movie_id: int(value) for movie_id, value in zip(ids, cached, strict=True) if value is not None}
    missing = [movie_id for movie_id in ids if movie_id not in counts]
    if missing:
        loaded = await store.want_counts(runtime.db, missing)
        if runtime.cache.ttl_s > 0:
            async with runtime.redis.pipeline(transaction=False) as pipe:
                for movie_id, count in loaded.items():
                    pipe.set(keys.want_count(movie_id), count, ex=runtime.cache.ttl_s)
                await pipe.execute()
        counts.update(loaded)
    return counts


async def _with_want_counts(runtime: Runtime, items: list[JSONDoc]) -> list[JSONDoc]:
    counts = await want_counts(runtime, [item["id"] for item in items])
    for item in items:
        item["want_count"] = counts.get(item["id"], 0)
    return items


def _sales_policy(runtime: Runtime) -> SalesPolicy:
    settings = runtime.settings
    return SalesPolicy(settings.sales_close_before_min, settings.refund_until_before_min)


async def _with_live_seats(runtime: Runtime, entries: list[JSONDoc]) -> list[JSONDoc]:
    """Public showtime documents from cached entries, with free seats and the sales state of now."""
    now = dt.datetime.now(dt.UTC)
    free = await free_seat_counts(runtime, [entry["showtime"]["id"] for entry in entries])
    documents = []
    for entry in entries:
        document = entry["showtime"]
        document["free_seats"] = free.get(document["id"], 0)
        document["sales_open"] = (
            entry["staff_open"]
            and document["status"] == "scheduled"
            and now < dt.datetime.fromisoformat(entry["sales_close_at"])
        )
        documents.append(document)
    return documents


# --------------------------------------------------------------------------------------------- shapes


def _movie_doc(movie: store.Movie) -> JSONDoc:
    return MovieOut(
        id=movie.id,
        title=movie.title,
        original_title=movie.original_title,
        genres=list(movie.genres),
        duration_min=movie.duration_min,
        score=movie.score_x10 / 10 if movie.score_x10 else None,
        poster_url=movie.poster_url,
        status="coming" if movie.status == "coming" else "showing",
        release_date=movie.release_date,
        want_count=0,
    ).model_dump(mode="json")


def _cinema_doc(cinema: store.Cinema) -> JSONDoc:
    return CinemaOut(
        id=cinema.id, name=cinema.name, city=cinema.city, address=cinema.address, timezone=cinema.timezone
    ).model_dump(mode="json")


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
        prices=show.prices,
        price_from_fen=min(show.prices.values(), default=0),
        price_to_fen=max(show.prices.values(), default=0),
        seat_count=show.seat_count,
        free_seats=show.seat_count,
        sales_open=False,
        status="cancelled" if show.status == "cancelled" else "scheduled",
    ).model_dump(mode="json")
    return {
        "showtime": document,
        "staff_open": show.sales_open,
        "sales_close_at": show.policy(defaults).sales_close_at(show.starts_at).isoformat(),
        "timezone": show.timezone,
        "local_date": starts_local.date().isoformat(),
    }


# -------------------------------------------------------------------------------------------- cursors


def _encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, list) or len(value) != 2:
        raise _bad_cursor()
    return value


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "invalid query",
        problems=[{"field": "cursor", "problem": "not a cursor this list gave out: start again without it"}],
    )


def _movie_key(cursor: str | None) -> store.MovieKey | None:
    if cursor is None:
        return None
    score, movie_id = _decode_cursor(cursor)
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < MAX_ID for v in (score, movie_id)):
        raise _bad_cursor()
    return score, movie_id


def _favourite_key(cursor: str | None) -> store.FavouriteKey | None:
    if cursor is None:
        return None
    at, movie_id = _decode_cursor(cursor)
    if not isinstance(movie_id, int) or isinstance(movie_id, bool) or not isinstance(at, str):
        raise _bad_cursor()
    try:
        return dt.datetime.fromisoformat(at).replace(tzinfo=None), movie_id
    except ValueError:
        raise _bad_cursor() from None


def _digest(params: JSONDoc) -> str:
    return hashlib.blake2b(orjson.dumps(params, option=orjson.OPT_SORT_KEYS), digest_size=12).hexdigest()


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# ------------------------------------------------------------------------------------------- movies


@endpoints.get(
    "/api/v1/movies",
    "Movies, best score first: filter by status, title words or genre",
    query=MoviesQuery,
    answer=MoviePage,
)
async def list_movies(request: Request, query: MoviesQuery) -> JSONDoc:
    runtime = _runtime(request)
    after = _movie_key(query.cursor)

    async def load() -> JSONDoc:
        movies = await store.list_movies(
            runtime.db,
            status=query.status,
            q=query.q,
            genre=query.genre,
            after=after,
            limit=query.limit + 1,
        )
        page = movies[: query.limit]
        more = len(movies) > query.limit
        return {
            "items": [_movie_doc(movie) for movie in page],
            "next_cursor": _encode_cursor((page[-1].score_x10, page[-1].id)) if more else None,
        }

    page: JSONDoc = await runtime.cache.get_or_load(f"movies:{_digest(query.model_dump())}", load)
    await _with_want_counts(runtime, page["items"])
    return page


@endpoints.get("/api/v1/movies/hot", "The home carousel, in hot-rank order", answer=MovieList)
async def hot_movies(request: Request) -> JSONDoc:
    runtime = _runtime(request)

    async def load() -> list[JSONDoc]:
        return [_movie_doc(movie) for movie in await store.hot_movies(runtime.db, HOT_MOVIES)]

    items: list[JSONDoc] = await runtime.cache.get_or_load("movies:hot", load)
    return {"items": await _with_want_counts(runtime, items)}


@endpoints.get(
    "/api/v1/movies/{id:int}",
    "One movie in full; `wanted` is filled for a signed-in moviegoer",
    auth="optional",
    answer=MovieDetail,
)
async def movie_detail(request: Request, principal: Principal | None) -> JSONDoc:
    runtime = _runtime(request)
    movie_id = path_id(request)

    async def load() -> JSONDoc:
        movie = await store.get_movie(runtime.db, movie_id)
        if movie is None:
            raise NotFound("no such movie", movie_id=movie_id)
        return {
            **_movie_doc(movie),
            "synopsis": movie.synopsis,
            "director": movie.director,
            "cast": list(movie.cast),
        }

    detail: JSONDoc = await runtime.cache.get_or_load(f"movie:{movie_id}", load)
    await _with_want_counts(runtime, [detail])
    detail["wanted"] = None
    if principal is not None and principal.kind == "user":
        detail["wanted"] = await store.is_wanted(runtime.db, principal.id, movie_id)
    return detail


async def _set_wanted(request: Request, principal: Principal, wanted: bool) -> WantAnswer:
    runtime = _runtime(request)
    movie_id = path_id(request)
    await store.set_wanted(runtime.db, principal.id, movie_id, wanted)
    await runtime.redis.delete(keys.want_count(movie_id))
    counts = await store.want_counts(runtime.db, [movie_id])
    return WantAnswer(wanted=wanted, want_count=counts[movie_id])


@endpoints.put(
    "/api/v1/movies/{id:int}/want",
    "Mark a movie as wanted (idempotent)",
    auth="user",
    answer=WantAnswer,
)
async def want_movie(request: Request, principal: Principal) -> WantAnswer:
    return await _set_wanted(request, principal, True)


@endpoints.delete(
    "/api/v1/movies/{id:int}/want",
    "Unmark a wanted movie (idempotent)",
    auth="user",
    answer=WantAnswer,
)
async def unwant_movie(request: Request, principal: Principal) -> WantAnswer:
    return await _set_wanted(request, principal, False)


@endpoints.get(
    "/api/v1/me/favourites",
    "The caller's wanted movies, newest first",
    auth="user",
    query=PageQuery,
    answer=MoviePage,
)
async def my_favourites(request: Request, principal: Principal, query: PageQuery) -> JSONDoc:
    runtime = _runtime(request)
    rows = await store.favourite_movies(
        runtime.db, principal.id, after=_favourite_key(query.cursor), limit=query.limit + 1
    )
    page = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit:
        at, movie_id = page[-1][1]
        next_cursor = _encode_cursor((at.isoformat(), movie_id))
    items = await _with_want_counts(runtime, [_movie_doc(movie) for movie, _ in page])
    return {"items": items, "next_cursor": next_cursor}


# ------------------------------------------------------------------------------------------ cinemas


@endpoints.get("/api/v1/cities", "Cities with cinemas, with how many each has", answer=CityList)
async def list_cities(request: Request) -> JSONDoc:
    runtime = _runtime(request)

    async def load() -> list[JSONDoc]:
        return [{"city": city, "cinema_count": count} for city, count in await store.cities(runtime.db)]

    return {"items": await runtime.cache.get_or_load("cities", load)}


@endpoints.get("/api/v1/cinemas", "Cinemas, optionally of one city", query=CinemasQuery, answer=CinemaList)
async def list_cinemas(request: Request, query: CinemasQuery) -> JSONDoc:
    runtime = _runtime(request)

    async def load() -> list[JSONDoc]:
        return [_cinema_doc(cinema) for cinema in await store.list_cinemas(runtime.db, query.city)]

    return {"items": await runtime.cache.get_or_load(f"cinemas:{_digest({'city': query.city})}", load)}


@endpoints.get("/api/v1/cinemas/{id:int}", "One cinema", answer=CinemaOut)
async def cinema_detail(request: Request) -> JSONDoc:
    runtime = _runtime(request)
    cinema_id = path_id(request)

    async def load() -> JSONDoc:
        cinema = await store.get_cinema(runtime.db, cinema_id)
        if cinema is None:
            raise NotFound("no such cinema", cinema_id=cinema_id)
        return _cinema_doc(cinema)

    document: JSONDoc = await runtime.cache.get_or_load(f"cinema:{cinema_id}", load)
    return document


# ---------------------------------------------------------------------------------------- showtimes


@endpoints.get(
    "/api/v1/showtimes",
    "Showtimes of one day in each cinema's time zone (default today), by start; past ones left out",
    query=ShowtimesQuery,
    answer=ShowtimeList,
)
async def list_showtimes(request: Request, query: ShowtimesQuery) -> JSONDoc:
    runtime = _runtime(request)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    centre = query.date or today
    if abs((centre - today).days) > MAX_DAYS_FROM_TODAY:
        return {"items": []}

    async def load() -> list[JSONDoc]:
        # Three UTC days around the date hold that date in every time zone (offsets are < 15 h).
        start = dt.datetime.combine(centre - dt.timedelta(days=1), dt.time(), dt.UTC)
        shows = await store.showtimes_between(
            runtime.db,
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
    return {"items": await _with_live_seats(runtime, upcoming)}


@endpoints.get(
    "/api/v1/showtimes/{id:int}", "One showtime, with free seats and whether it sells", answer=ShowtimeOut
)
async def showtime_detail(request: Request) -> JSONDoc:
    runtime = _runtime(request)
    showtime_id = path_id(request)

    async def load() -> JSONDoc:
        show = await store.get_showtime(runtime.db, showtime_id)
        if show is None:
            raise NotFound("no such showtime", showtime_id=showtime_id)
        return _showtime_entry(show, _sales_policy(runtime))

    entry: JSONDoc = await runtime.cache.get_or_load(f"showtime:{showtime_id}", load)
    (document,) = await _with_live_seats(runtime, [entry])
    return document
