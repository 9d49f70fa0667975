"""One typed settings object: defaults, then a TOML config file, then ``SEATCORE_*`` variables.

The config file is ``config/seatcore.toml`` unless ``SEATCORE_CONFIG`` names another one. Every
field can be overridden by ``SEATCORE_<FIELD>`` (for example ``SEATCORE_DATABASE_URL``).
With no ``database_url`` / ``redis_url`` the service runs on the embedded default: an SQLite file
and a Redis server that it starts itself, both under ``data_dir``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_CONFIG_FILE = Path("config/seatcore.toml")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEATCORE_", extra="forbid")

    # Storage. Empty means "embedded default".
    database_url: str = ""
    redis_url: str = ""
    data_dir: Path = Path("data")

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    workers: int = 1
    tls_certfile: str = ""
    tls_keyfile: str = ""
    max_body_bytes: int = 64 * 1024
    allowed_origins: list[str] = Field(default_factory=list)

    # Identity
    secret_key: str = ""
    token_ttl_s: int = 7 * 24 * 3600
    wx_appid: str = "wx-test-appid"
    wx_secret: str = ""
    wx_api_base_url: str = "https://api.weixin.qq.com"
    wx_timeout_s: float = 5.0
    dev_login: bool = False

    # Catalogue
    cache_ttl_s: int = 60
    cleaning_gap_min: int = 15
    sales_close_before_min: int = 10
    refund_until_before_min: int = 30

    # Operations
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("secret_key")
    @classmethod
    def _secret_long_enough(cls, value: str) -> str:
        if value and len(value) < 16:
            raise ValueError("secret_key must be at least 16 characters")
        return value

    @property
    def embedded(self) -> bool:
        return not self.database_url or not self.redis_url

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "seatcore.sqlite3"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        file_values = _read_config_file(Path(os.environ.get("SEATCORE_CONFIG", DEFAULT_CONFIG_FILE)))
        return (init_settings, env_settings, InitSettingsSource(settings_cls, file_values))


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return dict(data.get("seatcore", data))


def load_settings(**overrides: Any) -> Settings:
    """Settings with precedence: explicit overrides > environment > config file > defaults."""
    return Settings(**overrides)
