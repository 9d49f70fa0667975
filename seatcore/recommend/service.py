"""The recommender in the app: the model rebuilt every ``REBUILD_EVERY_S`` (and at start) from the
favourites and purchases in MySQL and the seat maps viewed in the event store, kept in memory per
process (``runtime.extras["recommender"]``); a caller's own favourites and purchases are read live,
so a purchase a minute ago is never recommended back.

The model is small (movies x movies); rebuilding it reads every interaction, which takes a few
seconds at most for a large chain, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from seatcore.analytics.store import EventStore
from seatcore.domain.analytics import ORDER_PAID
from seatcore.domain.recommend import (
    BOUGHT,
    VIEWED,
    WEIGHTS,
    Interaction,
    Pick,
    Profile,
    Similarity,
    profiles,
    recommend,
    similarity,
)
from seatcore.runtime import Runtime
from seatcore.store import catalogue
from seatcore.store import recommend as store
from seatcore.store.catalogue import Movie
from seatcore.tasks import stop_tasks

log = logging.getLogger(__name__)

REBUILD_EVERY_S = 600.0
EVENT_DAYS = 90  # seat maps viewed and purchases older than this no longer say much about taste
STOP_GRACE_S = 5.0
MAX_MOVIES = 1000
EXTRAS_KEY = "recommender"

VIEWS_SQL = (
    "SELECT user_id, movie_id, name FROM events WHERE day >= ? AND user_id IS NOT NULL "
    "AND movie_id IS NOT NULL AND name IN ('seatmap_opened', ?)"
)


@dataclass(frozen=True, slots=True)
class Model:
    similarity: Similarity
    profiles: dict[int, Profile]
    built_at: dt.datetime


def _event_interactions(events: EventStore | None) -> list[Interaction]:
    if events is None:
        return []
    since = dt.date.today() - dt.timedelta(days=EVENT_DAYS)
    rows = events.query(VIEWS_SQL, [since, ORDER_PAID])
    return [(int(u), int(m), BOUGHT if name == ORDER_PAID else VIEWED) for u, m, name in rows]


async def build(runtime: Runtime) -> Model:
    found = await store.interactions(runtime.db)
    events = runtime.extras.get("analytics_store")
    found.extend(
        await asyncio.to_thread(_event_interactions, events if isinstance(events, EventStore) else None)
    )
    known = profiles(found)
    model = Model(await asyncio.to_thread(similarity, known), known, dt.datetime.now(dt.UTC))
    runtime.extras[EXTRAS_KEY] = model
    return model


async def model_of(runtime: Runtime) -> Model:
    """The process's model, built now if it was not yet (the first request after start)."""
    model = runtime.extras.get(EXTRAS_KEY)
    if isinstance(model, Model):
        return model
    lock = runtime.extras.setdefault("recommender_lock", asyncio.Lock())
    async with lock:
        model = runtime.extras.get(EXTRAS_KEY)
        return model if isinstance(model, Model) else await build(runtime)


async def for_caller(
    runtime: Runtime, user_id: int | None, limit: int
) -> tuple[list[Pick], dict[int, Movie]]:
    """Picks for a moviegoer (None: anonymous, the popularity ranking), current movies only, with
    the current movies by id."""
    model = await model_of(runtime)
    current = {
        movie.id: movie
        for status in ("showing", "coming")
        for movie in await catalogue.list_movies(runtime.db, status=status, limit=MAX_MOVIES)
    }
    profile: Profile = {}
    bought: set[int] = set()
    if user_id is not None:
        profile = dict(model.profiles.get(user_id, {}))
        for _user, movie, kind in await store.interactions(runtime.db, user_id):
            if kind == BOUGHT:
                bought.add(movie)
            if movie not in profile:
                profile[movie] = (WEIGHTS[kind], kind)
        bought.update(movie for movie, (_w, kind) in profile.items() if kind == BOUGHT)
    return recommend(model.similarity, profile, bought=bought, allowed=set(current), limit=limit), current


async def _rebuild_forever(runtime: Runtime, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            await build(runtime)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("recommendations could not be rebuilt, keeping the last model: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), REBUILD_EVERY_S)


@contextlib.asynccontextmanager
async def recommend_service(runtime: Runtime) -> AsyncIterator[None]:
    stopping = asyncio.Event()
    task = asyncio.create_task(_rebuild_forever(runtime, stopping), name="recommend-rebuild")
    try:
        yield
    finally:
        stopping.set()
        await stop_tasks([task], STOP_GRACE_S)
