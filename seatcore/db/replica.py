"""Read replicas: where reads that can be a moment behind go, and how far behind they are.

``SEATCORE_DATABASE_REPLICA_URL`` names a MySQL replica of the primary. Box office and operations
reports, catalogue pages and staff look-ups read it (``Runtime.reports_db``); money paths (orders,
payments, refunds, check-ins, points) and a moviegoer's own orders stay on the primary, so a fan
sees their order the moment it is paid (read-your-writes). Without a replica every read goes to
the primary and the lag is 0.

The lag is the replica's own word (``SHOW SLAVE STATUS``: Seconds_Behind_Master), asked at most
every ``LAG_TTL_S`` and exported as ``seatcore_db_replica_lag_seconds`` (-1 while unknown: the
replica does not replicate, or will not say). Reports carry it (``replica_lag_s``).
"""

from __future__ import annotations

import time

from prometheus_client import Gauge
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

LAG_TTL_S = 5.0
UNKNOWN = -1.0

LAG = Gauge("seatcore_db_replica_lag_seconds", "How far the reports' MySQL replica is behind (-1: unknown)")


class ReplicaLag:
    def __init__(self, replica: AsyncEngine | None) -> None:
        self._replica = replica
        self._known: float | None = 0.0 if replica is None else None
        self._asked_at = -LAG_TTL_S

    async def seconds(self) -> float | None:
        """How many seconds the reports' data may be behind the primary; None when unknown."""
        if self._replica is None:
            return 0.0
        if time.monotonic() - self._asked_at >= LAG_TTL_S:
            self._asked_at = time.monotonic()
            self._known = await self._ask(self._replica)
            LAG.set(UNKNOWN if self._known is None else self._known)
        return self._known

    @staticmethod
    async def _ask(replica: AsyncEngine) -> float | None:
        if replica.dialect.name != "mysql":
            return None
        try:
            async with replica.connect() as conn:
                row = (await conn.execute(text("SHOW SLAVE STATUS"))).mappings().first()
        except SQLAlchemyError:
            return None  # no privilege to ask, or the replica is away: unknown, not an error
        if row is None or row.get("Seconds_Behind_Master") is None:
            return None
        return float(row["Seconds_Behind_Master"])
