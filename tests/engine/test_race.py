"""Race tests: 200 moviegoers fight for the same 10 seats through the HTTP API at once; every seat
ends in exactly one hold and the snapshot agrees. The control runs the same race against a
deliberately non-atomic check-then-set and shows that the checker catches the double hold."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
import redis.asyncio as aioredis
from starlette.applications import Starlette

from seatcore.domain.layout import grid_layout
from seatcore.engine.service import SeatEngine
from tests.conftest import Login
from tests.factories import make_show

USERS = 200
SEATS = [f"A-{n}" for n in range(1, 11)]
# Pairs and fours that start on an odd seat: overlapping, all-or-nothing claims that never strand a
# seat, so every seat ends up held by exactly one of the winners.
WINDOWS = [SEATS[start : start + size] for size in (2, 4) for start in range(0, 10 - size + 1, 2)]


@dataclass(frozen=True)
class Claim:
    user: int
    hold_id: str
    seats: tuple[str, ...]


Attempt = Callable[[int], Awaitable[Claim | None]]


async def race(attempt: Attempt) -> list[Claim]:
    """Every user tries at once; returns the claims that were granted."""
    results = await asyncio.gather(*(attempt(user) for user in range(USERS)))
    return [claim for claim in results if claim is not None]


def check_race(claims: list[Claim], holders: dict[str, str]) -> None:
    """No seat in two granted claims, every seat held, and the final state names the winners."""
    owner: dict[str, str] = {}
    for claim in claims:
        for seat in claim.seats:
            if seat in owner:
                raise AssertionError(f"seat {seat} held twice: by {owner[seat]} and {claim.hold_id}")
            owner[seat] = claim.hold_id
    assert sorted(owner) == sorted(SEATS), "every seat should have been won"
    assert holders == owner, "the final state disagrees with the granted holds"


async def test_200_users_fight_for_10_seats(app: Starlette, client: httpx.AsyncClient, login: Login) -> None:
    runtime = app.state.runtime  # 200 sign-ins from one test address
    runtime.settings = runtime.settings.model_copy(update={"wx_login_rate_per_minute": USERS + 10})
    show = await make_show(app.state.runtime.db, layout=grid_layout(1, 10))
    tokens = [await login(f"racer{user}") for user in range(USERS)]
    refusals: list[tuple[int, str]] = []

    async def attempt(user: int) -> Claim | None:
        seats = WINDOWS[user % len(WINDOWS)]
        response = await client.post(
            f"/api/v1/showtimes/{show.showtime_id}/holds", json={"seats": seats}, headers=tokens[user]
        )
        if response.status_code == 201:
            return Claim(user, response.json()["id"], tuple(response.json()["seats"]))
        refusals.append((response.status_code, response.json()["error"]["code"]))
        return None

    claims = await race(attempt)
    engine: SeatEngine = app.state.runtime.extras["seats"]
    snapshot = await engine.snapshot(show.showtime_id, None)
    check_race(claims, snapshot.holders)
    assert set(refusals) == {(409, "seat_unavailable")}
    assert len(claims) + len(refusals) == USERS
    assert snapshot.seq == len(claims)  # one change per granted hold, nothing else


class CheckThenSetHolds:
    """Deliberately broken holds: read the seats, yield, then write them. Two callers can both
    read "free" before either writes, which is the race the Lua scripts exist to prevent."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self.prefix = f"race-control:{secrets.token_hex(4)}:"

    async def hold(self, user: int, seats: list[str]) -> Claim | None:
        seat_keys = [self.prefix + seat for seat in seats]
        if any(await self.redis.mget(seat_keys)):
            return None
        await asyncio.sleep(0.001)  # any await between the check and the write opens the race
        hold_id = f"naive-{user}"
        await self.redis.mset(dict.fromkeys(seat_keys, hold_id))
        return Claim(user, hold_id, tuple(seats))

    async def holders(self) -> dict[str, str]:
        values = await self.redis.mget([self.prefix + seat for seat in SEATS])
        return {seat: str(value) for seat, value in zip(SEATS, values, strict=True) if value is not None}


async def test_control_the_checker_catches_a_non_atomic_hold(redis_url: str) -> None:
    pool = aioredis.BlockingConnectionPool.from_url(redis_url, max_connections=50, decode_responses=True)
    redis = aioredis.Redis.from_pool(pool)
    try:
        naive = CheckThenSetHolds(redis)
        claims = await race(lambda user: naive.hold(user, WINDOWS[user % len(WINDOWS)]))
        holders = await naive.holders()
        await redis.delete(*[naive.prefix + seat for seat in SEATS])
    finally:
        await redis.aclose()
    with pytest.raises(AssertionError, match="held twice"):
        check_race(claims, holders)
