"""Recommendations, the pure part: item-to-item cosine similarity over implicit feedback, scoring a
moviegoer's profile against it, the explanation, and the popularity ranking for people we know
nothing about (no I/O; docs/analytics.md, "Recommendations").

Implicit feedback: nobody rates a movie here, but wanting to see it, buying tickets for it and
opening its seat maps all say "interested", with different strength (``WEIGHTS``). A moviegoer is
a sparse row of those weights over movies; two movies are similar when the same people are
interested in both (the cosine of their columns, computed as one sparse product). A moviegoer's
score for a movie is the sum of its similarities to the movies in their profile, weighted by how
strongly they showed interest; the profile movie that contributed most is the explanation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

WANT, BOUGHT, VIEWED = "want", "bought", "viewed"
WEIGHTS: Mapping[str, float] = {WANT: 2.0, BOUGHT: 3.0, VIEWED: 1.0}
# The strongest kind of interest explains the pick; ties go to the earlier kind here.
KIND_ORDER = (BOUGHT, WANT, VIEWED)

# (user id, movie id, kind)
Interaction = tuple[int, int, str]
Profile = dict[int, tuple[float, str]]  # movie -> (weight, strongest kind)


def profiles(interactions: Iterable[Interaction]) -> dict[int, Profile]:
    """Each user's movies with the summed weight of their interest and its strongest kind."""
    out: dict[int, Profile] = {}
    for user, movie, kind in interactions:
        mine = out.setdefault(user, {})
        weight, strongest = mine.get(movie, (0.0, kind))
        if KIND_ORDER.index(kind) < KIND_ORDER.index(strongest):
            strongest = kind
        mine[movie] = (weight + WEIGHTS[kind], strongest)
    return out


@dataclass(frozen=True, slots=True)
class Similarity:
    movies: tuple[int, ...]  # the matrix's movie ids, in column order
    index: Mapping[int, int]  # movie id -> column
    matrix: np.ndarray  # movies x movies cosine similarity, 0 on the diagonal
    popularity: tuple[int, ...]  # movies by summed interest, most first

    def vector(self, movie: int) -> np.ndarray | None:
        column = self.index.get(movie)
        return None if column is None else self.matrix[column]


def similarity(users: Mapping[int, Profile]) -> Similarity:
    """Item-to-item cosine similarity of every movie anyone showed interest in."""
    movies = tuple(sorted({movie for profile in users.values() for movie in profile}))
    index = {movie: i for i, movie in enumerate(movies)}
    rows, cols, data = [], [], []
    for row, profile in enumerate(users.values()):
        for movie, (weight, _kind) in profile.items():
            rows.append(row)
            cols.append(index[movie])
            data.append(weight)
    x = sparse.csr_matrix((data, (rows, cols)), shape=(len(users), len(movies)), dtype=np.float64)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
    norms[norms == 0] = 1.0
    normalized = x @ sparse.diags(1.0 / norms)
    matrix = np.asarray((normalized.T @ normalized).todense())
    np.fill_diagonal(matrix, 0.0)
    totals = np.asarray(x.sum(axis=0)).ravel()
    popularity = tuple(movies[i] for i in np.lexsort((np.arange(len(movies)), -totals)))
    return Similarity(movies, index, matrix, popularity)


@dataclass(frozen=True, slots=True)
class Pick:
    movie: int
    score: float
    because: int | None  # the profile movie that contributed most; None for a popularity pick
    kind: str | None  # how the moviegoer showed interest in it (want, bought, viewed)


def recommend(
    model: Similarity,
    profile: Profile,
    *,
    bought: Collection[int],
    allowed: Collection[int] | None,
    limit: int,
) -> list[Pick]:
    """Up to ``limit`` movies for this profile, best first: similar ones, then the most popular to
    fill up. Never a movie in ``bought``; only movies in ``allowed`` (None: any)."""

    def fits(movie: int) -> bool:
        return movie not in bought and (allowed is None or movie in allowed)

    picks: list[Pick] = []
    known = [(movie, weight, kind) for movie, (weight, kind) in profile.items() if movie in model.index]
    if known:
        contributions = np.stack([weight * model.matrix[model.index[movie]] for movie, weight, _k in known])
        scores = contributions.sum(axis=0)
        for column in np.lexsort((np.arange(len(model.movies)), -scores)):
            if scores[column] <= 0 or len(picks) == limit:
                break
            movie = model.movies[column]
            if not fits(movie):
                continue
            best = int(np.argmax(contributions[:, column]))
            picks.append(Pick(movie, float(scores[column]), known[best][0], known[best][2]))
    chosen = {pick.movie for pick in picks}
    for movie in model.popularity:
        if len(picks) == limit:
            break
        if movie not in chosen and fits(movie):
            picks.append(Pick(movie, 0.0, None, None))
    return picks


def popular(
    model: Similarity, *, bought: Collection[int], allowed: Collection[int] | None, limit: int
) -> list[Pick]:
    """The popularity baseline: the most popular movies not bought."""
    return recommend(model, {}, bought=bought, allowed=allowed, limit=limit)
