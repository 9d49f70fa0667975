"""One typed settings object: defaults, then a TOML config file, then ``SEATCORE_*`` variables.

The config file is ``config/seatcore.toml`` unless ``SEATCORE_CONFIG`` names another one. Every
field can be overridden by ``SEATCORE_<FIELD>`` (for example ``SEATCORE_DATABASE_URL``).
With no ``database_url`` / ``redis_url`` the service runs on the embedded default: an SQLite file
and a Redis server that it starts itself, both under ``data_dir``.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_CONFIG_FILE = Path("config/seatcore.toml")
DATABASE_SCHEMES = ("mysql", "mariadb", "sqlite")
REDIS_SCHEMES = ("redis", "rediss", "unix")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEATCORE_", extra="forbid")

    # Storage. Empty means "embedded default".
    database_url: str = ""
    # A MySQL replica for reports, catalogue pages and staff look-ups (seatcore.db.replica).
    database_replica_url: str = ""
    redis_url: str = ""
    data_dir: Path = Path("data")

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    workers: int = 1
    tls_certfile: str = ""
    tls_keyfile: str = ""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Routes that take a seat layout: the largest hall (60 rows of 80) is about 340 KB as JSON.
    max_layout_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Browser origins of other sites that may call the API (CORS) and open seat-map sockets.
    allowed_origins: list[str] = Field(default_factory=list)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks, or
    # "*"); empty: nobody's, so per-address limits count the connecting address.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Bearer token that /metrics asks for; empty: /metrics is open (keep it off public networks).
    metrics_token: str = ""

    # Live seat map (seatcore.live, docs/websocket.md)
    live_coalesce_ms: int = Field(default=25, ge=0, le=1000)  # changes merged into one frame
    live_queue_frames: int = Field(default=64, ge=1)  # a socket further behind is closed 4000
    live_ping_interval_s: float = Field(default=15.0, gt=0)
    live_idle_timeout_s: float = Field(default=45.0, gt=0)  # a client silent this long is dropped
    live_max_sockets_per_ip: int = Field(default=500, ge=0)  # per process (carrier NAT!); 0: no cap
    live_close_timeout_s: float = Field(default=10.0, gt=0)  # wait for a close frame to go out
    # permessage-deflate on the sockets: about 2x the CPU per frame and per socket memory, for
    # small deltas that hardly shrink (docs/websocket.md has the figures); off unless turned on.
    live_ws_deflate: bool = False

    # Waiting rooms for on-sales (seatcore.waitingroom, docs/scaling.md)
    waiting_room_grace_s: int = Field(default=60, ge=10, le=3600)  # away this long: the place is lost
    waiting_room_tick_ms: int = Field(default=1000, ge=50, le=10_000)  # each process moves its lines

    # Identity
    secret_key: str = ""
    token_ttl_s: int = 7 * 24 * 3600  # a moviegoer's token
    staff_token_ttl_s: int = Field(default=15 * 60, ge=60)  # a staff access token
    staff_session_idle_s: int = Field(default=12 * 3600, ge=60)  # a staff refresh token unused this long ends
    wx_login_rate_per_minute: int = Field(default=60, ge=1)  # moviegoer sign-ins per address
    staff_login_rate_per_minute: int = Field(default=20, ge=1)  # staff sign-ins per address
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

    # The door (docs/door.md). Empty key folder: DATA_DIR/door-keys, a first key made on first use.
    door_key_dir: str = ""
    door_signing_key_id: str = ""  # empty: the key whose id sorts last
    door_opens_before_min: int = Field(default=60, ge=0)  # tickets come in this long before the start
    door_closes_after_min: int = Field(default=60, ge=0)  # ... and until this long after it
    # Posters (seatcore.media, docs/api.md): checked by content, re-encoded, kept by media_store
    poster_max_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    poster_max_side_px: int = Field(default=6000, ge=300)
    poster_max_pixels: int = Field(default=24_000_000, ge=90_000)  # a tiny file can decode huge
    media_store: Literal["local", "s3"] = "local"  # local: data_dir/media, served under /media
    s3_endpoint_url: str = ""  # e.g. https://s3.ap-east-1.amazonaws.com or http://minio:9000
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_public_url: str = ""  # where the pages load files; empty: endpoint/bucket

    # Seat holds (docs/seat-engine.md)
    hold_ttl_s: int = Field(default=900, ge=1)  # time to pay
    hold_extend_s: int = Field(default=300, ge=1)  # one extension adds this much
    hold_max_life_s: int = Field(default=1800, ge=1)  # a hold never lives past this, extended or not
    max_seats_per_hold: int = Field(default=6, ge=1, le=50)
    max_live_holds_per_user: int = Field(default=3, ge=1)  # over all showtimes
    hold_rate_per_minute: int = Field(default=30, ge=1)
    hold_tombstone_s: int = Field(default=3600, ge=1)  # an ended hold still answers hold_expired
    sweeper_interval_ms: int = Field(default=250, ge=10)
    seat_info_cache_s: float = Field(default=5.0, ge=0)  # showtime rules and prices kept in memory
    seat_redis_connections: int = Field(default=64, ge=1)  # the engine's pool; callers wait past it

    # Members and points (docs/loyalty.md)
    points_per_yuan: int = Field(default=1, ge=0)  # earned per whole yuan paid for tickets
    points_expire_days: int = Field(default=365, ge=1)  # earned points expire, oldest first
    points_fen_per_100: int = Field(default=100, ge=1)  # what 100 points take off at checkout
    points_max_share_percent: int = Field(default=50, ge=0, le=100)  # of the order, after the coupon

    # Payments (docs/payments.md). Off unless chosen: with "none" every pay answers 503
    # payments_unavailable. The sandbox pays every order itself: `seatcore demo` and the tests turn
    # it on, and on a MySQL database it also needs allow_sandbox_payments, so that a production
    # start can never sell tickets for free by accident.
    payment_provider: Literal["none", "sandbox", "wechatpay"] = "none"
    allow_sandbox_payments: bool = False
    sandbox_pay_delay_ms: int = Field(default=300, ge=0)
    # A paid order waits up to this long for a Redis replica to hold it (WAIT 1) before the payment
    # notice is answered; without one in time, until it is in MySQL (seatcore/replica_ack.py,
    # docs/scaling.md). Only where the master has replicas; 0 turns it off.
    paid_replica_wait_ms: int = Field(default=100, ge=0)
    paid_landed_wait_s: float = Field(default=5.0, ge=0)
    wechatpay_mchid: str = ""
    wechatpay_appid: str = ""  # empty: the mini-program's wx_appid
    wechatpay_serial_no: str = ""  # serial of the merchant API certificate
    wechatpay_private_key_path: str = ""  # apiclient_key.pem
    wechatpay_platform_public_key_path: str = ""  # WeChat Pay public key or platform certificate (PEM)
    wechatpay_platform_serial: str = ""  # its serial, e.g. PUB_KEY_ID_...
    wechatpay_apiv3_key: str = ""  # 32 characters
    wechatpay_base_url: str = "https://api.mch.weixin.qq.com"
    wechatpay_notify_url: str = ""  # public HTTPS URL of the payment callback
    wechatpay_refund_notify_url: str = ""  # empty: refund results go to the merchant platform's URL

    # Analytics (seatcore.analytics, docs/analytics.md)
    analytics_db_path: str = ""  # the DuckDB event store; empty: data_dir/analytics.duckdb
    analytics_timezone: str = "Asia/Shanghai"  # the day an event counts in
    analytics_retention_days: int = Field(default=400, ge=1)  # older days are dropped
    analytics_max_batch: int = Field(default=100, ge=1, le=1000)  # events per POST /api/v1/events
    analytics_device_batches_per_minute: int = Field(default=60, ge=1)
    analytics_ip_batches_per_minute: int = Field(default=3000, ge=1)  # carrier NAT puts many behind one

    # Operations
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    shutdown_grace_s: int = 20
    # How long the background stream readers (the order writer, the analytics writer) wait for new
    # entries in one read, and so about how long a stop waits for them; unset: each reader's own
    # (250 ms and 500 ms). The tests, which start and stop the app hundreds of times, shorten it.
    stream_block_ms: int | None = Field(default=None, ge=1, le=60_000)

    @field_validator("secret_key")
    @classmethod
    def _secret_long_enough(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("secret_key must be at least 32 characters (HS256 wants a 256-bit key)")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: list[str]) -> list[str]:
        for entry in value:
            if entry != "*":
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError:
                    raise ValueError(f"trusted_proxies: {entry!r} is not an address or network") from None
        return value

    @field_validator("database_url", "database_replica_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        return _check_scheme("database_url", value, DATABASE_SCHEMES)

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str) -> str:
        return _check_scheme("redis_url", value, REDIS_SCHEMES)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _sane_serving(self) -> Settings:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0..65535, not {self.port}")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.tls_keyfile and not self.tls_certfile:
            raise ValueError("tls_keyfile needs tls_certfile")
        if self.shutdown_grace_s < 0:
            raise ValueError("shutdown_grace_s cannot be negative")
        return self

    @model_validator(mode="after")
    def _no_free_tickets_on_mysql(self) -> Settings:
        if self.payment_provider == "sandbox" and self.mysql and not self.allow_sandbox_payments:
            raise ValueError(
                'payment_provider "sandbox" pays every order itself, so on a MySQL database it also '
                "needs allow_sandbox_payments = true (SEATCORE_ALLOW_SANDBOX_PAYMENTS=true), for "
                'staging and load tests only; production uses payment_provider "wechatpay"'
            )
        return self

    @model_validator(mode="after")
    def _s3_complete(self) -> Settings:
        if self.media_store == "s3":
            missing = [
                name
                for name in ("s3_endpoint_url", "s3_bucket", "s3_access_key_id", "s3_secret_access_key")
                if not getattr(self, name)
            ]
            if missing:
                raise ValueError(f'media_store "s3" needs {", ".join(missing)}')
        return self

    @property
    def embedded(self) -> bool:
        return not self.database_url or not self.redis_url

    @property
    def mysql(self) -> bool:
        """On MySQL / MariaDB: production's database (SQLite is the embedded demo's)."""
        return self.database_url.split(":", 1)[0].split("+", 1)[0].lower() in ("mysql", "mariadb")

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


def _check_scheme(field: str, url: str, schemes: tuple[str, ...]) -> str:
    """Empty (the embedded default) or a URL whose scheme, less any ``+driver``, is known."""
    if not url:
        return url
    scheme, sep, _ = url.partition("://")
    if not sep or scheme.split("+", 1)[0].lower() not in schemes:
        shown = "://, ".join(schemes) + "://"
        raise ValueError(f"{field} must start with one of {shown} (got {url.split('://')[0]!r})")
    return url


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return dict(data.get("seatcore", data))


def load_settings(**overrides: Any) -> Settings:
    """Settings with precedence: explicit overrides > environment > config file > defaults."""
    return Settings(**overrides)
