"""Synthetic moviegoers with taste clusters, for the demo (seatcore.demo.growth) and the offline
recommendation benchmark (loadtests.bench_recommend). Pure and seeded: the same arguments give the
same people doing the same things, which keeps the demo idempotent and the benchmark repeatable.

Each moviegoer has one taste (a set of genres). Over the days they open seat maps, mark movies they
want to see and buy tickets, mostly (``LOYALTY``) for movies of their taste, and each movie is
picked with a weight that favours the popular ones, as in life. A purchase follows a seat map.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

TASTES: dict[str, frozenset[str]] = {
    "sci-fi": frozenset({"sci-fi", "adventure", "fantasy"}),
    "suspense": frozenset({"thriller", "mystery", "crime"}),
    "feel-good": frozenset({"comedy", "family", "animation", "romance"}),
    "drama": frozenset({"drama", "romance", "sports", "history", "documentary"}),
}
LOYALTY = 0.85  # share of a moviegoer's interest that goes to movies of their taste
VIEWED, WANT, BOUGHT = "viewed", "want", "bought"


@dataclass(frozen=True, slots=True)
class Act:
    day: int  # days before the last day (0 = the last day)
    minute: int  # of the day, local
    kind: str  # viewed | want | bought
    movie_id: int


@dataclass(frozen=True, slots=True)
class Moviegoer:
    number: int
    taste: str
    acts: tuple[Act, ...]  # oldest first


def moviegoers(
    movies: Sequence[tuple[int, Sequence[str]]], count: int, *, days: int = 30, seed: int = 17
) -> list[Moviegoer]:
    """``count`` moviegoers over ``days`` days; ``movies`` as (id, genres)."""
    rng = random.Random(seed)
    ids = [movie_id for movie_id, _ in movies]
    # A fixed popularity per movie (a long tail), the same for everyone.
    appeal = {movie_id: 1.0 / (rank + 1) ** 0.7 for rank, movie_id in enumerate(rng.sample(ids, len(ids)))}
    tastes = sorted(TASTES)
    out = []
    for number in range(count):
        taste = tastes[number % len(tastes)]
        liked = [m for m, genres in movies if TASTES[taste] & set(genres)] or ids
        other = [m for m in ids if m not in liked] or ids
        acts: list[Act] = []
        for _ in range(rng.randint(4, 12)):
            pool = liked if rng.random() < LOYALTY else other
            movie = rng.choices(pool, weights=[appeal[m] for m in pool])[0]
            day = rng.randrange(days)
            minute = rng.randrange(9 * 60, 23 * 60)
            roll = rng.random()
            if roll < 0.25:
                acts.append(Act(day, minute, WANT, movie))
            else:
                acts.append(Act(day, minute, VIEWED, movie))
                if roll > 0.6:
                    acts.append(Act(day, minute + rng.randint(2, 20), BOUGHT, movie))
        acts.sort(key=lambda act: (-act.day, act.minute))
        out.append(Moviegoer(number, taste, tuple(acts)))
    return out
