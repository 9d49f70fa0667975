"""The embedded default, for real: the Redis server that seatcore starts itself, and the whole demo
(`seatcore demo`: migrate, seed, serve on SQLite + embedded Redis) as a subprocess."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from seatcore.embedded import DataDirInUse, EmbeddedRedis, embedded_secret
from tests.servers import clean_env, redis_servers_in, running, stop_strays

# What the seat engine needs from the embedded Redis as from the production one.
_SCRIPT = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[1], 1)"


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    yield folder
    stop_strays(folder)


def test_embedded_redis_is_a_real_redis_and_stops_clean(data_dir: Path) -> None:
    embedded = EmbeddedRedis(data_dir)
    try:
        client = redis.Redis.from_url(embedded.url, decode_responses=True)
        assert client.info("server")["redis_version"].startswith("6.2.")
        assert client.eval(_SCRIPT, 1, "{show:1}:n", 41) == 42
        pubsub = client.pubsub()
        pubsub.subscribe("seats")
        assert pubsub.get_message(timeout=1.0)["type"] == "subscribe"
        client.publish("seats", "held")
        assert pubsub.get_message(timeout=1.0)["data"] == "held"
        pubsub.close()
        client.xadd("orders", {"id": "1"})
        client.xgroup_create("orders", "writers", id="0")
        assert client.xreadgroup("writers", "w1", {"orders": ">"})[0][1][0][1] == {"id": "1"}
        client.close()
        assert redis_servers_in(data_dir) == [embedded.pid]
        socket_dir = Path(embedded.url.removeprefix("unix://")).parent
    finally:
        embedded.close()
    assert redis_servers_in(data_dir) == []
    assert not socket_dir.exists()
    assert not (data_dir / "redis.rdb.settings").exists()
    embedded.close()  # a second close is harmless


def test_embedded_redis_keeps_its_data_across_restarts(data_dir: Path) -> None:
    with EmbeddedRedis(data_dir) as first:
        redis.Redis.from_url(first.url).set("sc:kept", "yes")
    with EmbeddedRedis(data_dir) as second:
        assert second.pid != first.pid
        assert redis.Redis.from_url(second.url).get("sc:kept") == b"yes"


def test_one_data_folder_has_one_embedded_redis(data_dir: Path) -> None:
    """A second seatcore on the same folder is refused, not handed the first one's server."""
    with EmbeddedRedis(data_dir) as first:
        with pytest.raises(DataDirInUse, match=f"pid {first.pid}"):
            EmbeddedRedis(data_dir)
        assert redis.Redis.from_url(first.url).ping()
    with EmbeddedRedis(data_dir) as again:
        assert again.pid != first.pid


def test_embedded_secret_is_made_once_and_private(tmp_path: Path) -> None:
    secret = embedded_secret(tmp_path / "data")
    assert len(secret) >= 32
    assert embedded_secret(tmp_path / "data") == secret
    assert stat.S_IMODE((tmp_path / "data" / "secret_key").stat().st_mode) == 0o600


@pytest.mark.timeout(240)
def test_demo_command_serves_the_demo_catalogue_and_stops_clean(tmp_path: Path, data_dir: Path) -> None:
    env = clean_env(tmp_path)
    with running(["demo"], cwd=tmp_path, env=env) as server, httpx.Client(base_url=server.base_url) as http:
        assert data_dir.is_dir(), "the demo keeps its data in ./data by default"
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"redis": "ok", "database": "ok"}

        titles: list[str] = []
        cursor = None
        for _ in range(20):
            page = http.get("/api/v1/movies", params={"cursor": cursor} if cursor else {}).json()
            titles += [movie["title"] for movie in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(titles) >= 12 and len(set(titles)) == len(titles), titles
        first = http.get("/api/v1/movies").json()["items"][0]
        poster = http.get(first["poster_url"])
        assert poster.status_code == 200 and poster.headers["content-type"] == "image/png"

        # The demo turns the dev sign-in provider on, and prints how to use it.
        login = http.post("/api/v1/auth/wx-login", json={"code": "dev-alice"})
        assert login.status_code == 200, login.text
        assert "dev-NAME" in server.output()
        assert f"{server.base_url}/api/v1/openapi.json" in server.output()

        assert len(redis_servers_in(data_dir)) == 1
        assert server.stop() == 0
    assert redis_servers_in(data_dir) == [], server.output()
    assert (data_dir / "seatcore.sqlite3").exists()
