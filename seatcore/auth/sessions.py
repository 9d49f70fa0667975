"""Staff sessions: a short-lived access token, renewed with a refresh token that is rotated on use.

A refresh token is an opaque random string; Redis keeps only its SHA-256 digest, pointing at the
staff member and the session (``family``) it belongs to. Each refresh consumes its token and
hands out the next one of the same session, whose idle time then starts again
(``staff_session_idle_s``). A token presented again after it was used means that a copy is in
someone else's hands: the whole session ends, so the next refresh fails for the thief and the
owner alike. Signing out ends the session too. Losing Redis only signs staff out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import redis.asyncio as aioredis

from seatcore import keys
from seatcore.errors import Unauthorized


@dataclass(frozen=True, slots=True)
class Refreshed:
    staff_id: int
    refresh_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffSessions:
    def __init__(self, redis: aioredis.Redis, idle_s: int) -> None:
        self._redis = redis
        self.idle_s = idle_s

    async def start(self, staff_id: int) -> str:
        """A new session for ``staff_id``: its first refresh token."""
        family = secrets.token_hex(16)
        await self._redis.set(keys.staff_session(family), str(staff_id), ex=self.idle_s)
        return await self._next_token(staff_id, family)

    async def refresh(self, token: str) -> Refreshed:
        """Consume ``token`` and hand out the next one of its session; Unauthorized when the token is
        unknown, used or its session has ended (a used one also ends its session)."""
        digest = _digest(token)
        held = await self._take(digest)
        if held is None:
            family = await self._redis.get(keys.used_refresh_token(digest))
            if family is not None:
                await self._redis.delete(keys.staff_session(str(family)))
            raise Unauthorized("the staff session has ended: sign in again", code="session_ended")
        staff_id_text, _, family = held.partition(":")
        # The session is renewed before the token is marked used: a refresh racing this one with
        # the same token ends the session (reuse) only once it can see the mark, by then after
        # this renewal, so of many at once exactly one wins.
        if not await self._redis.expire(keys.staff_session(family), self.idle_s):
            raise Unauthorized("the staff session has ended: sign in again", code="session_ended")
        await self._redis.set(keys.used_refresh_token(digest), family, ex=self.idle_s)
        staff_id = int(staff_id_text)
        return Refreshed(staff_id, await self._next_token(staff_id, family))

    async def end(self, token: str) -> None:
        """Sign out: the session of ``token`` ends (nothing happens for an unknown token)."""
        held = await self._take(_digest(token))
        if held is not None:
            await self._redis.delete(keys.staff_session(held.partition(":")[2]))

    async def _take(self, digest: str) -> str | None:
        """The refresh token's entry, removed in the same step: of two refreshes with one token,
        exactly one gets it."""
        held = await self._redis.getdel(keys.refresh_token(digest))
        return None if held is None else str(held)

    async def _next_token(self, staff_id: int, family: str) -> str:
        token = secrets.token_urlsafe(32)
        await self._redis.set(keys.refresh_token(_digest(token)), f"{staff_id}:{family}", ex=self.idle_s)
        return token
