"""The ``seatcore`` command in-process: what it refuses, migrate, create-staff, and what it prints.

Serving for real (TLS, workers, SIGTERM) is in test_serve.py; the demo in test_embedded.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from seatcore import cli
from seatcore.auth.passwords import verify_password
from seatcore.db.engine import create_db_engine
from seatcore.settings import Settings
from seatcore.store.users import find_staff


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No SEATCORE_* variables or config file; the SIGTERM handler restored afterwards."""
    for name in list(os.environ):
        if name.startswith("SEATCORE_") or name == "PROMETHEUS_MULTIPROC_DIR":
            monkeypatch.delenv(name)
    monkeypatch.setenv("SEATCORE_CONFIG", str(tmp_path / "none.toml"))
    handler = signal.getsignal(signal.SIGTERM)
    yield tmp_path / "data"
    signal.signal(signal.SIGTERM, handler)


def test_serve_on_mysql_without_a_secret_refuses_to_start(cli_env: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--database-url", "mysql://root@127.0.0.1:3306/none", "--data-dir", str(cli_env), "serve"])
    assert "secret_key is required" in str(exit_.value.code)
    assert "SEATCORE_SECRET_KEY" in str(exit_.value.code)
    assert not cli_env.exists(), "nothing was started or written before the refusal"


def test_invalid_settings_exit_with_the_reason(cli_env: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--database-url", "postgresql://db/x", "migrate"])
    assert "invalid settings" in str(exit_.value.code)
    assert "database_url must start with one of" in str(exit_.value.code)

    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--workers", "0"])
    assert "workers must be at least 1" in str(exit_.value.code)


def test_migrate_creates_the_schema_on_the_embedded_sqlite_and_is_repeatable(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["--data-dir", str(cli_env), "migrate"])
    cli.main(["--data-dir", str(cli_env), "migrate"])
    assert capsys.readouterr().out.count("to the latest schema") == 2
    engine = create_engine(f"sqlite:///{cli_env / 'seatcore.sqlite3'}")
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"alembic_version", "movies", "showtimes", "staff", "tickets"} <= tables


def test_create_staff(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["--data-dir", str(cli_env), "migrate"])
    monkeypatch.setenv("SEATCORE_NEW_STAFF_PASSWORD", "short")
    with pytest.raises(SystemExit, match="at least 8 characters"):
        cli.main(["--data-dir", str(cli_env), "create-staff", "ops"])

    monkeypatch.setenv("SEATCORE_NEW_STAFF_PASSWORD", "a-long-password")
    cli.main(["--data-dir", str(cli_env), "create-staff", "ops", "--role", "admin"])
    assert "created staff member ops" in capsys.readouterr().out

    async def stored() -> tuple[str, str]:
        db = create_db_engine(Settings(data_dir=cli_env))
        member = await find_staff(db, username="ops")
        await db.dispose()
        assert member is not None
        return member.role, member.password_hash

    role, password_hash = asyncio.run(stored())
    assert role == "admin" and verify_password(password_hash, "a-long-password")


def test_urls_printed_for_the_settings() -> None:
    plain = cli._urls(Settings(host="0.0.0.0", port=8080))
    assert "http://127.0.0.1:8080/api/v1/openapi.json" in plain
    assert "dev-NAME" not in plain

    tls = cli._urls(Settings(port=8443, tls_certfile="/c.pem", dev_login=True, workers=3))
    assert "https://127.0.0.1:8443/console/" in tls and "3 worker(s)" in tls
    assert "dev-NAME" in tls

    public = cli._urls(Settings(public_url="https://tickets.example.com/"))
    assert "https://tickets.example.com/healthz" in public


def test_workers_get_the_resolved_settings(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in cli._EXPORTED:
        monkeypatch.setenv(f"SEATCORE_{name.upper()}", "")  # so that teardown removes what _export sets
    monkeypatch.chdir(tmp_path)
    settings = Settings(
        redis_url="unix:///tmp/x/redis.socket",
        data_dir=Path("data"),
        secret_key="k" * 32,
        dev_login=True,
        payment_provider="sandbox",
    )
    cli._export(settings)
    assert os.environ["SEATCORE_REDIS_URL"] == "unix:///tmp/x/redis.socket"
    assert os.environ["SEATCORE_DATA_DIR"] == str(tmp_path / "data")
    assert os.environ["SEATCORE_SECRET_KEY"] == "k" * 32
    reloaded = Settings()
    assert reloaded.dev_login is True and reloaded.database_url == ""
    assert reloaded.payment_provider == "sandbox"
