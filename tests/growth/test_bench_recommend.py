"""The offline recommendation benchmark: runs from the command line, and on the synthetic clusters
the item-to-item model beats the popularity baseline on both precision and recall."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from loadtests.bench_recommend import run

ROOT = Path(__file__).resolve().parents[2]


def test_the_model_beats_popularity_on_held_out_acts() -> None:
    model, baseline, _build_s = run(users=1500, holdout=2, k=5, seed=3)
    assert model.users == baseline.users > 300
    assert model.precision > baseline.precision
    assert model.recall > baseline.recall


def test_the_benchmark_prints_both_side_by_side() -> None:
    command = [sys.executable, "-m", "loadtests.bench_recommend", "--users", "300"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"^item-to-item cosine\s+\d\.\d{3}\s+\d\.\d{3}$", done.stdout, re.M), done.stdout
    assert re.search(r"^popularity baseline\s+\d\.\d{3}\s+\d\.\d{3}$", done.stdout, re.M), done.stdout
