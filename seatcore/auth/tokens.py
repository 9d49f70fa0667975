"""Signed bearer tokens (JWT, HS256) with expiry."""

from __future__ import annotations

import time
from typing import Any

import jwt

from seatcore.auth.principal import Principal
from seatcore.errors import Unauthorized

ALGORITHM = "HS256"


class TokenIssuer:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._secret = secret
        self.ttl_s = ttl_s

    def issue(self, principal: Principal, *, now_s: float | None = None) -> str:
        issued = int(now_s if now_s is not None else time.time())
        claims: dict[str, Any] = {
            "sub": str(principal.id),
            "kind": principal.kind,
            "role": principal.role,
            "iat": issued,
            "exp": issued + self.ttl_s,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired: sign in again", code="token_expired") from None
        except jwt.PyJWTError:
            raise Unauthorized("the token is not valid", code="token_invalid") from None
        kind, role, sub = claims.get("kind"), claims.get("role"), claims.get("sub")
        if kind not in ("user", "staff") or not isinstance(sub, str) or not sub.isdigit():
            raise Unauthorized("the token is not valid", code="token_invalid")
        return Principal(kind=kind, id=int(sub), role=str(role))
