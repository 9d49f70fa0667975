"""Several worker processes write one DuckDB file: with the store's file lock every batch of every
process lands; the control, the same writes without the lock, shows the test would catch it
(DuckDB refuses a second process while one holds the file)."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from seatcore.analytics.store import EventStore
from tests.analytics.test_store import row

PROCESSES = 4
BATCHES = 15
ROWS = 40
DAY = dt.date(2026, 11, 20)


class UnlockedStore(EventStore):
    """The store without its file lock: the guard turned off."""

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(str(self.path))
        try:
            yield con
        finally:
            con.close()


def _write(path: str, locked: bool, start: Any, results: Any) -> None:
    """Append BATCHES batches once ``start`` is set; put how many failed on ``results``."""
    store = EventStore(Path(path)) if locked else _unlocked(Path(path))
    start.wait()
    failed = 0
    for batch in range(BATCHES):
        rows = [row("page_view", DAY, device=f"d{batch}-{i}", page="p", dwell_ms=1) for i in range(ROWS)]
        try:
            store.append(rows)
        except duckdb.Error:
            failed += 1
    results.put(failed)


def _unlocked(path: Path) -> UnlockedStore:
    while True:
        with contextlib.suppress(duckdb.Error):  # even opening needs the file to itself
            return UnlockedStore(path)


def _race(path: Path, locked: bool) -> int:
    """Answers how many batches failed over every process."""
    EventStore(path)  # the tables exist before the race
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=_write, args=(str(path), locked, start, results)) for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    start.set()
    failures = sum(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    return failures


def test_every_process_lands_every_batch(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    assert _race(path, locked=True) == 0
    assert EventStore(path).count_events() == PROCESSES * BATCHES * ROWS


def test_control_without_the_lock_batches_are_lost(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    failures = _race(path, locked=False)
    assert failures > 0
    assert EventStore(path).count_events() < PROCESSES * BATCHES * ROWS
