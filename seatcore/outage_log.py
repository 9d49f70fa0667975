"""One log line per outage for a background loop that retries, not one per try.

A loop that retries every second through a Redis or MySQL outage would otherwise log a traceback
a second. ``OutageLog`` logs one error line when an outage starts (with a traceback only when the
failure is not a dependency being away: that is a bug worth reading), a warning with the count
every ``remind_every_s`` while it lasts, and one line with the count when the loop works again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError

from seatcore.errors import UpstreamUnavailable

REMIND_EVERY_S = 60.0

# A dependency away (Redis, MySQL, the network): the message says it all, a traceback adds nothing.
DEPENDENCY_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    DBAPIError,
    OSError,
    UpstreamUnavailable,
)


class OutageLog:
    def __init__(
        self,
        log: logging.Logger,
        what: str,
        *,
        remind_every_s: float = REMIND_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self.what = what
        self.remind_every_s = remind_every_s
        self._clock = clock
        self.failures = 0
        self._since = 0.0
        self._reminded = 0.0

    def failed(self, exc: BaseException) -> None:
        """One failed try: logged if it starts an outage (or a reminder is due), else only counted."""
        now = self._clock()
        self.failures += 1
        if self.failures == 1:
            self._since = self._reminded = now
            known = isinstance(exc, DEPENDENCY_ERRORS)
            self._log.error(
                "%s is failing, retrying (one line when it recovers): %s",
                self.what,
                _describe(exc),
                exc_info=None if known else exc,
            )
        elif now - self._reminded >= self.remind_every_s:
            self._reminded = now
            self._log.warning(
                "%s still failing: %d failed tries over %.0f s, the last: %s",
                self.what,
                self.failures,
                now - self._since,
                _describe(exc),
            )

    def succeeded(self) -> None:
        """A try that worked: ends the outage, if there was one, with its count."""
        if self.failures:
            self._log.warning(
                "%s recovered after %d failed tries over %.0f s",
                self.what,
                self.failures,
                self._clock() - self._since,
            )
        self.failures = 0


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
