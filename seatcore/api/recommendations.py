"""``GET /api/v1/recommendations``: movies for the caller. A moviegoer we know gets movies similar
to the ones they wanted, bought or looked at, each with the reason; anyone else (and anyone whose
picks run short) the most popular. Never a movie the caller bought; only movies showing or coming."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from starlette.requests import Request

from seatcore.api._catalogue import JSONDoc, runtime_of
from seatcore.api._http import Answer, Endpoints, Query
from seatcore.api.movies import MovieOut, _movie_doc, _with_want_counts
from seatcore.auth.principal import Principal
from seatcore.domain.recommend import BOUGHT, VIEWED, WANT
from seatcore.recommend.service import for_caller
from seatcore.store import catalogue

endpoints = Endpoints("recommendations")

# The reason, by how the moviegoer showed interest in the movie that led to the pick.
REASONS = {WANT: "因为你想看《{title}》", BOUGHT: "因为你看过《{title}》", VIEWED: "因为你关注过《{title}》"}


class RecommendationsQuery(Query):
    limit: int = Field(10, ge=1, le=20)


class RecommendedMovie(MovieOut):
    basis: Literal["similar", "popular"] = Field(description="similar to the caller's movies, or popular")
    because_movie_id: int | None = Field(description="the caller's movie that led to this pick")
    reason: str | None = Field(description="e.g. 因为你想看《X》; null for a popular pick")


class RecommendationsOut(Answer):
    items: list[RecommendedMovie]


@endpoints.get(
    "/api/v1/recommendations",
    "Movies for the caller: similar to what they wanted, bought or viewed, else the most popular",
    auth="optional",
    query=RecommendationsQuery,
    answer=RecommendationsOut,
)
async def recommendations(
    request: Request, principal: Principal | None, query: RecommendationsQuery
) -> JSONDoc:
    runtime = runtime_of(request)
    user_id = principal.id if principal is not None and principal.kind == "user" else None
    picks, movies = await for_caller(runtime, user_id, query.limit)
    items: list[JSONDoc] = []
    for pick in picks:
        because = None if pick.because is None else movies.get(pick.because)
        if pick.because is not None and because is None:  # a movie no longer showing led here
            because = await catalogue.get_movie(runtime.db, pick.because)
        reason = REASONS[pick.kind].format(title=because.title) if because and pick.kind else None
        item = _movie_doc(movies[pick.movie])
        item.update(
            basis="popular" if pick.because is None else "similar",
            because_movie_id=pick.because,
            reason=reason,
        )
        items.append(item)
    return {"items": await _with_want_counts(runtime, items)}
