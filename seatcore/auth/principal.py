"""Who is calling: a moviegoer or a member of staff, read from the bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from seatcore.runtime import Runtime

Kind = Literal["user", "staff"]
ROLES = ("moviegoer", "staff", "admin")


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Kind
    id: int
    role: str  # moviegoer | staff | admin


def bearer_token(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if conn.scope["type"] == "websocket":
        return conn.query_params.get("token") or None
    return None


def authenticate(conn: HTTPConnection) -> Principal | None:
    """The caller, or None when no token was sent; a bad token raises Unauthorized."""
    token = bearer_token(conn)
    if token is None:
        return None
    runtime: Runtime = conn.app.state.runtime
    return runtime.tokens.verify(token)


async def authenticated(conn: HTTPConnection) -> Principal | None:
    """``authenticate``, and for a moviegoer a check that the account still exists
    (seatcore.auth.accounts): a removed moviegoer's token is refused with 401 ``token_invalid``."""
    principal = authenticate(conn)
    if principal is not None and principal.kind == "user":
        runtime: Runtime = conn.app.state.runtime
        await runtime.accounts.require_user(principal.id)
    return principal
