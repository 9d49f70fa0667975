"""Recommendations: two moviegoers of different taste clusters get different movies, explained, and
never a movie they bought; anonymous callers get the popularity ranking. The pure model is checked on
the demo's synthetic moviegoers too."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import insert
from starlette.applications import Starlette

from seatcore.db.schema import favourites, orders, users
from seatcore.demo.films import FILMS
from seatcore.demo.moviegoers import BOUGHT, moviegoers
from seatcore.domain.recommend import profiles, recommend, similarity
from seatcore.recommend.service import build
from seatcore.store._time import utcnow
from tests.factories import make_movie, make_show


async def sign_in(client: httpx.AsyncClient, name: str) -> tuple[int, dict[str, str]]:
    answer = await client.post("/api/v1/auth/wx-login", json={"code": f"dev-{name}"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return int(body["user"]["id"]), {"Authorization": f"Bearer {body['token']}"}


async def picks(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    answer = await client.get("/api/v1/recommendations", params={"limit": 4}, headers=headers or {})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_two_taste_clusters_get_different_explained_picks_never_bought(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    db = app.state.runtime.db
    space = [await make_movie(db, f"Space {i}", genres="sci-fi") for i in range(3)]
    love = [await make_movie(db, f"Love {i}", genres="romance") for i in range(3)]
    blockbuster = await make_movie(db, "Blockbuster", genres="action")
    now = utcnow()
    async with db.begin() as conn:
        # 30 fans of each cluster want all three of its movies; everyone wants the blockbuster.
        for i in range(60):
            user_id = (await conn.execute(insert(users).values(openid=f"fan-{i}", created_at=now))).lastrowid
            cluster = space if i < 30 else love
            for movie_id in (*cluster, blockbuster):
                await conn.execute(
                    insert(favourites).values(user_id=user_id, movie_id=movie_id, created_at=now)
                )
    alice_id, alice = await sign_in(client, "alice")
    bob_id, bob = await sign_in(client, "bob")
    show = await make_show(db, movie_id=space[0])
    async with db.begin() as conn:
        # Alice bought tickets for Space 0 and wants Space 1; Bob wants Love 0.
        await conn.execute(
            insert(orders).values(
                id="o-alice-1",
                user_id=alice_id,
                showtime_id=show.showtime_id,
                hold_id="h",
                status="ticketed",
                amount_fen=4500,
                seat_count=1,
                created_at=now,
                paid_at=now,
                updated_at=now,
            )
        )
        await conn.execute(insert(favourites).values(user_id=alice_id, movie_id=space[1], created_at=now))
        await conn.execute(insert(favourites).values(user_id=bob_id, movie_id=love[0], created_at=now))
    await build(app.state.runtime)

    for_alice = await picks(client, alice)
    for_bob = await picks(client, bob)
    alice_ids = [item["id"] for item in for_alice]
    bob_ids = [item["id"] for item in for_bob]
    assert space[0] not in alice_ids  # bought
    assert alice_ids[0] == space[2]
    assert for_alice[0]["basis"] == "similar" and for_alice[0]["reason"] in (
        "因为你想看《Space 1》",
        "因为你看过《Space 0》",
    )
    assert set(bob_ids[:2]) == {love[1], love[2]}
    assert for_bob[0]["reason"] == "因为你想看《Love 0》"
    assert alice_ids[:2] != bob_ids[:2]
    # Anonymous: the most popular first, no reasons.
    anonymous = await picks(client)
    assert anonymous[0]["id"] == blockbuster and anonymous[0]["basis"] == "popular"
    assert all(item["reason"] is None for item in anonymous)
    # A purchase made after the model was built is excluded at once (read live).
    show2 = await make_show(db, movie_id=space[2])
    async with db.begin() as conn:
        await conn.execute(
            insert(orders).values(
                id="o-alice-2",
                user_id=alice_id,
                showtime_id=show2.showtime_id,
                hold_id="h2",
                status="paid",
                amount_fen=4500,
                seat_count=1,
                created_at=now,
                paid_at=now,
                updated_at=now,
            )
        )
    assert space[2] not in [item["id"] for item in await picks(client, alice)]
    bad = await client.get("/api/v1/recommendations", params={"limit": 500})
    assert bad.status_code == 422


def test_synthetic_clusters_get_their_own_movies_and_never_what_they_bought() -> None:
    movies = [(i + 1, film.genres) for i, film in enumerate(FILMS)]
    people = moviegoers(movies, 2000)
    interactions = [(p.number, act.movie_id, act.kind) for p in people for act in p.acts]
    known = profiles(interactions)
    model = similarity(known)
    for person in people[:200]:
        mine = known[person.number]
        bought = {movie for movie, (_w, kind) in mine.items() if kind == BOUGHT}
        found = recommend(model, mine, bought=bought, allowed=None, limit=5)
        assert not bought & {pick.movie for pick in found}
        assert all(pick.because in mine for pick in found if pick.because is not None)
    by_taste: dict[str, set[int]] = {}
    for person in people[:400]:
        top = recommend(model, known[person.number], bought=set(), allowed=None, limit=1)[0]
        by_taste.setdefault(person.taste, set()).add(top.movie)
    assert len({frozenset(tops) for tops in by_taste.values()}) > 1
