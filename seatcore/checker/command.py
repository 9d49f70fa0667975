"""``seatcore check``: the checker as a command. Exit status 0 when every invariant holds, else 1."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import orjson

from seatcore import redis_client
from seatcore.checker.report import Report
from seatcore.checker.runner import check_deployment
from seatcore.db.engine import create_db_engine
from seatcore.errors import SeatcoreError
from seatcore.settings import Settings


class CheckerConfigError(SeatcoreError):
    code = "config_error"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser(
        "check",
        help="check the seat invariants of a deployment's Redis and MySQL (read only)",
        description="Checks: no seat sold twice; Redis sold seats = MySQL live tickets; every paid "
        "payment ticketed or refunded; no hold past its hard maximum; no gap in any showtime's "
        "sequence numbers. Prints a table; exits 1 on any violation.",
    )
    check.add_argument(
        "--settle-s",
        type=float,
        default=0.0,
        help="on a live system: check again for up to this many seconds while violations remain",
    )
    check.add_argument("--json", dest="json_path", help="also write the report as JSON to this file")


async def _check(settings: Settings, settle_s: float) -> Report:
    redis = redis_client.connect(settings.redis_url, max_connections=8, wait_s=5.0, decode_responses=True)
    db = create_db_engine(settings)
    try:
        return await check_deployment(
            redis, db, max_life_ms=settings.hold_max_life_s * 1000, settle_s=settle_s
        )
    finally:
        await redis.aclose()
        await db.dispose()


def run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.redis_url:
        raise CheckerConfigError(
            "check reads a running Redis: give --redis-url (an embedded demo prints its unix:// URL at start)"
        )
    report = asyncio.run(_check(settings, args.settle_s))
    print(report.table(), flush=True)
    if args.json_path:
        Path(args.json_path).write_bytes(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2))
    return 0 if report.ok else 1
