"""API fuzzing: schemathesis reads ``/api/v1/openapi.json`` of a running seatcore and sends every
operation valid and invalid requests (a bounded number each). Every answer must be free of 5xx, of
a documented status, type and schema, and a rejected request (4xx) must change no state: the
database tables and the Redis keys that hold seats, holds and orders are the same before and after.

Moviegoer operations are called with a moviegoer's token, staff ones with the demo admin's. The
payment provider's callbacks are left out: their bodies are signed and encrypted, so fuzzing only
ever reaches the signature check, and they answer in WeChat Pay's own error shape.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from loadtests.run import Service, local_service
from seatcore.db.engine import create_sync_engine
from seatcore.db.schema import metadata

MAX_EXAMPLES = 8
QUIET_S = 1.0
QUIET_TIMEOUT_S = 30.0
CHECKED = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Redis keys that change on any request, rejected or not: rate-limit counters, cached reads,
# idempotency answers, the box office's bookkeeping, analytics events (a refused hold is one).
VOLATILE = re.compile(r"^sc:(rl|cache|idem|boxoffice|analytics)(:|$)")
SHOW_KEY = re.compile(r"^sc:\{show:(\d+)\}:(seats|holds|expiry|users|seq|log|epoch|meta)$")
DERIVED_TABLES = ("boxoffice_showtimes", "boxoffice_hours")  # recomputed from orders


@dataclass
class Fuzzed:
    service: Service
    moviegoer: str
    admin: str
    db: Engine
    redis: redis.Redis

    def headers(self, path: str) -> dict[str, str]:
        token = self.admin if path.startswith("/api/v1/staff/") else self.moviegoer
        return {"Authorization": f"Bearer {token}", "X-Forwarded-For": "10.200.0.1"}

    def state(self) -> dict[str, Any]:
        """What a request may change: every table's checksum, and the Redis keys of seats, holds
        and orders (their serialised values).

        A showtime's seat keys count only once something happened there (seq > 0): reading a seat
        map builds them from MySQL, which changes no state anyone can see.
        """
        state: dict[str, Any] = {}
        tables = [table.name for table in metadata.sorted_tables if table.name not in DERIVED_TABLES]
        with self.db.connect() as conn:
            for row in conn.execute(text(f"CHECKSUM TABLE {', '.join(f'`{t}`' for t in tables)}")):
                state[f"table {row[0]}"] = row[1]
        keys = sorted(str(key, "utf-8") for key in self.redis.scan_iter(match="sc:*", count=1000))
        touched = {
            match.group(1)
            for key in keys
            if (match := SHOW_KEY.match(key))
            and match.group(2) == "seq"
            and int(self.redis.get(key) or 0) > 0
        }
        for key in keys:
            show = SHOW_KEY.match(key)
            if VOLATILE.match(key) or (
                show and (show.group(1) not in touched or show.group(2) in ("epoch", "meta"))
            ):
                continue
            state[f"redis {key}"] = self.redis.dump(key)
        return state

    def wait_until_quiet(self) -> None:
        """Until the state stops changing: work the service starts with is done before fuzzing."""
        deadline = time.monotonic() + QUIET_TIMEOUT_S
        previous = self.state()
        while time.monotonic() < deadline:
            time.sleep(QUIET_S)
            current = self.state()
            if current == previous:
                return
            previous = current
        raise AssertionError(f"the service's state kept changing for {QUIET_TIMEOUT_S} s")


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def _token(base_url: str, path: str, body: dict[str, str]) -> str:
    answer = httpx.post(f"{base_url}{path}", json=body, headers={"X-Forwarded-For": "10.200.0.2"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    mysql = "mysql://root@{}:{}".format(
        os.environ.get("SEATCORE_TEST_MYSQL_HOST", "127.0.0.1"),
        os.environ.get("SEATCORE_TEST_MYSQL_PORT", "3306"),
    )
    redis_server = "redis://{}:{}".format(
        os.environ.get("SEATCORE_TEST_REDIS_HOST", "127.0.0.1"),
        os.environ.get("SEATCORE_TEST_REDIS_PORT", "6379"),
    )
    out: Path = tmp_path_factory.mktemp("fuzz")
    # Holds last the default 15 minutes: nothing expires on its own while the state is compared.
    with local_service(
        out, store="mysql", premiere=(4, 12), hold_ttl_s=900, mysql_url=mysql, redis_url=redis_server
    ) as service:
        moviegoer = _token(service.base_url, "/api/v1/auth/wx-login", {"code": "dev-fuzzer"})
        admin = _token(
            service.base_url, "/api/v1/auth/staff-login", {"username": "admin", "password": "admin-demo-pass"}
        )
        db = create_sync_engine(make_url(service.env["SEATCORE_DATABASE_URL"]))
        client = redis.Redis.from_url(service.env["SEATCORE_REDIS_URL"], decode_responses=False)
        try:
            fuzz = Fuzzed(service, moviegoer, admin, db, client)
            fuzz.wait_until_quiet()
            yield fuzz
        finally:
            client.close()
            db.dispose()


def _exercise(operation: Any, mode: GenerationMode, fuzzed: Fuzzed, problems: list[str]) -> None:
    """MAX_EXAMPLES cases of one operation in one mode; what goes wrong is added to ``problems``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def exercise(case: Any) -> None:
        before = fuzzed.state()
        response = case.call(headers=fuzzed.headers(case.path))
        case.validate_response(response, checks=CHECKED)
        if response.status_code >= 400:
            changed = _changes(before, fuzzed.state())
            assert not changed, (
                f"refused ({response.status_code}: {response.text[:300]}) but changed {changed}"
            )

    try:
        exercise()
    except Unsatisfiable:
        pass  # nothing to make invalid (an operation without parameters has no negative cases)
    except Exception as exc:  # a failed check or assertion: collect it, go on with the others
        inner = getattr(exc, "exceptions", ())
        details = "".join(f"\n    {type(e).__name__}: {e}" for e in inner)
        problems.append(f"{operation.label} ({mode.value}): {type(exc).__name__}: {exc}{details}"[:4000])


def test_the_api_keeps_its_contract(fuzzed: Fuzzed) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.service.base_url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    fuzzed_operations = [op for op in operations if not op.path.startswith("/api/v1/payments/")]
    assert len(fuzzed_operations) > 20, [op.label for op in operations]
    problems: list[str] = []
    for operation in fuzzed_operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, fuzzed, problems)
    assert not problems, "\n\n".join(problems)
