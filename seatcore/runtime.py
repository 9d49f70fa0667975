"""What a running service holds: settings, the database engine, Redis and the services built on them.

``open_runtime`` builds it for the app's lifespan (and for commands); everything is closed on exit.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.auth.accounts import LiveAccounts
from seatcore.auth.sessions import StaffSessions
from seatcore.auth.tokens import TokenIssuer
from seatcore.auth.wx import WxLogin, build_wx_login
from seatcore.cache import Cache
from seatcore.db.engine import create_db_engine, create_replica_engine
from seatcore.db.replica import ReplicaLag
from seatcore.embedded import EmbeddedRedis, embedded_secret
from seatcore.errors import SeatcoreError
from seatcore.redis_client import connect, is_cluster
from seatcore.settings import Settings
from seatcore.waitingroom.room import WaitingRooms
from seatcore.waitingroom.tokens import AdmissionTokens

REDIS_MAX_CONNECTIONS = 200
REDIS_POOL_WAIT_S = 5.0
SHARDED_PUBSUB_SINCE = 7  # Redis major version with SSUBSCRIBE/SPUBLISH

log = logging.getLogger("seatcore")


class ConfigError(SeatcoreError):
    code = "config_error"


@dataclass
class Runtime:
    settings: Settings
    db: AsyncEngine
    redis: aioredis.Redis
    tokens: TokenIssuer
    wx: WxLogin
    cache: Cache
    accounts: LiveAccounts  # is a moviegoer's account still there
    staff_sessions: StaffSessions
    # Reads that may be a moment behind (reports, catalogue, staff look-ups): the replica or ``db``.
    reports_db: AsyncEngine
    replica_lag: ReplicaLag
    waiting_rooms: WaitingRooms
    # Seat changes go over sharded pub/sub: a Redis 7 Cluster (plain pub/sub on one Redis or 6.2).
    shard_channels: bool = False
    # Later parts (seat engine, live map, orders) hang their services here.
    extras: dict[str, Any] = field(default_factory=dict)


async def _redis_major(redis: aioredis.Redis) -> int:
    """The server's major version, asked once at start (0 when Redis does not answer: the live map
    then uses plain pub/sub, which every version has)."""
    try:
        info = await redis.info("server")
    except RedisError as exc:
        log.warning("could not ask Redis its version (%s): seat changes use plain pub/sub", exc)
        return 0
    # A cluster answers one entry per node, all of the same version: take the oldest.
    versions = (
        [info["redis_version"]] if "redis_version" in info else [v["redis_version"] for v in info.values()]
    )
    return min(int(str(version).split(".")[0]) for version in versions)


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    secret = settings.secret_key
    if not secret:
        if settings.database_url:
            raise ConfigError("secret_key is required outside the embedded demo (SEATCORE_SECRET_KEY)")
        secret = embedded_secret(settings.data_dir)
    embedded: EmbeddedRedis | None = None
    redis_url = settings.redis_url
    if not redis_url:
        embedded = EmbeddedRedis(settings.data_dir)
        redis_url = embedded.url
    redis = connect(
        redis_url, max_connections=REDIS_MAX_CONNECTIONS, wait_s=REDIS_POOL_WAIT_S, decode_responses=True
    )
    db = create_db_engine(settings)
    replica = create_replica_engine(settings)
    wx = build_wx_login(settings)
    runtime = Runtime(
        settings=settings,
        db=db,
        redis=redis,
        tokens=TokenIssuer(secret, settings.token_ttl_s, staff_ttl_s=settings.staff_token_ttl_s),
        wx=wx,
        cache=Cache(redis, settings.cache_ttl_s),
        accounts=LiveAccounts(db),
        staff_sessions=StaffSessions(redis, settings.staff_session_idle_s),
        reports_db=replica or db,
        replica_lag=ReplicaLag(replica),
        waiting_rooms=WaitingRooms(redis, AdmissionTokens(secret)),
        shard_channels=is_cluster(redis) and await _redis_major(redis) >= SHARDED_PUBSUB_SINCE,
    )
    try:
        yield runtime
    finally:
        await wx.close()
        await redis.aclose()
        await db.dispose()
        if replica is not None:
            await replica.dispose()
        if embedded is not None:
            embedded.close()
