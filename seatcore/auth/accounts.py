"""Whether a signed-in moviegoer's account still exists.

A token stays valid until it expires, but the account behind it may be removed before that. Every
authenticated moviegoer request checks the account, as staff requests do (seatcore.api.staff); a
check that passed is remembered in this process for ``ACCOUNT_CHECK_S`` seconds (a bounded LRU),
so the hold path pays a dictionary look-up, not a query, and a removed account is refused everywhere
within those seconds.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.errors import Unauthorized
from seatcore.store import users

ACCOUNT_CHECK_S = 5.0
CHECKED_CACHE_SIZE = 50_000


class LiveAccounts:
    def __init__(self, db: AsyncEngine, check_s: float = ACCOUNT_CHECK_S) -> None:
        self._db = db
        self._check_s = check_s
        self._checked: OrderedDict[int, float] = OrderedDict()  # user id -> monotonic deadline

    async def require_user(self, user_id: int) -> None:
        """Return when the moviegoer exists; Unauthorized ``token_invalid`` when it does not."""
        deadline = self._checked.get(user_id)
        now = time.monotonic()
        if deadline is not None and now < deadline:
            return
        if await users.get_user(self._db, user_id) is None:
            self._checked.pop(user_id, None)
            raise Unauthorized("this account no longer exists: sign in again", code="token_invalid")
        self._checked[user_id] = now + self._check_s
        self._checked.move_to_end(user_id)
        if len(self._checked) > CHECKED_CACHE_SIZE:
            self._checked.popitem(last=False)
