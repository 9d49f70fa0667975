"""Staff sessions: a short access token, a refresh token in an HttpOnly cookie, rotated on every
use, ended by signing out or by the reuse of a used token."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import delete
from starlette.applications import Starlette

from seatcore import keys
from seatcore.api.auth import SESSION_COOKIE, SESSION_PATH
from seatcore.auth.passwords import hash_password
from seatcore.auth.sessions import Refreshed, StaffSessions
from seatcore.db.schema import staff
from seatcore.errors import Unauthorized
from seatcore.store.users import create_staff
from tests.conftest import TEST_SECRET
from tests.test_auth import assert_error

PASSWORD = "session-pass-1"
REFRESH = f"{SESSION_PATH}/refresh"
RACERS = 20


@pytest.fixture
async def staff_id(app: Starlette) -> int:
    return await create_staff(app.state.runtime.db, "mona", hash_password(PASSWORD), "staff")


async def _sign_in(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.post("/api/v1/auth/staff-login", json={"username": "mona", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response


def _cookie(client: httpx.AsyncClient) -> str:
    value = client.cookies.get(SESSION_COOKIE, path=SESSION_PATH)
    assert value
    return value


def _with_cookie(client: httpx.AsyncClient, value: str) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value, domain="testserver.local", path=SESSION_PATH)


async def test_sign_in_gives_a_short_token_and_an_httponly_cookie(
    client: httpx.AsyncClient, staff_id: int
) -> None:
    response = await _sign_in(client)
    body = response.json()
    assert body["expires_in_s"] == 900
    claims = jwt.decode(body["token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 900 and claims["kind"] == "staff"
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}=")
    for attribute in ("HttpOnly", f"Path={SESSION_PATH}", "SameSite=strict", "Max-Age=43200"):
        assert attribute in set_cookie, set_cookie
    assert "Secure" not in set_cookie  # plain HTTP in the test; HTTPS or an https public_url sets it
    assert "refresh" not in body  # no script ever sees the refresh token


async def test_a_refresh_renews_the_token_and_rotates_the_cookie(
    client: httpx.AsyncClient, staff_id: int
) -> None:
    await _sign_in(client)
    first = _cookie(client)
    renewed = await client.post(REFRESH)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["user"]["id"] == staff_id and renewed.json()["user"]["name"] == "mona"
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {renewed.json()['token']}"})
    assert me.json()["kind"] == "staff"
    second = _cookie(client)
    assert second != first
    assert (await client.post(REFRESH)).status_code == 200


async def test_a_used_refresh_token_ends_the_whole_session(client: httpx.AsyncClient, staff_id: int) -> None:
    await _sign_in(client)
    stolen = _cookie(client)
    assert (await client.post(REFRESH)).status_code == 200  # the owner renews: `stolen` is used
    current = _cookie(client)
    _with_cookie(client, stolen)
    assert_error(await client.post(REFRESH), 401, "session_ended")
    _with_cookie(client, current)  # the newer token went down with its session
    assert_error(await client.post(REFRESH), 401, "session_ended")


async def test_signing_out_ends_the_session(client: httpx.AsyncClient, staff_id: int) -> None:
    await _sign_in(client)
    cookie = _cookie(client)
    out = await client.delete(SESSION_PATH)
    assert out.status_code == 204
    assert f'{SESSION_COOKIE}=""' in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    _with_cookie(client, cookie)
    assert_error(await client.post(REFRESH), 401, "session_ended")


async def test_no_or_a_made_up_cookie_is_refused(client: httpx.AsyncClient, staff_id: int) -> None:
    assert_error(await client.post(REFRESH), 401, "session_ended")
    _with_cookie(client, "made-up")
    assert_error(await client.post(REFRESH), 401, "session_ended")


async def test_a_removed_account_cannot_refresh(
    client: httpx.AsyncClient, app: Starlette, staff_id: int
) -> None:
    await _sign_in(client)
    async with app.state.runtime.db.begin() as conn:
        await conn.execute(delete(staff).where(staff.c.id == staff_id))
    assert_error(await client.post(REFRESH), 401, "session_ended")


async def test_the_session_ends_after_its_idle_time(
    client: httpx.AsyncClient, app: Starlette, staff_id: int
) -> None:
    await _sign_in(client)
    redis = app.state.runtime.redis
    for key in await redis.keys("sc:auth:session:*"):
        await redis.delete(key)  # what its TTL does after staff_session_idle_s without a refresh
    assert_error(await client.post(REFRESH), 401, "session_ended")


async def _refresh_together(sessions: StaffSessions, token: str) -> list[Refreshed]:
    answers = await asyncio.gather(*(sessions.refresh(token) for _ in range(RACERS)), return_exceptions=True)
    assert all(isinstance(a, Refreshed | Unauthorized) for a in answers), answers
    return [a for a in answers if isinstance(a, Refreshed)]


async def test_of_many_refreshes_with_one_token_one_gets_the_next(app: Starlette, staff_id: int) -> None:
    sessions: StaffSessions = app.state.runtime.staff_sessions
    winners = await _refresh_together(sessions, await sessions.start(staff_id))
    assert len(winners) == 1


async def test_control_a_refresh_that_reads_and_then_deletes_lets_several_win(
    app: Starlette, staff_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race above would be caught: with the entry read and removed in two steps, several
    refreshes get a next token from one refresh token."""
    sessions: StaffSessions = app.state.runtime.staff_sessions
    redis = app.state.runtime.redis

    async def read_then_delete(digest: str) -> str | None:
        held = await redis.get(keys.refresh_token(digest))
        await asyncio.sleep(0.01)
        await redis.delete(keys.refresh_token(digest))
        return None if held is None else str(held)

    monkeypatch.setattr(sessions, "_take", read_then_delete)
    winners = await _refresh_together(sessions, await sessions.start(staff_id))
    assert len(winners) > 1


async def test_a_slow_renewal_still_leaves_one_winner(
    app: Starlette, staff_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The winner's steps after taking the token, slowed down as a loaded machine does: the losers,
    seeing the token gone, must not end the session the winner is renewing (they did, when the
    token was marked used before the renewal: no winner at all)."""
    sessions: StaffSessions = app.state.runtime.staff_sessions
    redis = app.state.runtime.redis
    expire = redis.expire

    async def slow_expire(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.05)
        return await expire(*args, **kwargs)

    token = await sessions.start(staff_id)
    monkeypatch.setattr(redis, "expire", slow_expire)
    winners = await _refresh_together(sessions, token)
    assert len(winners) == 1
