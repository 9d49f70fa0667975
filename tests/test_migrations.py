"""Migrations on both engines: up to head, down to base, up again; and head matches seatcore.db.schema."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

from seatcore.db.engine import sync_url
from seatcore.db.migrate import downgrade, upgrade
from seatcore.db.schema import metadata
from tests.conftest import MYSQL_HOST, MYSQL_PORT

EXPECTED_TABLES = {table.name for table in metadata.sorted_tables}


@pytest.fixture
def sqlite_url(tmp_path: Path) -> URL:
    return make_url(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")


@pytest.fixture
def fresh_mysql_url() -> Iterator[URL]:
    """An empty MariaDB database of this test's own (not the session's migrated one)."""
    name = f"sct_mig_{secrets.token_hex(4)}"
    conn = pymysql.connect(host=MYSQL_HOST, port=MYSQL_PORT, user="root", password="")
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield make_url(f"mysql://root@{MYSQL_HOST}:{MYSQL_PORT}/{name}")
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def tables(url: URL) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def schema_differences(url: URL) -> list[object]:
    """What alembic's autogenerate would still change: nothing when migrations and schema.py agree."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "mariadb"])
def empty_database(request: pytest.FixtureRequest) -> URL:
    url: URL = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "fresh_mysql_url")
    return url


def test_up_down_up(empty_database: URL) -> None:
    upgrade(empty_database)
    assert tables(empty_database) == EXPECTED_TABLES
    downgrade(empty_database, "base")
    assert tables(empty_database) == set()
    upgrade(empty_database)
    assert tables(empty_database) == EXPECTED_TABLES


def test_head_matches_the_schema_module(empty_database: URL) -> None:
    upgrade(empty_database)
    assert schema_differences(empty_database) == []


def test_upgrade_twice_is_harmless(sqlite_url: URL) -> None:
    upgrade(sqlite_url)
    upgrade(sqlite_url)
    assert tables(sqlite_url) == EXPECTED_TABLES
