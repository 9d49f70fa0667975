"""Signed bearer tokens (JWT, HS256) with expiry: long for moviegoers (the mini-program keeps
one), short for staff, whose console renews its token with a refresh token (seatcore.auth.sessions).

Verified tokens are remembered (bounded LRU, keyed by the exact token text) until they expire:
checking a JWT signature costs more than the rest of a hold request's Python work, and a
moviegoer sends the same token many times. A forged token never enters the cache.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import jwt

from seatcore.auth.principal import Principal
from seatcore.errors import Unauthorized

ALGORITHM = "HS256"
VERIFIED_CACHE_SIZE = 10_000


class TokenIssuer:
    def __init__(self, secret: str, ttl_s: int, *, staff_ttl_s: int | None = None) -> None:
        self._secret = secret
        self.ttl_s = ttl_s
        self.staff_ttl_s = ttl_s if staff_ttl_s is None else staff_ttl_s
        self._verified: OrderedDict[str, tuple[Principal, int]] = OrderedDict()

    def ttl_for(self, principal: Principal) -> int:
        return self.staff_ttl_s if principal.kind == "staff" else self.ttl_s

    def issue(self, principal: Principal, *, now_s: float | None = None) -> str:
        issued = int(now_s if now_s is not None else time.time())
        claims: dict[str, Any] = {
            "sub": str(principal.id),
            "kind": principal.kind,
            "role": principal.role,
            "iat": issued,
            "exp": issued + self.ttl_for(principal),
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            principal, expires_s = cached
            if time.time() < expires_s:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal, expires_s = self._decode(token)
        self._verified[token] = (principal, expires_s)
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    def _decode(self, token: str) -> tuple[Principal, int]:
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
        return Principal(kind=kind, id=int(sub), role=str(role)), int(claims["exp"])
