"""Sign-in: moviegoers with wx.login, staff with a password and a renewable session; and who am I.

Moviegoer and staff sign-ins are limited per address in buckets of their own, so a lobby full of
moviegoers signing in cannot lock staff out of the console. Staff passwords are also limited per
account: from the fifth failure in a row, each failure doubles the wait before the next attempt
(right password or not), up to ``STAFF_MAX_WAIT_S``; and one password of an account is checked at
a time, so guesses fired together cannot slip past the backoff.

A staff sign-in answers a short-lived access token (``staff_token_ttl_s``) and sets the refresh
token as an HttpOnly cookie, readable by no script and sent only to ``/api/v1/auth/staff-session``;
the console renews its access token there (seatcore.auth.sessions).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from seatcore.api._http import Answer, Body, Endpoints
from seatcore.auth.passwords import check_password
from seatcore.auth.principal import Principal
from seatcore.errors import LoginFailed, NotFound, Unauthorized
from seatcore.orders import paydetails
from seatcore.ratelimit import check_backoff, check_rate, forget_failures, one_at_a_time, record_failure
from seatcore.runtime import Runtime
from seatcore.store import users
from seatcore.store.users import StaffMember

endpoints = Endpoints("auth")
STAFF_FREE_FAILURES = 5  # failed passwords of one account before the backoff starts
STAFF_MAX_WAIT_S = 300
STAFF_CHECK_LEASE_S = 30  # longer than any password check, even queued behind others
SESSION_PATH = "/api/v1/auth/staff-session"
SESSION_COOKIE = "seatcore_staff_session"


class WxLoginBody(Body):
    code: str = Field(min_length=1, max_length=128)


class StaffLoginBody(Body):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class UserOut(Answer):
    id: int
    kind: Literal["user", "staff"]
    role: str
    name: str
    cinema_ids: list[int] = Field(default_factory=list)


class LoginAnswer(Answer):
    token: str
    expires_in_s: int
    user: UserOut


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _client_ip(request: Request) -> str:
    """The caller's address: the connecting one, or what a trusted proxy forwarded (seatcore.security)."""
    return request.client.host if request.client else "unknown"


@endpoints.post(
    "/api/v1/auth/wx-login",
    "Sign a moviegoer in with a wx.login code",
    body=WxLoginBody,
    answer=LoginAnswer,
    errors=(401, 429, 503),
)
async def wx_login(request: Request, body: WxLoginBody) -> LoginAnswer:
    runtime = _runtime(request)
    limit = runtime.settings.wx_login_rate_per_minute
    await check_rate(runtime.redis, "wx-login", _client_ip(request), limit=limit, window_s=60)
    identity = await runtime.wx.exchange(body.code)
    user = await users.get_or_create_user(runtime.db, identity.openid, identity.nickname)
    await paydetails.keep_openid(runtime.redis, user.id, user.openid)  # pays through a MySQL outage
    runtime.accounts.seen(user.id)
    principal = Principal(kind="user", id=user.id, role="moviegoer")
    return LoginAnswer(
        token=runtime.tokens.issue(principal),
        expires_in_s=runtime.tokens.ttl_s,
        user=UserOut(id=user.id, kind="user", role="moviegoer", name=user.nickname),
    )


def _staff_answer(request: Request, member: StaffMember, refresh_token: str) -> Response:
    """The access token in the body, the refresh token in its cookie."""
    runtime = _runtime(request)
    principal = Principal(kind="staff", id=member.id, role=member.role)
    answer = LoginAnswer(
        token=runtime.tokens.issue(principal),
        expires_in_s=runtime.tokens.staff_ttl_s,
        user=UserOut(
            id=member.id,
            kind="staff",
            role=member.role,
            name=member.username,
            cinema_ids=list(member.cinema_ids),
        ),
    )
    response = Response(answer.model_dump_json(), media_type="application/json")
    response.set_cookie(
        SESSION_COOKIE,
        refresh_token,
        max_age=runtime.staff_sessions.idle_s,
        path=SESSION_PATH,
        secure=_https(request),
        httponly=True,
        samesite="strict",
    )
    return response


def _https(request: Request) -> bool:
    return request.url.scheme == "https" or _runtime(request).settings.public_url.startswith("https://")


@endpoints.post(
    "/api/v1/auth/staff-login",
    "Sign a member of cinema staff in with a password (sets the session cookie)",
    body=StaffLoginBody,
    answer=LoginAnswer,
    errors=(401, 429),
)
async def staff_login(request: Request, body: StaffLoginBody) -> Response:
    runtime = _runtime(request)
    limit = runtime.settings.staff_login_rate_per_minute
    await check_rate(runtime.redis, "staff-login", _client_ip(request), limit=limit, window_s=60)
    account = body.username.casefold()
    async with one_at_a_time(runtime.redis, "staff-password", account, lease_s=STAFF_CHECK_LEASE_S):
        await check_backoff(runtime.redis, "staff-password", account)
        member = await users.find_staff(runtime.db, username=body.username)
        # Checked for unknown names too (against a dummy hash): the time taken tells nothing.
        matches = await check_password(member.password_hash if member else None, body.password)
        if member is None or not matches:
            await record_failure(
                runtime.redis,
                "staff-password",
                account,
                free=STAFF_FREE_FAILURES,
                max_wait_s=STAFF_MAX_WAIT_S,
            )
            raise LoginFailed("wrong username or password")
        await forget_failures(runtime.redis, "staff-password", account)
    return _staff_answer(request, member, await runtime.staff_sessions.start(member.id))


@endpoints.post(
    f"{SESSION_PATH}/refresh",
    "Renew a staff access token with the session cookie (the cookie is replaced)",
    answer=LoginAnswer,
    errors=(401,),
)
async def staff_session_refresh(request: Request) -> Response:
    runtime = _runtime(request)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("no staff session: sign in", code="session_ended")
    refreshed = await runtime.staff_sessions.refresh(token)
    member = await users.find_staff(runtime.db, staff_id=refreshed.staff_id)
    if member is None:
        await runtime.staff_sessions.end(refreshed.refresh_token)
        raise Unauthorized("this staff account no longer exists", code="session_ended")
    return _staff_answer(request, member, refreshed.refresh_token)


@endpoints.delete(SESSION_PATH, "Sign staff out: the session ends and its cookie is cleared", status=204)
async def staff_session_end(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await _runtime(request).staff_sessions.end(token)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path=SESSION_PATH, secure=_https(request), httponly=True, samesite="strict"
    )
    return response


@endpoints.get("/api/v1/me", "Who the token belongs to", auth="any", answer=UserOut, errors=(401,))
async def me(request: Request, principal: Principal) -> UserOut:
    runtime = _runtime(request)
    if principal.kind == "user":
        user = await users.get_user(runtime.db, principal.id)
        if user is None:
            raise NotFound("this account no longer exists")
        return UserOut(id=user.id, kind="user", role="moviegoer", name=user.nickname)
    member = await users.find_staff(runtime.db, staff_id=principal.id)
    if member is None:
        raise NotFound("this account no longer exists")
    return UserOut(
        id=member.id,
        kind="staff",
        role=member.role,
        name=member.username,
        cinema_ids=list(member.cinema_ids),
    )
