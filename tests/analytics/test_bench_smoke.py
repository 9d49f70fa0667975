"""The analytics benchmark runs both parts end to end at a tiny size (its figures at this size mean
nothing, so none is checked; docs/analytics.md has the full-size ones)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_the_events_benchmark_runs_tiny(mysql_url: str) -> None:
    server = mysql_url.rsplit("/", 1)[0] + "/"
    command = [sys.executable, "-m", "loadtests.bench_events", "--days", "2", "--per-day", "5000"]
    command += ["--ingest-events", "2000", "--concurrency", "4", "--mysql-url", server]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert re.search(r"^funnel query over 2 days: \d+\.\d{3} s", run.stdout, re.M), run.stdout
    assert re.search(
        r"^\[this tree\] ingestion through the API, 2 workers.* events/s accepted", run.stdout, re.M
    ), run.stdout


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_the_ingestion_arms_alternate_against_a_baseline(mysql_url: str) -> None:
    """``--baseline REV`` serves REV's code (exported from git) and this tree in turn."""
    server = mysql_url.rsplit("/", 1)[0] + "/"
    command = [sys.executable, "-m", "loadtests.bench_events", "--ingest-only", "--baseline", "HEAD"]
    command += ["--ingest-events", "1000", "--concurrency", "4", "--repeat", "2", "--mysql-url", server]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    arms = re.findall(r"^\[(baseline HEAD|this tree)\] ingestion", run.stdout, re.M)
    assert arms == ["baseline HEAD", "this tree"] * 2, run.stdout
    assert re.search(
        r"^baseline HEAD: median [\d,]+ events/s accepted, min [\d,]+, max [\d,]+ over 2 runs",
        run.stdout,
        re.M,
    )
    assert re.search(r"^this tree / baseline \(medians\): \d+\.\d\dx$", run.stdout, re.M), run.stdout
