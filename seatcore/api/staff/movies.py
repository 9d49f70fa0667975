"""Staff API: the movie catalogue. Every member of staff reads it (to schedule screenings);
only a platform admin adds, edits, retires movies or uploads their posters, since a movie and its
poster are shared by every cinema of the chain (seatcore.api.staff._access).

Retiring is ``status: "retired"``: the movie leaves the moviegoers' lists and the carousel, and
stays readable by id for the orders that name it; nothing is deleted."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field
from starlette.requests import Request

from seatcore.api._cursor import decode_cursor, encode_cursor
from seatcore.api._http import Answer, Body, Endpoints, path_id, read_raw
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.api.staff._query import PageQuery
from seatcore.auth.principal import Principal
from seatcore.errors import NotFound
from seatcore.media.images import IMAGE_REQUEST_BODY
from seatcore.media.posters import MAIN_SIZE, store_poster
from seatcore.store import catalogue, staff
from seatcore.store.catalogue import Movie

endpoints = Endpoints("staff: movies")

MovieStatus = Literal["showing", "coming", "retired"]
# A genre or a cast member: stored comma-separated, so no commas; not blank.
ListEntry = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^,]*[^,\s][^,]*$")]


class MovieFields(Body):
    """Fields of a movie; in a PATCH every field is optional and only those sent change."""

    nullable = frozenset({"release_date", "score"})

    title: str | None = Field(None, min_length=1, max_length=200)
    original_title: str | None = Field(None, max_length=200)
    genres: list[ListEntry] | None = Field(None, max_length=10, description="genre names, no commas")
    duration_min: int | None = Field(None, ge=1, le=600, description="running time")
    score: float | None = Field(None, ge=0, le=10, description="out of 10, one decimal")
    synopsis: str | None = Field(None, max_length=2000)
    director: str | None = Field(None, max_length=200)
    cast: list[ListEntry] | None = Field(None, max_length=20)
    release_date: dt.date | None = None
    poster_url: str | None = Field(None, max_length=500)
    status: MovieStatus | None = None
    hot_rank: int | None = Field(None, ge=0, le=100, description="place on the home carousel; 0: not on it")

    def columns(self) -> dict[str, Any]:
        """The fields sent, as store columns; null only clears the score and the release date."""
        sent = self.sent()
        for name in ("genres", "cast"):
            if name in sent:
                sent[name] = ",".join(value.strip() for value in sent[name])
        if "score" in sent:
            sent["score_x10"] = round((sent.pop("score") or 0) * 10)
        if sent.get("status") == "retired":
            sent["hot_rank"] = 0  # a retired film leaves the carousel too
        if sent.get("release_date") is not None:
            sent["release_date"] = dt.datetime.combine(sent["release_date"], dt.time())
        return sent


class NewMovie(MovieFields):
    title: str = Field(min_length=1, max_length=200)
    duration_min: int = Field(ge=1, le=600, description="running time")


class StaffMovieOut(Answer):
    id: int
    title: str
    original_title: str
    genres: list[str]
    duration_min: int
    score: float | None
    synopsis: str
    director: str
    cast: list[str]
    release_date: dt.date | None
    poster_url: str
    status: MovieStatus
    hot_rank: int


class StaffMoviePage(Answer):
    items: list[StaffMovieOut]
    next_cursor: str | None


class MoviesQuery(PageQuery):
    q: str | None = Field(None, max_length=100, description="words of the title or original title")
    status: MovieStatus | None = None


def movie_out(movie: Movie) -> StaffMovieOut:
    return StaffMovieOut(
        id=movie.id,
        title=movie.title,
        original_title=movie.original_title,
        genres=list(movie.genres),
        duration_min=movie.duration_min,
        score=movie.score_x10 / 10 if movie.score_x10 else None,
        synopsis=movie.synopsis,
        director=movie.director,
        cast=list(movie.cast),
        release_date=movie.release_date,
        poster_url=movie.poster_url,
        status="coming"
        if movie.status == "coming"
        else "retired"
        if movie.status == "retired"
        else "showing",
        hot_rank=movie.hot_rank,
    )


async def _load(request: Request, movie_id: int) -> Movie:
    movie = await catalogue.get_movie(runtime_of(request).db, movie_id)
    if movie is None:
        raise NotFound("no such movie", movie_id=movie_id)
    return movie


@endpoints.get(
    "/api/v1/staff/movies",
    "Movies for scheduling, best score first (any staff); retired ones only with status=retired",
    auth="staff",
    query=MoviesQuery,
    answer=StaffMoviePage,
)
async def staff_list_movies(request: Request, principal: Principal, query: MoviesQuery) -> StaffMoviePage:
    await staff_scope(request, principal)
    after = None
    if query.cursor is not None:
        score, movie_id = decode_cursor(query.cursor, ("count", "id"))
        after = (score, movie_id)
    found = await catalogue.list_movies(
        runtime_of(request).db,
        status=query.status,
        q=query.q,
        after=after,
        limit=query.limit + 1,
        with_retired=query.status == "retired",  # retired films are asked for by name only
    )
    page = found[: query.limit]
    more = len(found) > query.limit
    return StaffMoviePage(
        items=[movie_out(movie) for movie in page],
        next_cursor=encode_cursor((page[-1].score_x10, page[-1].id)) if more else None,
    )


@endpoints.get("/api/v1/staff/movies/{id:int}", "One movie (any staff)", auth="staff", answer=StaffMovieOut)
async def staff_get_movie(request: Request, principal: Principal) -> StaffMovieOut:
    await staff_scope(request, principal)
    return movie_out(await _load(request, path_id(request)))


@endpoints.post(
    "/api/v1/staff/movies",
    "Add a movie (platform admin)",
    auth="staff",
    body=NewMovie,
    answer=StaffMovieOut,
    status=201,
)
async def staff_create_movie(request: Request, principal: Principal, body: NewMovie) -> StaffMovieOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("add movies")
    runtime = runtime_of(request)
    columns = {"synopsis": "", **body.columns()}
    movie_id = await staff.create_movie(runtime.db, scope.actor, columns)
    await catalogue.catalogue_changed(runtime.cache)
    return movie_out(await _load(request, movie_id))


@endpoints.patch(
    "/api/v1/staff/movies/{id:int}",
    "Change a movie's fields (platform admin); only the fields sent change",
    auth="staff",
    body=MovieFields,
    answer=StaffMovieOut,
)
async def staff_update_movie(request: Request, principal: Principal, body: MovieFields) -> StaffMovieOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("change movies")
    runtime = runtime_of(request)
    movie_id = path_id(request)
    await staff.update_movie(runtime.db, scope.actor, movie_id, body.columns())
    await catalogue.catalogue_changed(runtime.cache)
    return movie_out(await _load(request, movie_id))


class PosterSize(Answer):
    name: str = Field(description="list (the movie list's card) or detail (the movie page)")
    width: int
    height: int
    bytes: int
    url: str


class PosterOut(Answer):
    movie: StaffMovieOut
    sizes: list[PosterSize]


@endpoints.put(
    "/api/v1/staff/movies/{id:int}/poster",
    "Upload a movie's poster (platform admin): the body is the image; 422 image_invalid unless it "
    "decodes as a PNG, JPEG or WebP within the limits; stored re-encoded at each page size",
    auth="staff",
    answer=PosterOut,
    errors=(400, 413, 422, 503),  # 503: the S3 media store did not take the file
    extra={"requestBody": IMAGE_REQUEST_BODY},
)
async def staff_upload_poster(request: Request, principal: Principal) -> PosterOut:
    scope = await staff_scope(request, principal)
    scope.require_admin("change movies")
    runtime = runtime_of(request)
    movie = await _load(request, path_id(request))
    data = await read_raw(request, runtime.settings.poster_max_bytes)
    sizes = await store_poster(runtime.settings, movie.id, data)
    main = next(size for size in sizes if size.name == MAIN_SIZE)
    await staff.update_movie(runtime.db, scope.actor, movie.id, {"poster_url": main.url})
    await catalogue.catalogue_changed(runtime.cache)
    return PosterOut(
        movie=movie_out(await _load(request, movie.id)),
        sizes=[
            PosterSize(name=s.name, width=s.width, height=s.height, bytes=s.bytes, url=s.url) for s in sizes
        ],
    )
