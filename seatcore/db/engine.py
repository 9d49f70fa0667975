"""Database URLs and engines: one async engine for the service, one sync engine for migrations."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from seatcore.settings import Settings

_ASYNC_DRIVERS = {
    "mysql": "mysql+aiomysql",
    "mariadb": "mysql+aiomysql",
    "sqlite": "sqlite+aiosqlite",
}
_SYNC_DRIVERS = {"mysql": "mysql+pymysql", "mariadb": "mysql+pymysql", "sqlite": "sqlite"}


def database_url(settings: Settings) -> URL:
    """The configured URL, or the embedded SQLite file when none is configured."""
    if settings.database_url:
        return make_url(settings.database_url)
    path = Path(settings.sqlite_path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return make_url(f"sqlite:///{path}")


def _with_driver(url: URL, drivers: dict[str, str]) -> URL:
    backend = url.get_backend_name()
    if backend not in drivers:
        raise ValueError(f"unsupported database {backend!r}: use mysql:// or sqlite://")
    url = url.set(drivername=drivers[backend])
    if backend in ("mysql", "mariadb") and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def async_url(url: URL) -> URL:
    return _with_driver(url, _ASYNC_DRIVERS)


def sync_url(url: URL) -> URL:
    return _with_driver(url, _SYNC_DRIVERS)


def create_db_engine(settings: Settings) -> AsyncEngine:
    url = async_url(database_url(settings))
    if url.get_backend_name() == "sqlite":
        return create_async_engine(url, connect_args={"timeout": 30})
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_recycle=3600, pool_pre_ping=True)


def create_replica_engine(settings: Settings) -> AsyncEngine | None:
    """The engine of the reports' read replica (seatcore.db.replica), None when there is none."""
    if not settings.database_replica_url:
        return None
    url = async_url(make_url(settings.database_replica_url))
    return create_async_engine(url, pool_size=5, max_overflow=10, pool_recycle=3600, pool_pre_ping=True)


def create_sync_engine(url: URL) -> Engine:
    return create_engine(sync_url(url))
