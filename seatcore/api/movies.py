"""The public movie catalogue: the list, the hot carousel, a movie in full, want-to-see favourites.

Movie documents are cached (seatcore.api._catalogue says how); want-to-see counts move with every
toggle, so they are cached per movie apart from the documents and laid over them on each read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import Field
from starlette.requests import Request

from seatcore import keys
from seatcore.api._catalogue import TAG, CatalogueQuery, JSONDoc, digest, runtime_of
from seatcore.api._cursor import cursor_field, decode_cursor, encode_cursor
from seatcore.api._http import Answer, Endpoints, path_id
from seatcore.auth.principal import Principal
from seatcore.domain import names
from seatcore.errors import NotFound
from seatcore.runtime import Runtime
from seatcore.store import catalogue as store

endpoints = Endpoints(TAG)

HOT_MOVIES = 10


class PageQuery(CatalogueQuery):
    cursor: str | None = cursor_field(200)
    limit: int = Field(20, ge=1, le=50)


class MoviesQuery(PageQuery):
    status: Literal["showing", "coming"] | None = None
    q: str | None = Field(None, max_length=100, description="words of the title or original title")
    genre: str | None = Field(None, max_length=32, pattern=r"^[\w-]+$", description="one genre")


class MovieOut(Answer):
    id: int
    title: str
    original_title: str
    genres: list[str] = Field(description="genre codes (GET /api/v1/dictionary names them)")
    genre_names: list[str] = Field(description="the genres' display names, in the same order")
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


# --------------------------------------------------------------------------------- want-to-see counts


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


# ------------------------------------------------------------------------------- shapes and cursors


def _movie_doc(movie: store.Movie) -> JSONDoc:
    return MovieOut(
        id=movie.id,
        title=movie.title,
        original_title=movie.original_title,
        genres=list(movie.genres),
        genre_names=names.names_of(names.GENRES, movie.genres),
        duration_min=movie.duration_min,
        score=movie.score_x10 / 10 if movie.score_x10 else None,
        poster_url=movie.poster_url,
        status="coming" if movie.status == "coming" else "showing",
        release_date=movie.release_date,
        want_count=0,
    ).model_dump(mode="json")


def _movie_key(cursor: str | None) -> store.MovieKey | None:
    if cursor is None:
        return None
    score, movie_id = decode_cursor(cursor, ("count", "id"))
    return score, movie_id


def _favourite_key(cursor: str | None) -> store.FavouriteKey | None:
    if cursor is None:
        return None
    at, movie_id = decode_cursor(cursor, ("moment", "id"))
    return at.replace(tzinfo=None), movie_id


# ---------------------------------------------------------------------------------------- endpoints


@endpoints.get(
    "/api/v1/movies",
    "Movies, best score first: filter by status, title words or genre",
    query=MoviesQuery,
    answer=MoviePage,
)
async def list_movies(request: Request, query: MoviesQuery) -> JSONDoc:
    runtime = runtime_of(request)
    after = _movie_key(query.cursor)

    async def load() -> JSONDoc:
        movies = await store.list_movies(
            runtime.reports_db,
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
            "next_cursor": encode_cursor((page[-1].score_x10, page[-1].id)) if more else None,
        }

    page: JSONDoc = await runtime.cache.get_or_load(f"movies:{digest(query.model_dump())}", load)
    await _with_want_counts(runtime, page["items"])
    return page


@endpoints.get("/api/v1/movies/hot", "The home carousel, in hot-rank order", answer=MovieList)
async def hot_movies(request: Request) -> JSONDoc:
    runtime = runtime_of(request)

    async def load() -> list[JSONDoc]:
        return [_movie_doc(movie) for movie in await store.hot_movies(runtime.reports_db, HOT_MOVIES)]

    items: list[JSONDoc] = await runtime.cache.get_or_load("movies:hot", load)
    return {"items": await _with_want_counts(runtime, items)}


@endpoints.get(
    "/api/v1/movies/{id:int}",
    "One movie in full; `wanted` is filled for a signed-in moviegoer",
    auth="optional",
    answer=MovieDetail,
)
async def movie_detail(request: Request, principal: Principal | None) -> JSONDoc:
    runtime = runtime_of(request)
    movie_id = path_id(request)

    async def load() -> JSONDoc:
        movie = await store.get_movie(runtime.reports_db, movie_id)
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
    runtime = runtime_of(request)
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
    runtime = runtime_of(request)
    rows = await store.favourite_movies(
        runtime.db, principal.id, after=_favourite_key(query.cursor), limit=query.limit + 1
    )
    page = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit:
        at, movie_id = page[-1][1]
        next_cursor = encode_cursor((at.isoformat(), movie_id))
    items = await _with_want_counts(runtime, [_movie_doc(movie) for movie, _ in page])
    return {"items": items, "next_cursor": next_cursor}
