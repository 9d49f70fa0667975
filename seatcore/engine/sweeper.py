"""The sweeper: finds holds whose time has come and has their showtime's script tidy them.

Expiry is data (an expired hold is free to every script at once), so the sweeper is not needed for
correctness. It makes maps right quickly: the sweep script frees an expired hold's seats with a
change (a sequence number, a log entry, a publication), so watchers see the seats free within
about one interval. It also deletes hold tombstones past their time.

Every service process runs one; they share the index and the scripts are idempotent, so two
sweepers at once only repeat a little work.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from redis.exceptions import RedisError

from seatcore import keys
from seatcore.engine.replies import parse_hold_id
from seatcore.engine.service import SeatEngine
from seatcore.errors import SeatcoreError
from seatcore.outage_log import OutageLog

log = logging.getLogger("seatcore.engine.sweeper")
BATCH = 1000


class Sweeper:
    def __init__(self, engine: SeatEngine, interval_ms: int) -> None:
        self.engine = engine
        self.interval_s = interval_ms / 1000

    async def run_once(self) -> int:
        """Sweep every showtime with a hold due now; returns how many index entries were due."""
        redis = self.engine.redis
        due = await redis.zrangebyscore(
            keys.HOLD_SWEEP_INDEX, "-inf", self.engine.now_ms(), start=0, num=BATCH
        )
        by_showtime: dict[int, list[str]] = defaultdict(list)
        stray: list[str] = []
        for hold_id in map(str, due):
            try:
                by_showtime[parse_hold_id(hold_id)].append(hold_id)
            except SeatcoreError:
                stray.append(hold_id)
        rescore: dict[str, int] = {}
        gone = stray
        for showtime_id, hold_ids in by_showtime.items():
            for hold_id, next_due in (await self.engine.sweep(showtime_id, hold_ids)).items():
                if next_due is None:
                    gone.append(hold_id)
                else:
                    rescore[hold_id] = next_due
        if rescore or gone:
            async with redis.pipeline(transaction=False) as pipe:
                if rescore:
                    pipe.zadd(keys.HOLD_SWEEP_INDEX, rescore)
                if gone:
                    pipe.zrem(keys.HOLD_SWEEP_INDEX, *gone)
                await pipe.execute()
        return len(due)

    async def run(self) -> None:
        """Sweep every interval until cancelled; a failed pass is counted (one log line per outage)
        and the next one tries again."""
        outage = OutageLog(log, "hold sweeper")
        while True:
            try:
                due = await self.run_once()
                outage.succeeded()
            except (RedisError, OSError, SeatcoreError) as exc:
                outage.failed(exc)
                due = 0
            if due < BATCH:
                await asyncio.sleep(self.interval_s)
