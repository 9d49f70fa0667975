"""Who is admitted when: pure rules of a waiting room's line.

Fans who arrive before the opening get a random place among themselves at the opening (a score
drawn in [0, 1), so arriving early with many devices does not help); later arrivals queue behind
them in arrival order (scores 1, 2, 3, ...). From the opening on, ``per_minute`` fans are
admitted a minute, the first second's share at once: the fan at place ``p`` (0-based) is admitted
once ``admitted_by(now) > p``. Admission needs no worker: it is a function of the clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MINUTE_MS = 60_000
FIRST_BATCH_MS = 1_000  # the share of the first second goes in at the opening


@dataclass(frozen=True, slots=True)
class RoomRules:
    opens_at_ms: int
    per_minute: int  # admissions a minute (>= 1)
    window_s: int  # how long an admission token lets a fan shop

    def admitted_by(self, now_ms: int) -> int:
        """How many places have been admitted by ``now_ms``."""
        if now_ms < self.opens_at_ms:
            return 0
        return math.floor((now_ms - self.opens_at_ms + FIRST_BATCH_MS) * self.per_minute / MINUTE_MS)

    def wait_s(self, place: int, now_ms: int) -> int:
        """About how long until ``place`` is admitted (0 once it is)."""
        if place < self.admitted_by(now_ms):
            return 0
        due_ms = self.opens_at_ms + math.ceil((place + 1) * MINUTE_MS / self.per_minute) - FIRST_BATCH_MS
        return max(0, math.ceil((due_ms - now_ms) / 1000))
