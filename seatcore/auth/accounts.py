"""Whether a signed-in moviegoer's account still exists.

A token stays valid until it expires, but the account behind it may be removed before that. Every
authenticated moviegoer request checks the account, as staff requests do (seatcore.api.staff),
without putting MySQL on the hold path:

- an account this process has seen (signed in here, or checked) is believed for
  ``ACCOUNT_CHECK_S``; after that the request is answered at once and the account is checked again
  in the background, so a removed account is refused from its next request on;
- an account never seen here is checked before the request goes on, and refused if it is gone;
- while the database cannot answer, a validly signed token is believed: holds, orders and payments
  go on through a MySQL outage (docs/orders.md), and the checks resume when it is back.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.errors import Unauthorized
from seatcore.store import users

ACCOUNT_CHECK_S = 5.0
CHECKED_CACHE_SIZE = 50_000
_DATABASE_AWAY = (OperationalError, InterfaceError, PoolTimeoutError, OSError, TimeoutError)


class LiveAccounts:
    def __init__(self, db: AsyncEngine, check_s: float = ACCOUNT_CHECK_S) -> None:
        self._db = db
        self._check_s = check_s
        self._checked: OrderedDict[int, float] = OrderedDict()  # user id -> monotonic time to recheck
        self._rechecks: dict[int, asyncio.Task[None]] = {}

    def seen(self, user_id: int) -> None:
        """The account exists now (it has just signed in)."""
        self._checked[user_id] = time.monotonic() + self._check_s
        self._checked.move_to_end(user_id)
        if len(self._checked) > CHECKED_CACHE_SIZE:
            self._checked.popitem(last=False)

    async def require_user(self, user_id: int) -> None:
        """Return when the moviegoer may go on; Unauthorized ``token_invalid`` when the account is
        known to be gone."""
        due = self._checked.get(user_id)
        if due is None:
            exists = await self._exists(user_id)
            if exists is False:
                raise Unauthorized("this account no longer exists: sign in again", code="token_invalid")
            if exists:
                self.seen(user_id)
        elif time.monotonic() >= due and user_id not in self._rechecks:
            task = asyncio.create_task(self._recheck(user_id))
            self._rechecks[user_id] = task
            task.add_done_callback(lambda _: self._rechecks.pop(user_id, None))

    async def _recheck(self, user_id: int) -> None:
        if await self._exists(user_id) is False:
            self._checked.pop(user_id, None)  # its next request is checked first, and refused
        else:
            self.seen(user_id)  # there, or the database cannot say: believed for another while

    async def _exists(self, user_id: int) -> bool | None:
        """Whether the account exists; None while the database cannot answer."""
        try:
            return await users.get_user(self._db, user_id) is not None
        except _DATABASE_AWAY:
            return None
