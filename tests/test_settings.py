"""Settings: precedence, the config files in config/, URLs (DSNs), the secret, and what is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from seatcore.auth.principal import Principal
from seatcore.db.engine import async_url, database_url, sync_url
from seatcore.embedded import EmbeddedRedis
from seatcore.runtime import ConfigError, open_runtime
from seatcore.settings import Settings, load_settings
from tests.servers import stop_strays

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SEATCORE_* variables and no config file; returns where a config file would go."""
    for name in list(os.environ):
        if name.startswith("SEATCORE_"):
            monkeypatch.delenv(name)
    config = tmp_path / "seatcore.toml"
    monkeypatch.setenv("SEATCORE_CONFIG", str(config))
    return config


def test_defaults_are_the_embedded_default(no_env: Path) -> None:
    settings = load_settings()
    assert settings.database_url == "" and settings.redis_url == ""
    assert settings.embedded
    assert settings.data_dir == Path("data")
    assert settings.sqlite_path == Path("data/seatcore.sqlite3")
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.dev_login is False
    assert settings.log_json is True


def test_precedence_defaults_file_environment_explicit(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_env.write_text('[seatcore]\nport = 9001\nworkers = 3\nlog_level = "debug"\n')
    from_file = load_settings()
    assert (from_file.port, from_file.workers, from_file.log_level) == (9001, 3, "DEBUG")
    assert from_file.host == "127.0.0.1"  # not in the file: the default

    monkeypatch.setenv("SEATCORE_PORT", "9002")
    from_env = load_settings()
    assert (from_env.port, from_env.workers) == (9002, 3)

    explicit = load_settings(port=9003)
    assert (explicit.port, explicit.workers) == (9003, 3)


def test_config_file_may_be_flat_and_typos_are_refused(no_env: Path) -> None:
    no_env.write_text('port = 9100\nsecret_key = "0123456789abcdef-0123456789abcdef-flat"\n')
    assert load_settings().port == 9100

    no_env.write_text("[seatcore]\nworker = 4\n")
    with pytest.raises(ValidationError, match="worker"):
        load_settings()


def test_environment_types(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEATCORE_DEV_LOGIN", "true")
    monkeypatch.setenv("SEATCORE_ALLOWED_ORIGINS", '["https://a.example", "https://b.example"]')
    monkeypatch.setenv("SEATCORE_DATA_DIR", "/var/lib/seatcore")
    monkeypatch.setenv("SEATCORE_WX_TIMEOUT_S", "2.5")
    settings = load_settings()
    assert settings.dev_login is True
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.data_dir == Path("/var/lib/seatcore")
    assert settings.wx_timeout_s == 2.5

    monkeypatch.setenv("SEATCORE_PORT", "eighty")
    with pytest.raises(ValidationError, match="port"):
        load_settings()


def test_repository_dev_config_keeps_dev_login_off(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEATCORE_CONFIG", str(REPO / "config" / "seatcore.toml"))
    settings = load_settings()
    assert settings.embedded and settings.dev_login is False


def test_production_example_loads_and_needs_its_secret_from_the_environment(
    no_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEATCORE_CONFIG", str(REPO / "config" / "production.example.toml"))
    monkeypatch.setenv("SEATCORE_SECRET_KEY", "s" * 40)
    settings = load_settings()
    assert not settings.embedded
    assert make_url(settings.database_url).get_backend_name() == "mysql"
    assert settings.redis_url.startswith("redis://")
    assert settings.dev_login is False
    assert settings.workers > 1
    assert settings.secret_key == "s" * 40
    assert 'secret_key = ""' in (REPO / "config" / "production.example.toml").read_text()
    assert settings.payment_provider == "wechatpay"


def test_readme_documents_every_setting() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [
        name for name in Settings.model_fields if f"| `{name}` | `SEATCORE_{name.upper()}` |" not in readme
    ]
    assert missing == [], f"add these settings to the README's tables: {missing}"


@pytest.mark.parametrize(
    "url",
    ["mysql://root@127.0.0.1:3306/seatcore", "mysql+aiomysql://u:p@db/x", "mariadb://db/x", "sqlite:///x.db"],
)
def test_database_urls_accepted(url: str) -> None:
    assert Settings(database_url=url).database_url == url


@pytest.mark.parametrize("url", ["postgresql://db/x", "127.0.0.1:3306/seatcore", "mysql:/db"])
def test_database_urls_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="database_url must start with one of"):
        Settings(database_url=url)


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/2", "rediss://:pw@cache:6380/0", "unix:///run/redis/redis.sock?db=1"]
)
def test_redis_urls_accepted(url: str) -> None:
    assert Settings(redis_url=url).redis_url == url


@pytest.mark.parametrize("url", ["http://cache:6379", "cache:6379", "memcached://cache"])
def test_redis_urls_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="redis_url must start with one of"):
        Settings(redis_url=url)


def test_database_urls_get_the_async_and_sync_drivers(tmp_path: Path) -> None:
    mysql = make_url("mysql://root@127.0.0.1:3306/seatcore")
    assert async_url(mysql).drivername == "mysql+aiomysql"
    assert sync_url(mysql).drivername == "mysql+pymysql"
    assert async_url(mysql).query["charset"] == "utf8mb4"
    assert async_url(make_url("mysql://db/x?charset=latin1")).query["charset"] == "latin1"
    assert async_url(make_url("sqlite:///x.db")).drivername == "sqlite+aiosqlite"

    embedded = database_url(Settings(data_dir=tmp_path / "d"))
    assert embedded.get_backend_name() == "sqlite"
    assert embedded.database == str((tmp_path / "d" / "seatcore.sqlite3").resolve())


async def test_redis_urls_reach_the_server(redis_url: str, tmp_path: Path) -> None:
    """redis:// with a database number, and unix:// (how workers reach the embedded Redis)."""
    tcp = aioredis.Redis.from_url(redis_url)
    assert await tcp.ping()
    assert tcp.connection_pool.connection_kwargs["db"] == int(redis_url.rsplit("/", 1)[1])
    await tcp.aclose()
    try:
        with EmbeddedRedis(tmp_path / "data") as embedded:
            unix = aioredis.Redis.from_url(f"{embedded.url}?db=3")
            await unix.set("sc:probe", "1")
            await unix.aclose()
            assert redis.Redis.from_url(embedded.url, db=3).get("sc:probe") == b"1"
            assert redis.Redis.from_url(embedded.url, db=0).get("sc:probe") is None
    finally:
        stop_strays(tmp_path / "data")


@pytest.mark.parametrize("secret", ["short", "thirty-one-characters-of-secret"])
def test_short_secrets_are_refused(secret: str) -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(secret_key=secret)


def test_a_long_enough_secret_is_kept() -> None:
    assert (
        Settings(secret_key="thirty-two-characters-of-secret!").secret_key
        == "thirty-two-characters-of-secret!"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("workers", 0, "workers must be at least 1"),
        ("port", 70000, "port must be 0..65535"),
        ("tls_keyfile", "/etc/key.pem", "tls_keyfile needs tls_certfile"),
        ("shutdown_grace_s", -1, "cannot be negative"),
        ("log_level", "chatty", "log_level"),
    ],
)
def test_serving_settings_are_checked(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**{field: value})


async def test_production_refuses_to_start_without_a_secret(
    mysql_url: str, redis_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=mysql_url, redis_url=redis_url, secret_key="", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="SEATCORE_SECRET_KEY"):
        async with open_runtime(settings):
            pass
    assert not (tmp_path / "secret_key").exists(), "production must not invent a secret"


async def test_embedded_default_makes_and_keeps_its_own_secret(tmp_path: Path, redis_url: str) -> None:
    """Without a database_url the secret lives in the data folder, so tokens survive a restart."""
    settings = Settings(redis_url=redis_url, data_dir=tmp_path / "data", secret_key="")
    moviegoer = Principal(kind="user", id=1, role="moviegoer")
    async with open_runtime(settings) as first:
        token = first.tokens.issue(moviegoer)
    assert (tmp_path / "data" / "secret_key").exists()
    async with open_runtime(settings) as second:
        assert second.tokens.verify(token) == moviegoer
