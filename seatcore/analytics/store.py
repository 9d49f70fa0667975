"""The event store: an embedded DuckDB file under ``data_dir`` with the raw events and two daily
rollups that the reports read (docs/analytics.md says why DuckDB, with the figures).

A DuckDB file takes one writing process at a time, and the service may run several workers, so
every use opens the file under an exclusive lock on a file beside it and closes it again. Writes
are batched (the writer lands hundreds of events at once) and reports read the small rollups, so
the lock is held for milliseconds (a day's rollup for longer: about 0.5 s per million events).
Calls are blocking: the async side runs them in a thread.

Rollups: ``daily`` counts events, journeys (distinct actors), orders and dwell per day and per
(name, channel, cinema, movie, page, code); ``daily_visits`` counts visits and visitors per day
and channel. A day that got new events is marked dirty and recomputed from the raw events by the
next ``refresh`` (the upkeep's), so late events are never lost from the figures.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import tempfile
import threading
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson

from seatcore.domain.analytics import PLACED

# Column name -> DuckDB type, in table order; the writer's rows are dicts with these keys.
COLUMNS: dict[str, str] = {
    "day": "DATE",
    "ts": "TIMESTAMP",
    "name": "VARCHAR",
    "source": "VARCHAR",
    "channel": "VARCHAR",
    "actor": "VARCHAR",
    "device": "VARCHAR",
    "visit": "VARCHAR",
    "user_id": "BIGINT",
    "page": "VARCHAR",
    "dwell_ms": "INTEGER",
    "movie_id": "BIGINT",
    "cinema_id": "BIGINT",
    "showtime_id": "BIGINT",
    "order_id": "VARCHAR",
    "code": "VARCHAR",
    "amount_fen": "BIGINT",
}
LATENCY_COLUMNS = ("day", "hour", "route", "bucket", "requests", "total_ms")
NOT_NULL = ("day", "ts", "name", "source", "channel", "actor")
DIMENSIONS = ("name", "channel", "cinema_id", "movie_id", "page", "code")

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS events ("
    + ", ".join(f"{col} {kind}{' NOT NULL' if col in NOT_NULL else ''}" for col, kind in COLUMNS.items())
    + ")",
    "CREATE TABLE IF NOT EXISTS daily (day DATE NOT NULL, name VARCHAR NOT NULL, channel VARCHAR NOT NULL, "
    "cinema_id BIGINT, movie_id BIGINT, page VARCHAR, code VARCHAR, events BIGINT NOT NULL, "
    "journeys BIGINT NOT NULL, orders BIGINT NOT NULL, dwell_ms BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS daily_visits (day DATE NOT NULL, channel VARCHAR NOT NULL, "
    "visits BIGINT NOT NULL, visitors BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dirty_days (day DATE PRIMARY KEY)",
    # Response-time histograms (seatcore.analytics.latency): per local hour, route and bucket.
    "CREATE TABLE IF NOT EXISTS latency (day DATE NOT NULL, hour TIMESTAMP NOT NULL, route VARCHAR NOT NULL, "
    "bucket SMALLINT NOT NULL, requests BIGINT NOT NULL, total_ms DOUBLE NOT NULL)",
]

# One journey: an actor's day with one movie at one cinema through one channel; the dimensions of
# ``daily`` keep journeys of different groups apart, so sums over groups stay exact.
ROLLUP_DAILY = f"""
INSERT INTO daily
SELECT day, {", ".join(DIMENSIONS)}, count(*), count(DISTINCT actor), count(DISTINCT order_id),
       coalesce(sum(dwell_ms), 0)
FROM events WHERE day = ? GROUP BY day, {", ".join(DIMENSIONS)}
"""
ROLLUP_VISITS = """
INSERT INTO daily_visits
SELECT day, channel, count(DISTINCT visit), count(DISTINCT actor)
FROM events WHERE day = ? AND source = 'client' GROUP BY day, channel
"""


# How ``append`` reads the JSON rows: times and days as written, every column typed.
_KINDS = ", ".join(
    f"'{col}': '{'BIGINT' if col == 'ts' else 'VARCHAR' if col == 'day' else kind}'"
    for col, kind in COLUMNS.items()
)
_SELECT = ", ".join(
    "make_timestamp(ts * 1000)" if col == "ts" else "CAST(day AS DATE)" if col == "day" else col
    for col in COLUMNS
)


@dataclass(frozen=True, slots=True)
class Filters:
    """What a report covers: local dates ``start``..``end`` and optional cinema, movie, channel.
    ``cinema_ids`` None: every cinema, and events tied to none (page views, the movie step)."""

    start: dt.date
    end: dt.date
    cinema_ids: Collection[int] | None = None
    movie_id: int | None = None
    channel: str | None = None

    def where(self, *, dims: bool = True) -> tuple[str, list[Any]]:
        clauses: list[str] = ["day BETWEEN ? AND ?"]
        params: list[Any] = [self.start, self.end]
        if self.channel is not None:
            clauses.append("channel = ?")
            params.append(self.channel)
        if dims and self.cinema_ids is not None:
            ids = sorted(self.cinema_ids) or [-1]
            clauses.append(f"cinema_id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        if dims and self.movie_id is not None:
            clauses.append("movie_id = ?")
            params.append(self.movie_id)
        return " AND ".join(clauses), params


class EventStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")
        self._thread_lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            for statement in SCHEMA:
                con.execute(statement)

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The database, held by this thread and process alone until the block ends."""
        with self._thread_lock, self._lock_path.open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            con = duckdb.connect(str(self.path))
            try:
                yield con
            finally:
                con.close()
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    # ----------------------------------------------------------------------------- writing

    def append(self, rows: Sequence[dict[str, Any]]) -> int:
        """Land rows (dicts keyed by COLUMNS, ``ts`` in epoch ms, ``day`` ISO; a column left out is
        NULL, other keys are ignored) in one transaction, read by DuckDB's own JSON reader from
        one JSON array (far faster than row-by-row inserts, or than shaping each row in Python)."""
        if not rows:
            return 0
        fd, name = tempfile.mkstemp(suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(orjson.dumps(rows))
            with self.connect() as con:
                con.execute("BEGIN")
                con.execute(
                    f"INSERT INTO events SELECT {_SELECT} FROM read_json(?, format = 'array', "
                    f"columns = {{{_KINDS}}})",
                    [name],
                )
                days = sorted({row["day"] for row in rows})
                con.executemany(
                    "INSERT OR IGNORE INTO dirty_days VALUES (CAST(? AS DATE))", [[d] for d in days]
                )
                con.execute("COMMIT")
        finally:
            os.unlink(name)
        return len(rows)

    def append_latency(self, rows: Sequence[dict[str, Any]]) -> int:
        """Land response-time rows (seatcore.analytics.latency); a few hundred at most per flush."""
        if not rows:
            return 0
        columns = [[row[name] for row in rows] for name in LATENCY_COLUMNS]
        with self.connect() as con:
            con.execute(  # one statement of lists, not a statement per row
                "INSERT INTO latency SELECT CAST(d AS DATE), CAST(h AS TIMESTAMP), r, b, n, ms FROM "
                "(SELECT unnest(?) d, unnest(?) h, unnest(?) r, unnest(?) b, unnest(?) n, unnest(?) ms)",
                columns,
            )
        return len(rows)

    def order_channels(self, order_ids: Collection[str]) -> dict[str, str]:
        """The channel each of these orders was placed from, where the store knows it."""
        if not order_ids:
            return {}
        ids = sorted(order_ids)
        with self.connect() as con:
            found = con.execute(
                f"SELECT order_id, channel FROM events WHERE name IN (?, ?) "
                f"AND order_id IN ({', '.join('?' * len(ids))})",
                [*PLACED, *ids],
            ).fetchall()
        return {str(order_id): str(channel) for order_id, channel in found}

    def refresh(self) -> int:
        """Recompute the rollups of every dirty day; answers how many days were recomputed."""
        with self.connect() as con:
            days = [row[0] for row in con.execute("SELECT day FROM dirty_days ORDER BY day").fetchall()]
            for day in days:
                con.execute("BEGIN")
                con.execute("DELETE FROM dirty_days WHERE day = ?", [day])
                con.execute("DELETE FROM daily WHERE day = ?", [day])
                con.execute("DELETE FROM daily_visits WHERE day = ?", [day])
                con.execute(ROLLUP_DAILY, [day])
                con.execute(ROLLUP_VISITS, [day])
                con.execute("COMMIT")
        return len(days)

    def drop_before(self, day: dt.date) -> int:
        """Retention: forget every event of days before ``day``; answers how many went."""
        with self.connect() as con:
            con.execute("BEGIN")
            gone = con.execute("DELETE FROM events WHERE day < ?", [day]).fetchone()
            con.execute("DELETE FROM daily WHERE day < ?", [day])
            con.execute("DELETE FROM daily_visits WHERE day < ?", [day])
            con.execute("DELETE FROM dirty_days WHERE day < ?", [day])
            con.execute("DELETE FROM latency WHERE day < ?", [day])
            con.execute("COMMIT")
            count = int(gone[0]) if gone else 0
            if count:
                con.execute("CHECKPOINT")  # give the space back now, not at some later write
        return count

    def forget_user(self, user_id: int) -> int:
        """A moviegoer's account is gone: their events go, and those of the devices they signed in
        on (anonymous events of the same device are theirs too). The days touched are recomputed."""
        with self.connect() as con:
            con.execute("BEGIN")
            con.execute(
                "INSERT OR IGNORE INTO dirty_days SELECT DISTINCT day FROM events WHERE user_id = ? "
                "OR device IN (SELECT device FROM events WHERE user_id = ? AND device IS NOT NULL)",
                [user_id, user_id],
            )
            gone = con.execute(
                "DELETE FROM events WHERE user_id = ? OR device IN "
                "(SELECT device FROM events WHERE user_id = ? AND device IS NOT NULL)",
                [user_id, user_id],
            ).fetchone()
            con.execute("COMMIT")
        self.refresh()
        return int(gone[0]) if gone else 0

    # ----------------------------------------------------------------------------- reading

    def query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self.connect() as con:
            return con.execute(sql, list(params)).fetchall()

    def count_events(self) -> int:
        found = self.query("SELECT count(*) FROM events", [])
        return int(found[0][0])
