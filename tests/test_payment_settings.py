"""Payments are off unless chosen: the sandbox (which pays every order itself) only when the demo or
the config turns it on, and never on a MySQL database unless ``allow_sandbox_payments`` says so."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from seatcore import cli
from seatcore.settings import Settings

REPO = Path(__file__).resolve().parent.parent
MYSQL = "mysql://root@127.0.0.1:3306/none"


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No SEATCORE_* variables and no config file (returns where one would go); SIGTERM's handler kept."""
    for name in list(os.environ):
        if name.startswith("SEATCORE_"):
            monkeypatch.delenv(name)
    config = tmp_path / "seatcore.toml"
    monkeypatch.setenv("SEATCORE_CONFIG", str(config))
    handler = signal.getsignal(signal.SIGTERM)
    yield config
    signal.signal(signal.SIGTERM, handler)


def test_payments_are_off_by_default(no_env: Path) -> None:
    assert Settings().payment_provider == "none"
    assert Settings(database_url=MYSQL).payment_provider == "none"
    assert Settings().allow_sandbox_payments is False


def test_the_sandbox_on_mysql_needs_saying_so_in_so_many_words(no_env: Path) -> None:
    with pytest.raises(ValidationError, match="allow_sandbox_payments"):
        Settings(database_url=MYSQL, payment_provider="sandbox")
    with pytest.raises(ValidationError, match="allow_sandbox_payments"):
        Settings(database_url="mariadb+aiomysql://db/x", payment_provider="sandbox")
    allowed = Settings(database_url=MYSQL, payment_provider="sandbox", allow_sandbox_payments=True)
    assert allowed.payment_provider == "sandbox"
    # The embedded default (SQLite) is the demo's: the sandbox needs no second word there.
    assert Settings(payment_provider="sandbox").payment_provider == "sandbox"
    assert Settings(database_url="sqlite:///x.db", payment_provider="sandbox").mysql is False


def test_serve_refuses_the_sandbox_on_mysql(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEATCORE_PAYMENT_PROVIDER", "sandbox")
    monkeypatch.setenv("SEATCORE_SECRET_KEY", "s" * 40)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--database-url", MYSQL, "--data-dir", str(no_env.parent / "data"), "serve"])
    assert "invalid settings" in str(exit_.value.code)
    assert "allow_sandbox_payments" in str(exit_.value.code)
    assert not (no_env.parent / "data").exists(), "nothing was started before the refusal"


def test_the_demo_turns_the_sandbox_on_unless_told_otherwise(
    no_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.demo_settings(Settings()).payment_provider == "sandbox"
    no_env.write_text('payment_provider = "none"\n')
    assert cli.demo_settings(Settings()).payment_provider == "none"
    no_env.unlink()
    monkeypatch.setenv("SEATCORE_PAYMENT_PROVIDER", "none")
    assert cli.demo_settings(Settings()).payment_provider == "none"
    monkeypatch.delenv("SEATCORE_PAYMENT_PROVIDER")
    # A demo on MySQL is a production-style start: the operator chooses, nothing is turned on.
    assert cli.demo_settings(Settings(database_url=MYSQL)).payment_provider == "none"


def test_workers_see_the_demos_payment_provider(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = cli.demo_settings(Settings(secret_key="k" * 32))
    for name in cli._EXPORTED:
        monkeypatch.setenv(f"SEATCORE_{name.upper()}", "")  # so that teardown removes what _export sets
    cli._export(demo)
    assert Settings().payment_provider == "sandbox"


def test_the_startup_lines_say_how_payments_stand(no_env: Path) -> None:
    assert "every pay answers 503" in cli._urls(Settings())
    assert "pays every order itself" in cli._urls(Settings(payment_provider="sandbox"))


def test_the_checkout_config_leaves_payments_off_and_production_never_allows_the_sandbox(
    no_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEATCORE_CONFIG", str(REPO / "config" / "seatcore.toml"))
    assert Settings().payment_provider == "none"
    monkeypatch.setenv("SEATCORE_CONFIG", str(REPO / "config" / "production.example.toml"))
    production = Settings()
    assert production.payment_provider == "wechatpay" and production.allow_sandbox_payments is False
    monkeypatch.setenv("SEATCORE_PAYMENT_PROVIDER", "sandbox")  # a slip in the environment
    with pytest.raises(ValidationError, match="allow_sandbox_payments"):
        Settings()
