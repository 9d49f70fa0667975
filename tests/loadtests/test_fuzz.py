"""API fuzzing: schemathesis reads ``/api/v1/openapi.json`` of a running seatcore and sends every
operation valid and invalid requests (a bounded number each), checked with all of schemathesis'
checks: no 5xx; a documented status, type, headers and schema; every schema-valid request
accepted (the document promises no more than the service takes) and every schema-violating one
refused. A rejected request (4xx) must change no state: the database tables and the Redis keys
that hold seats, holds and orders are the same before and after.

Then every operation gets the values that used to end in a 500 (Unicode digits, numbers past 64
bits, far dates, empty and very long strings) in each of its parameters and body fields, and every
path an undocumented method: no 5xx, and each 405 names the methods allowed.

Moviegoer operations are called with a moviegoer's token, staff ones with the demo admin's. The
payment provider's callbacks are left out: their bodies are signed and encrypted, so fuzzing only
ever reaches the signature check, and they answer in WeChat Pay's own error shape.
"""

from __future__ import annotations

import datetime as dt
import json
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
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from loadtests.run import Service, local_service
from seatcore.api._cursor import CURSOR_FORMAT
from seatcore.api.staff.analytics import MAX_HOURLY_DAYS
from seatcore.api.staff.boxoffice import MAX_RANGE_DAYS
from seatcore.bounds import FIRST_DAY, LAST_DAY
from seatcore.db.engine import create_sync_engine
from seatcore.db.schema import metadata
from seatcore.domain.analytics import REQUIRED_FIELDS
from seatcore.domain.layout import grid_layout

# Cases per operation and mode. `make test` sends 3 (every operation, valid and invalid, the same
# cases every run); `make test-fuzz` (SEATCORE_FUZZ_EXAMPLES=25) digs deeper.
MAX_EXAMPLES = int(os.environ.get("SEATCORE_FUZZ_EXAMPLES", "3"))
QUIET_S = 1.0
QUIET_TIMEOUT_S = 30.0
# Values that reached past the edge once: Unicode digits (str.isdigit() takes them), numbers past
# 64 bits, far dates, empty and very long strings.
ODD_TEXT = ("²", "٣", "１２", "9" * 30, str(2**63), "-1", "0", "9999-12-31", "0001-01-01", "", "x" * 5000)
ODD_JSON: tuple[Any, ...] = (*ODD_TEXT, 10**30, 2**63, -(2**63) - 1, 1e308, True, None, [], {})
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
# Redis keys that change on any request, rejected or not: rate-limit counters, cached reads,
# idempotency answers, the box office's bookkeeping, analytics events (a refused hold is one),
# members' cached levels (a look-up caches "not a member" too).
VOLATILE = re.compile(
    r"^sc:(rl|cache|idem|boxoffice):|^sc:analytics(:|$)|^sc:\{user:\d+\}:rl:|^sc:member:\d+:level$"
)
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


def _teach(schema: Any) -> None:
    """What schemathesis cannot read from the document, or what depends on the data and the clock.

    - an opaque cursor is no string it can invent: it sends none;
    - a report's ``end`` is not before its ``start`` and at most MAX_RANGE_DAYS after it
      (MAX_HOURLY_DAYS for response times by hour);
    - a position is ``lat`` and ``lng`` together, or neither;
    - an analytics event happened just now (the service refuses times from the future or too old),
      and carries the fields its type needs (the document says so with if/then, which the generator
      does not follow);
    - an experiment's variants have keys of their own (JSON Schema cannot say "unique by key"):
      the keys generated are numbered, and the metric goes from one event to another;
    - member tiers and coupon campaigns have rules across their fields (levels 1, 2, ... with rising
      thresholds; a percent is 1..100, a period ends after it starts): valid ones are sent;
    - a ticket's QR text is one the service signed: no generated text is, so none is sent (the
      signature tests are tests/door/test_signing.py);
    - a date lies in the years the document's pattern allows (made so, rather than filtered out of
      every date, which hypothesis gives up on), and a screening starts in the future;
    - a seat layout is a document with rules of its own (docs/layout.md): a valid one is sent;
    - which halls a showtime may move to, and which price zones a hall has, are data (a zone
      asked for is one every hall has).
    """
    soon = dt.datetime.now() + dt.timedelta(days=2)
    future = st.datetimes(soon, dt.datetime(LAST_DAY.year, 12, 31), timezones=st.just(dt.UTC))
    schemathesis.openapi.format(CURSOR_FORMAT, st.just(""))
    schemathesis.openapi.format("date", st.dates(FIRST_DAY, LAST_DAY).map(dt.date.isoformat))
    schemathesis.openapi.format("date-time", future.map(dt.datetime.isoformat))
    layout = grid_layout(4, 6, aisles=(3,))

    @schema.hook  # type: ignore[untyped-decorator]
    def filter_query(context: Any, query: dict[str, Any] | None) -> bool:
        query = query or {}
        given = {name for name in ("lat", "lng") if query.get(name) not in (None, "")}  # "": absent
        if len(given) == 1:
            return False
        start, end = _day(query.get("start")), _day(query.get("end"))
        longest = MAX_HOURLY_DAYS if query.get("by") == "hour" else MAX_RANGE_DAYS
        return start is None or end is None or (start <= end and (end - start).days < longest)

    @schema.hook  # type: ignore[untyped-decorator]
    def map_body(context: Any, body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("layout"), dict):
            return {**body, "layout": layout}
        if GENERATING[0] is POSITIVE and isinstance(body, dict):
            if isinstance(body.get("events"), list):
                return {**body, "events": [_event_now(event) for event in body["events"]]}
            items = body.get("items")
            if isinstance(items, list) and all(isinstance(i, dict) and "level" in i for i in items):
                return {"items": TIERS}
            if "kind" in body and "valid_until" in body:
                return _campaign()
            variants = body.get("variants")
            if "metric_to" in body and isinstance(variants, list):
                keyed = [{**v, "key": f"v{i}"} if isinstance(v, dict) else v for i, v in enumerate(variants)]
                return {**body, "variants": keyed, "metric_from": "seatmap_opened", "metric_to": "order_paid"}
        zone = body.get("zone") if isinstance(body, dict) else None
        if isinstance(zone, str) and 0 < len(zone) <= 32:  # well formed, so: one every hall has
            return {**body, "zone": "standard"}
        return body

    @schema.hook  # type: ignore[untyped-decorator]
    def filter_body(context: Any, body: Any) -> bool:
        return not (
            isinstance(body, dict)
            and ("prices" in body or "qr" in body or ("hall_id" in body and "movie_id" not in body))
        )


# The mode the cases now made are in: the hooks complete clock- and type-bound fields of valid
# cases only (a case made to break the schema must stay broken).
POSITIVE = GenerationMode.POSITIVE
GENERATING: list[GenerationMode] = [POSITIVE]
EVENT_FIELDS = {
    "page": "pages/home",
    "dwell_ms": 1000,
    "movie_id": 1,
    "showtime_id": 1,
    "order_id": "1-x",
    "code": "x",
}


TIERS = [{"level": 1, "name": "V1", "threshold_fen": 0}, {"level": 2, "name": "V2", "threshold_fen": 30000}]


def _campaign() -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    period = {"valid_from": now.isoformat(), "valid_until": (now + dt.timedelta(days=30)).isoformat()}
    return {"name": "fuzz", "kind": "amount", "value": 500, "stock": 10, **period}


def _event_now(event: Any) -> Any:
    """An analytics event as a client sends it: now, with the fields its type needs."""
    if not isinstance(event, dict):
        return event
    needed = REQUIRED_FIELDS.get(event.get("type"), ())
    filled = {name: EVENT_FIELDS[name] for name in needed if event.get(name) is None}
    return {**event, **filled, "at": dt.datetime.now(dt.UTC).isoformat()}


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _exercise(operation: Any, mode: GenerationMode, fuzzed: Fuzzed, problems: list[str]) -> None:
    """MAX_EXAMPLES cases of one operation in one mode; what goes wrong is added to ``problems``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def exercise(case: Any) -> None:
        before = fuzzed.state()
        response = case.call(headers=fuzzed.headers(case.path))
        case.validate_response(response)  # every check schemathesis has
        if response.status_code >= 400:
            changed = _changes(before, fuzzed.state())
            assert not changed, (
                f"refused ({response.status_code}: {response.text[:300]}) but changed {changed}"
            )

    GENERATING[0] = mode
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
    _teach(schema)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    fuzzed_operations = [op for op in operations if not op.path.startswith("/api/v1/payments/")]
    assert len(fuzzed_operations) > 20, [op.label for op in operations]
    problems: list[str] = []
    for operation in fuzzed_operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, fuzzed, problems)
    assert not problems, "\n\n".join(problems)


def _fill(schema: dict[str, Any]) -> Any:
    """A plain value of a parameter's schema, for the parameters not being tried."""
    choices = schema.get("anyOf") or [schema]
    kind = choices[0].get("type")
    if choices[0].get("format") == "date":
        return "2030-01-01"
    if "enum" in choices[0]:
        return choices[0]["enum"][0]
    return {"integer": 1, "number": 1, "boolean": "true"}.get(kind, "a")


def _cases(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(method, path, query, body) with one odd value in one place, for every documented operation."""
    for template, item in document["paths"].items():
        if template.startswith("/api/v1/payments/"):
            continue
        for method, operation in item.items():
            params = operation.get("parameters", [])
            path_names = [p["name"] for p in params if p["in"] == "path"]
            query = {p["name"]: _fill(p["schema"]) for p in params if p["in"] == "query" and p["required"]}
            plain_path = template
            for name in path_names:
                plain_path = plain_path.replace(f"{{{name}}}", "1")
            for value in ODD_TEXT:
                for name in path_names:
                    odd = template.replace(f"{{{name}}}", value or "%20")
                    for other in path_names:
                        odd = odd.replace(f"{{{other}}}", "1")
                    yield method, odd, query, None
                for param in params:
                    if param["in"] == "query":
                        yield method, plain_path, {**query, param["name"]: value}, None
            ref = (
                operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            )
            if ref is not None:
                body = document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
                for field in body.get("properties", {}):
                    for odd_json in ODD_JSON:
                        yield method, plain_path, query, {field: odd_json}


def test_odd_values_never_get_a_5xx(fuzzed: Fuzzed) -> None:
    base = fuzzed.service.base_url
    document = httpx.get(f"{base}/api/v1/openapi.json", timeout=30).json()
    failures: list[str] = []
    sent = 0
    with httpx.Client(base_url=base, timeout=30) as http:
        for method, path, query, body in _cases(document):
            headers = {**fuzzed.headers(path), "Idempotency-Key": f"odd-{sent}"}
            content = None if body is None else json.dumps(body).encode()  # numbers past 64 bits too
            if content is not None:
                headers["Content-Type"] = "application/json"
            response = http.request(method.upper(), path, params=query, content=content, headers=headers)
            sent += 1
            if response.status_code >= 500:
                failures.append(
                    f"{method.upper()} {path[:120]} {query} {str(body)[:120]}: {response.status_code}"
                )
    assert sent > 1000
    assert not failures, "\n".join(failures[:50])


def test_every_405_names_the_methods_allowed(fuzzed: Fuzzed) -> None:
    base = fuzzed.service.base_url
    document = httpx.get(f"{base}/api/v1/openapi.json", timeout=30).json()
    with httpx.Client(base_url=base, timeout=30) as http:
        for template, item in document["paths"].items():
            path = re.sub(r"{\w+}", "1", template)
            documented = {method.upper() for method in item}
            allowed = documented | ({"HEAD"} if "GET" in documented else set())
            for method in [*sorted(METHODS - allowed), "TRACE"]:
                response = http.request(method, path, headers=fuzzed.headers(path))
                assert response.status_code == 405, (method, path, response.status_code)
                assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed, (method, path)
