"""The service's key suites a second time, on a 3-master Redis Cluster of their own: the HTTP API
of holds, the sandbox's way from a hold to tickets, refunds and history, the live map's flows,
staff sign-in and snacks bought alone (``pytest --redis-cluster``, tests/conftest.py). Run in a
child pytest so that its session-wide Redis is the cluster.

``make test`` runs a slice of them: the tests of each suite that take its main way through Redis
(about 20 s). ``make test-cluster`` (``SEATCORE_TEST_CLUSTER=full``) runs every test of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster.redis_cluster import AVAILABLE, MISSING

pytestmark = [pytest.mark.cluster, pytest.mark.skipif(not AVAILABLE, reason=MISSING)]

ROOT = Path(__file__).resolve().parents[2]
SUITES = (
    "tests/engine/test_api.py",
    "tests/orders/test_sandbox_flow.py",
    "tests/orders/test_refunds_and_history.py",
    "tests/live/test_socket.py",
    "tests/live/test_convergence.py",
    "tests/test_staff_signin.py",
    "tests/snacks/test_snack_orders.py",
)
# One or two tests of every suite above: holds and the per-user cap across slots, a paid order's
# tickets, a refund that gives seats back, a live map's deltas and resume from the change log,
# watchers joining during a rush, sign-in backoff, and snacks bought alone (in the cinema's slot).
SLICE = (
    "tests/engine/test_api.py::test_seat_map_hold_and_release",
    "tests/engine/test_api.py::test_cap_on_live_holds_over_all_showtimes",
    "tests/orders/test_sandbox_flow.py::test_sandbox_payment_gets_tickets",
    "tests/orders/test_refunds_and_history.py::test_staff_refund_ignores_the_deadline",
    "tests/live/test_socket.py::test_snapshot_then_deltas_in_order",
    "tests/live/test_socket.py::test_resume_replays_only_what_was_missed",
    "tests/live/test_convergence.py::test_watchers_joining_during_a_rush_converge_without_filling_gaps",
    "tests/test_staff_signin.py::TestSignInLimits::test_failed_passwords_of_one_account_back_off",
    "tests/snacks/test_snack_orders.py::test_snacks_alone_are_priced_paid_landed_and_picked_up",
)
FULL = os.environ.get("SEATCORE_TEST_CLUSTER", "") == "full"


def test_the_slice_is_of_the_suites() -> None:
    assert {test.split("::")[0] for test in SLICE} == set(SUITES)


def test_key_suites_pass_on_a_cluster() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--redis-cluster",
            *(SUITES if FULL else SLICE),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert FULL or summary.startswith(f"{len(SLICE)} passed"), summary  # each test of the slice ran
