"""Who is admitted when: pure rules of a waiting room's line.

Fans who arrive before the opening get a random place among themselves at the opening (a score
drawn in [0, 1), so arriving early with many devices does not help); later arrivals queue behind
them in arrival order (scores 1, 2, 3, ...).

From the opening, the front of the line is admitted while two dials allow it:

- the rate: ``per_minute`` admissions a minute, the first second's share at once; by ``now`` the
  clock allows ``allowance(now)`` admissions in all. Allowance left unused (the line was empty
  or the cap was full) is not kept, so a cap that frees many slots at once lets the next fans in
  at the rate, not in a burst above it;
- the cap: at most ``cap`` fans shopping at once. A fan shops from their admission until their
  window ends, they buy or they leave; the next fan goes in when a slot frees.

Either dial may be off (0), not both. Places in line are numbered: a fan's ``number`` is the
count of places taken off the front before theirs, so with ``served`` places taken off so far
the fan has ``number - served`` fans ahead and is admitted once ``served > number``. Clients get
``served`` broadcast and work out their own place (docs/websocket.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MINUTE_MS = 60_000
FIRST_BATCH_MS = 1_000  # the share of the first second goes in at the opening
RATE_SAMPLE_MS = 60_000  # the admission rate estimate looks this far back
RATE_SAMPLE_MIN_MS = 10_000  # and needs this much history before it trusts itself


@dataclass(frozen=True, slots=True)
class RoomRules:
    opens_at_ms: int
    per_minute: int  # admissions a minute; 0: no rate, the cap alone
    window_s: int  # how long an admission token lets a fan shop
    cap: int = 0  # fans shopping at once; 0: no cap, the rate alone
    grace_s: int = 60  # a fan unheard of this long loses the place

    def allowance(self, now_ms: int) -> int:
        """How many admissions the rate allows by ``now_ms`` since the opening (no rate: none)."""
        if now_ms < self.opens_at_ms or self.per_minute <= 0:
            return 0
        return math.floor((now_ms - self.opens_at_ms + FIRST_BATCH_MS) * self.per_minute / MINUTE_MS)

    @property
    def planned_per_minute(self) -> float:
        """Admissions a minute the dials let through at most: the rate, and a full cap turning
        over once a shopping window (fans who buy sooner free their slot sooner)."""
        limits = []
        if self.per_minute > 0:
            limits.append(float(self.per_minute))
        if self.cap > 0:
            limits.append(self.cap * MINUTE_MS / (self.window_s * 1000))
        return min(limits) if limits else 0.0


def wait_s(ahead: int, per_minute: float) -> int:
    """About how long a fan with ``ahead`` fans in front waits at ``per_minute`` places a minute
    (their own place included: the next fan still waits for a slot)."""
    if per_minute <= 0:
        return 0  # nothing moves yet: no honest figure
    return math.ceil((max(0, ahead) + 1) * 60 / per_minute)


def measured_per_minute(samples: Sequence[tuple[int, int]], planned: float) -> float:
    """The line's speed in places a minute from ``(ms, served)`` samples, oldest first: the last
    minute's, once there is enough history and the line moved; else the planned speed."""
    if len(samples) < 2:
        return planned
    (first_ms, first_served), (last_ms, last_served) = samples[0], samples[-1]
    span = last_ms - first_ms
    if span < RATE_SAMPLE_MIN_MS or last_served <= first_served:
        return planned
    return (last_served - first_served) * MINUTE_MS / span
