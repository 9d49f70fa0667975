"""The service's key suites a second time, on a 3-master Redis Cluster of their own: the HTTP API
of holds, the sandbox's way from a hold to tickets, and the live map's flows
(``pytest --redis-cluster``, tests/conftest.py). Run in a child pytest so that its session-wide
Redis is the cluster."""

from __future__ import annotations

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
)


def test_key_suites_pass_on_a_cluster() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--redis-cluster", *SUITES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
