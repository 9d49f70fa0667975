"""The hold benchmark runs every arm end to end and prints its ratios (a short run: the figures of a
run this small mean nothing, so none is checked; docs/benchmarks.md has real ones)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_the_hold_benchmark_runs_every_arm_and_prints_its_ratios(mysql_url: str) -> None:
    command = [sys.executable, "-m", "loadtests.bench_holds", "--seconds", "0.5", "--warmup", "0.3"]
    command += ["--clients", "4", "--showtimes", "3", "--mysql-url", mysql_url]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = {line.split("  ")[0] for line in run.stdout.splitlines()}
    for arm in (
        "seatcore hold API",
        "ceiling: bare Starlette + 1 Lua",
        "ceiling, collector tuned",
        "seatcore stack, MySQL FOR UPDATE",
        "seatcore stack, 1 trivial Lua",
        "rush: seatcore hold API",
        "rush: seatcore stack, MySQL",
    ):
        assert arm in rows, run.stdout
    assert re.search(r"^seatcore / ceiling: \d+\.\d\d \(target >= 0\.7\)$", run.stdout, re.M)
    assert re.search(r"^seatcore / ceiling, collector tuned: \d+\.\d\d ", run.stdout, re.M)
    assert re.search(r"^seatcore / MySQL: +\d+\.\d\d \(target >= 1\.5\)$", run.stdout, re.M)
    assert re.search(r"^rush, seatcore / MySQL: \d+\.\d\d$", run.stdout, re.M)
