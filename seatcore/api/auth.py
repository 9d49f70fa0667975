"""Sign-in: moviegoers with wx.login, staff with a password; and who am I."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Body, Endpoints
from seatcore.auth.passwords import verify_password
from seatcore.auth.principal import Principal
from seatcore.errors import LoginFailed, NotFound
from seatcore.orders import paydetails
from seatcore.ratelimit import check_rate
from seatcore.runtime import Runtime
from seatcore.store import users

endpoints = Endpoints("auth")
LOGINS_PER_MINUTE = 20


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


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@endpoints.post(
    "/api/v1/auth/wx-login",
    "Sign a moviegoer in with a wx.login code",
    body=WxLoginBody,
    answer=LoginAnswer,
    errors=(401, 429, 503),
)
async def wx_login(request: Request, body: WxLoginBody) -> LoginAnswer:
    runtime: Runtime = request.app.state.runtime
    await check_rate(runtime.redis, "login", _client_ip(request), limit=LOGINS_PER_MINUTE, window_s=60)
    identity = await runtime.wx.exchange(body.code)
    user = await users.get_or_create_user(runtime.db, identity.openid, identity.nickname)
    await paydetails.keep_openid(runtime.redis, user.id, user.openid)  # pays through a MySQL outage
    principal = Principal(kind="user", id=user.id, role="moviegoer")
    return LoginAnswer(
        token=runtime.tokens.issue(principal),
        expires_in_s=runtime.tokens.ttl_s,
        user=UserOut(id=user.id, kind="user", role="moviegoer", name=user.nickname),
    )


@endpoints.post(
    "/api/v1/auth/staff-login",
    "Sign a member of cinema staff in with a password",
    body=StaffLoginBody,
    answer=LoginAnswer,
    errors=(401, 429),
)
async def staff_login(request: Request, body: StaffLoginBody) -> LoginAnswer:
    runtime: Runtime = request.app.state.runtime
    await check_rate(runtime.redis, "login", _client_ip(request), limit=LOGINS_PER_MINUTE, window_s=60)
    member = await users.find_staff(runtime.db, username=body.username)
    if member is None or not verify_password(member.password_hash, body.password):
        raise LoginFailed("wrong username or password")
    principal = Principal(kind="staff", id=member.id, role=member.role)
    return LoginAnswer(
        token=runtime.tokens.issue(principal),
        expires_in_s=runtime.tokens.ttl_s,
        user=UserOut(
            id=member.id,
            kind="staff",
            role=member.role,
            name=member.username,
            cinema_ids=list(member.cinema_ids),
        ),
    )


@endpoints.get("/api/v1/me", "Who the token belongs to", auth="any", answer=UserOut, errors=(401,))
async def me(request: Request, principal: Principal) -> UserOut:
    runtime: Runtime = request.app.state.runtime
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
