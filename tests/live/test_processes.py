"""Two service processes (real ``seatcore serve``) on one MariaDB and one Redis: a hold made through
either reaches watchers of both, and a client that loses one server resumes on the other.

The test makes its rows directly: the servers are the only processes serving.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from seatcore.auth.principal import Principal
from seatcore.auth.tokens import TokenIssuer
from seatcore.db.engine import create_db_engine
from seatcore.settings import Settings
from seatcore.store import users
from tests.factories import make_show
from tests.live.watching import receive_json
from tests.servers import clean_env, running

pytestmark = pytest.mark.timeout(180)


async def test_a_hold_on_one_process_reaches_watchers_on_the_other(
    settings: Settings, tmp_path: Path
) -> None:
    db = create_db_engine(settings)
    try:
        show = await make_show(db)
        user = await users.get_or_create_user(db, "openid-two-processes", "two")
    finally:
        await db.dispose()
    token = TokenIssuer(settings.secret_key, settings.token_ttl_s).issue(
        Principal("user", user.id, "moviegoer")
    )
    headers = {"Authorization": f"Bearer {token}"}
    env = clean_env(
        tmp_path,
        SEATCORE_DATABASE_URL=settings.database_url,
        SEATCORE_REDIS_URL=settings.redis_url,
        SEATCORE_SECRET_KEY=settings.secret_key,
        SEATCORE_DATA_DIR=str(tmp_path / "data"),
    )
    with contextlib.ExitStack() as stack:
        one = stack.enter_context(running(["serve"], cwd=tmp_path, env=env))
        two = stack.enter_context(running(["serve"], cwd=tmp_path, env=env))
        path = f"/ws/showtimes/{show.showtime_id}"
        async with (
            # The moviegoer's own sockets: they are sent the ids of the holds they make.
            connect(one.base_url.replace("http", "ws") + path, additional_headers=headers) as on_one,
            connect(two.base_url.replace("http", "ws") + path, additional_headers=headers) as on_two,
            httpx.AsyncClient(timeout=10) as http,
        ):
            start = await receive_json(on_one)
            assert (await receive_json(on_two))["seq"] == start["seq"]
            for server, seats in ((one, ["B-3", "B-4"]), (two, ["D-7", "D-8"])):
                url = f"{server.base_url}/api/v1/showtimes/{show.showtime_id}/holds"
                response = await http.post(url, json={"seats": seats}, headers=headers)
                assert response.status_code == 201, response.text
                hold = response.json()
                for ws in (on_one, on_two):
                    delta = await receive_json(ws)
                    assert {c["seat"]: c.get("hold_id") for c in delta["changes"]} == dict.fromkeys(
                        seats, hold["id"]
                    )
                release = await http.delete(f"{server.base_url}/api/v1/holds/{hold['id']}", headers=headers)
                assert release.status_code == 204
                for ws in (on_one, on_two):
                    assert {c["state"] for c in (await receive_json(ws))["changes"]} == {"free"}
            last = start["seq"] + 4
        # One process goes away; its client resumes on the other, from the change log.
        one.stop()
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(
                f"{two.base_url}/api/v1/showtimes/{show.showtime_id}/holds", json={"best": 2}, headers=headers
            )
        assert response.status_code == 201
        ws_two = two.base_url.replace("http", "ws")
        async with connect(f"{ws_two}{path}?since={last}&epoch={start['epoch']}") as resumed:
            replay = await receive_json(resumed)
            assert (replay["type"], replay["from_seq"], replay["seq"]) == ("delta", last + 1, last + 1)
            assert sorted(c["seat"] for c in replay["changes"]) == sorted(response.json()["seats"])
