"""Each locust scenario, briefly, against a real seatcore: no failed request (expected refusals such as
a seat taken first are counted apart), the events each scenario exists for, and a clean checker.

The premiere is small (4 x 12, 40 seats) so that a handful of fans already fight over it, and holds
last 6 s so that abandoned ones expire during the run. The rush goes through the one command a
tester runs (``python -m loadtests.run``) on the embedded default; the other scenarios share one
service on the machine's MariaDB and Redis.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from loadtests.onsale_room import RoomPlan, watched_room
from loadtests.run import REPO, Service, StatsRow, local_service, read_stats, run_checker, run_locust
from tests.servers import clean_env

RUN_TIME = "10s"
PREMIERE = (4, 12)
HOLD_TTL_S = 6
SETTLE_S = 30
# The machine's services, as tests/conftest.py finds them.
MYSQL_URL = "mysql://root@{}:{}".format(
    os.environ.get("SEATCORE_TEST_MYSQL_HOST", "127.0.0.1"),
    os.environ.get("SEATCORE_TEST_MYSQL_PORT", "3306"),
)
REDIS_URL = "redis://{}:{}".format(
    os.environ.get("SEATCORE_TEST_REDIS_HOST", "127.0.0.1"),
    os.environ.get("SEATCORE_TEST_REDIS_PORT", "6379"),
)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with local_service(
        tmp_path_factory.mktemp("load"),
        store="mysql",
        premiere=PREMIERE,
        hold_ttl_s=HOLD_TTL_S,
        mysql_url=MYSQL_URL,
        redis_url=REDIS_URL,
    ) as running:
        yield running


def _failures(out: Path, prefix: str) -> str:
    path = out / f"{prefix}_failures.csv"
    return path.read_text() if path.exists() else ""


def _counts(rows: list[StatsRow]) -> dict[tuple[str, str], int]:
    return {(row.kind, row.name): row.requests for row in rows}


def _assert_clean_run(out: Path, prefix: str, exit_code: int) -> dict[tuple[str, str], int]:
    rows = read_stats(out, prefix)
    aggregated = next(row for row in rows if row.name == "Aggregated")
    log = (out / f"{prefix}.log").read_text(errors="replace")
    assert aggregated.failures == 0, _failures(out, prefix) + log[-3000:]
    assert exit_code == 0, log[-3000:]
    return _counts(rows)


def _assert_checker_clean(service: Service, name: str) -> None:
    code = run_checker(service, settle_s=SETTLE_S, name=name)
    table = (service.out / f"{name}.txt").read_text()
    assert code == 0, table
    assert orjson.loads((service.out / f"{name}.json").read_bytes())["ok"] is True


def test_browse(service: Service) -> None:
    code = run_locust(service, "browse", users=10, run_time=RUN_TIME, prefix="browse")
    counts = _assert_clean_run(service.out, "browse", code)
    for name in ("GET /movies/hot", "GET /movies/[id]", "GET /movies?q=", "GET poster"):
        assert counts.get(("GET", name), 0) > 0, name
    _assert_checker_clean(service, "browse-checker")


def test_watchers(service: Service) -> None:
    code = run_locust(service, "watchers", users=10, run_time=RUN_TIME, prefix="watchers")
    counts = _assert_clean_run(service.out, "watchers", code)
    assert counts.get(("WS", "connect"), 0) > 0
    assert counts.get(("WS", "change to arrival"), 0) > 0  # changes made by the changer reached watchers
    _assert_checker_clean(service, "watchers-checker")


def test_snacks(service: Service) -> None:
    code = run_locust(service, "snacks", users=12, run_time=RUN_TIME, prefix="snacks")
    counts = _assert_clean_run(service.out, "snacks", code)
    assert counts.get(("POST", "POST /snack-orders"), 0) > 0
    assert counts.get(("SNACKS", "paid, pickup code"), 0) > 0
    _assert_checker_clean(service, "snacks-checker")


def test_mixed_day(service: Service) -> None:
    code = run_locust(service, "mixed_day", users=20, run_time=RUN_TIME, prefix="mixed_day")
    counts = _assert_clean_run(service.out, "mixed_day", code)
    assert counts.get(("GET", "GET /movies/hot"), 0) > 0
    assert counts.get(("POST", "POST /showtimes/[id]/holds"), 0) > 0
    assert counts.get(("WS", "connect"), 0) > 0
    _assert_checker_clean(service, "mixed_day-checker")


def test_onsale(service: Service) -> None:
    """Fans queue for a room that opens a moment after they arrive; every fan first tries a hold
    without a token (refused), then waits their turn and buys; never more than the cap shop."""
    plan = RoomPlan(opens_in_s=3, per_minute=60, cap=4, window_s=60)
    with watched_room(service.env["SEATCORE_REDIS_URL"], service.premiere.showtime_id, plan) as room:
        code = run_locust(
            service, "onsale", users=12, run_time=RUN_TIME, prefix="onsale", extra=["--tokenless-ratio", "1"]
        )
    counts = _assert_clean_run(service.out, "onsale", code)
    assert counts.get(("REFUSED", "admission_required"), 0) >= 12
    assert counts.get(("LINE", "admitted"), 0) > 0 and counts.get(("FAN", "ticketed"), 0) > 0
    assert max(shopping for _, _, shopping in room.samples) <= plan.cap
    _assert_checker_clean(service, "onsale-checker")


def test_the_premiere_rush_runs_with_one_command(tmp_path: Path) -> None:
    out = tmp_path / "rush"
    rows, columns = PREMIERE
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtests.run",
            "rush",
            "--users",
            "30",
            "--time",
            RUN_TIME,
            "--premiere",
            f"{rows}x{columns}",
            "--hold-ttl-s",
            str(HOLD_TTL_S),
            "--settle-s",
            str(SETTLE_S),
            "--out",
            str(out),
        ],
        cwd=REPO,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:] + _failures(out, "locust")
    assert "PASS" in done.stdout and "all invariants hold" in done.stdout
    assert (out / "locust.html").stat().st_size > 0
    with (out / "locust_stats.csv").open(newline="") as handle:
        counts = {(row["Type"], row["Name"]): int(row["Request Count"]) for row in csv.DictReader(handle)}
    assert counts[("POST", "POST /auth/wx-login")] == 30  # one sign-in per fan: 30 distinct moviegoers
    assert counts.get(("FAN", "ticketed"), 0) + counts.get(("FAN", "ticketed, then refunded"), 0) > 0
    # 30 fans wanting up to 4 seats each against 40 seats: the house sells out and fans are refused.
    assert sum(n for (kind, _), n in counts.items() if kind == "REFUSED") > 0
    assert orjson.loads((out / "checker.json").read_bytes())["ok"] is True
