"""Fixtures: the machine's real MariaDB and Redis, isolated per test run.

Each run migrates a fresh MariaDB database of its own and dropped at the end, and locks a Redis
database number of its own (1..15) on the machine's Redis, so parallel runs never meet.
``pytest --redis-cluster`` runs the tests on a 3-master Redis Cluster of their own instead
(tests/cluster/redis_cluster.py; the service's ``redis+cluster://`` URL).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pymysql
import pytest
import redis
from argon2 import PasswordHasher
from sqlalchemy import delete
from sqlalchemy.engine import make_url

import seatcore.app
from seatcore.api._http import Endpoint
from seatcore.app import create_app
from seatcore.auth import passwords
from seatcore.db.migrate import upgrade
from seatcore.db.schema import metadata
from seatcore.settings import Settings

MYSQL_HOST = os.environ.get("SEATCORE_TEST_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("SEATCORE_TEST_MYSQL_PORT", "3306"))
REDIS_HOST = os.environ.get("SEATCORE_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("SEATCORE_TEST_REDIS_PORT", "6379"))
TEST_SECRET = "test-secret-key-0123456789abcdef"

Login = Callable[[str], Awaitable[dict[str, str]]]


@pytest.fixture(scope="session", autouse=True)
def _quick_app_parts() -> Iterator[None]:
    """Two costs the tests pay hundreds of times, cut where it changes nothing they check.

    - ``create_app`` builds the OpenAPI document from the declared endpoints (about 0.2 s of
      pydantic schema work), and nearly every test creates an app from the same endpoints: each
      set of endpoints is built once, and every app gets a copy of its own.
    - argon2 hashes staff passwords at a cost of about 0.2 s of CPU by design (and each sign-in
      verifies at that cost): the tests hash with the smallest parameters argon2id allows. A hash
      records its parameters, so verifying one costs what making it cost.
    """
    build = seatcore.app.build_document
    built: dict[tuple[int, ...], tuple[list[Endpoint], bytes]] = {}

    def build_once(endpoints: list[Endpoint]) -> dict[str, object]:
        key = tuple(map(id, endpoints))
        if key not in built:  # the endpoints are kept with it, so that their ids stay theirs
            built[key] = (list(endpoints), orjson.dumps(build(endpoints)))
        document: dict[str, object] = orjson.loads(built[key][1])
        return document

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(seatcore.app, "build_document", build_once)
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture(scope="session")
def mysql_url() -> Iterator[str]:
    name = f"sct_{secrets.token_hex(4)}"
    try:
        conn = pymysql.connect(host=MYSQL_HOST, port=MYSQL_PORT, user="root", password="")
    except pymysql.err.OperationalError as exc:
        pytest.exit(
            f"MariaDB is not reachable at {MYSQL_HOST}:{MYSQL_PORT} as root without password "
            f"({exc}); start it, or set SEATCORE_TEST_MYSQL_HOST/PORT",
            returncode=3,
        )
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    url = f"mysql://root@{MYSQL_HOST}:{MYSQL_PORT}/{name}"
    try:
        upgrade(make_url(url))
        yield url
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--redis-cluster",
        action="store_true",
        help="run on a throwaway 3-master Redis Cluster on 127.0.0.1 instead of the machine's Redis",
    )


def flush_redis(url: str) -> None:
    """Empty the test run's Redis: its database number, or every master of its cluster."""
    if url.startswith("redis+cluster://"):
        for node in url.removeprefix("redis+cluster://").split(","):
            host, _, port = node.rpartition(":")
            client = redis.Redis(host=host, port=int(port))
            with contextlib.suppress(redis.RedisError):  # a replica (after a failover) refuses
                client.flushall()
            client.close()
        return
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis database number on the machine's Redis, held for this run only (or a cluster)."""
    if request.config.getoption("--redis-cluster"):
        from tests.cluster.redis_cluster import AVAILABLE, MISSING, running_cluster

        if not AVAILABLE:
            pytest.skip(MISSING)
        with running_cluster(tmp_path_factory.mktemp("redis-cluster")) as cluster:
            yield cluster.url
        return
    admin = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
    try:
        admin.ping()
    except redis.ConnectionError as exc:
        pytest.exit(
            f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT} ({exc}); start it, "
            "or set SEATCORE_TEST_REDIS_HOST/PORT",
            returncode=3,
        )
    token = secrets.token_hex(8)
    for number in range(1, 16):
        if admin.set(f"seatcore:test-lock:{number}", token, nx=True, ex=3 * 3600):
            break
    else:
        pytest.exit("all Redis databases 1..15 are locked by other test runs", returncode=3)
    try:
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    finally:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number).flushdb()
        if admin.get(f"seatcore:test-lock:{number}") == token.encode():
            admin.delete(f"seatcore:test-lock:{number}")
        admin.close()


@pytest.fixture
def settings(mysql_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=mysql_url,
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        secret_key=TEST_SECRET,
        dev_login=True,
        payment_provider="sandbox",
        allow_sandbox_payments=True,  # the tests' database is MySQL
        log_json=False,
        stream_block_ms=50,  # the app stops after every test: its writers' reads end sooner
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[object]:
    """The app with its lifespan running, on empty tables and an empty Redis database."""
    flush_redis(settings.redis_url)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        runtime = application.state.runtime
        async with runtime.db.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                await conn.execute(delete(table))
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def login(client: httpx.AsyncClient) -> Login:
    """Sign a moviegoer in through the dev provider; returns the Authorization header."""

    async def sign_in(name: str) -> dict[str, str]:
        response = await client.post("/api/v1/auth/wx-login", json={"code": f"dev-{name}"})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return sign_in
