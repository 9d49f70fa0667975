"""The loopback rehearsal (loadtests/rehearsal.py) at a tiny size: the same code starting a 3+3
Redis Cluster, a MariaDB primary and replica and two seatcore processes behind nginx, one short
rush through nginx during which the premiere's Redis master and one seatcore process are killed,
then the checker, ``seatcore reconcile`` and the replica's catch-up, which must all be clean.
Without the demo catalogue (its history is most of the start-up time): the rush needs only its
premiere."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtests import _loopback as loop
from loadtests.rehearsal import Options, rehearse, report

MISSING = loop.missing_binaries()

pytestmark = pytest.mark.skipif(bool(MISSING), reason="; ".join(MISSING))


def test_a_tiny_rehearsal_loses_no_paid_order_and_sells_no_seat_twice(tmp_path: Path) -> None:
    outcome = rehearse(
        Options(
            processes=2,
            curve=(),
            users=20,
            run_time_s=10,
            premiere=(8, 12),
            settle_s=30,
            out=tmp_path,
            demo=False,
        )
    )
    print(report(outcome))
    assert len(outcome.killed) == 2  # the Redis master and the seatcore process
    figures = outcome.figures[-1]
    assert figures.requests > 0
    assert outcome.checker_exit == 0, (tmp_path / "checker.txt").read_text()
    assert outcome.reconcile_exit == 0, (tmp_path / "reconcile.txt").read_text()
    assert outcome.replica_caught_up
