"""Read replicas: with SEATCORE_DATABASE_REPLICA_URL set, catalogue pages, reports and staff
look-ups read the replica, while a moviegoer's own orders (and every money path) stay on the
primary. The "replica" here is a second database filled differently, so each answer shows which
of the two it was read from (no replication is needed for that)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator

import httpx
import pymysql
import pytest
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from seatcore.auth.principal import Principal
from seatcore.db.migrate import upgrade
from seatcore.settings import Settings
from seatcore.store import users
from tests.conftest import MYSQL_HOST, MYSQL_PORT
from tests.factories import make_movie
from tests.orders.conftest import Shop

_TODAY = dt.date.today()
_AROUND_TODAY = f"start={_TODAY - dt.timedelta(days=30)}&end={_TODAY + dt.timedelta(days=30)}"


@pytest.fixture(scope="module")
def replica_url() -> Iterator[str]:
    name = f"sct_replica_{secrets.token_hex(4)}"
    conn = pymysql.connect(host=MYSQL_HOST, port=MYSQL_PORT, user="root", password="")
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    url = f"mysql://root@{MYSQL_HOST}:{MYSQL_PORT}/{name}"
    try:
        upgrade(make_url(url))
        yield url
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture
def settings(settings: Settings, replica_url: str) -> Settings:
    return settings.model_copy(update={"database_replica_url": replica_url, "sandbox_pay_delay_ms": 20})


async def test_catalogue_pages_read_the_replica(app: Starlette, client: httpx.AsyncClient) -> None:
    runtime = app.state.runtime
    assert runtime.reports_db is not runtime.db
    await make_movie(runtime.db, "Only On The Primary")
    await make_movie(runtime.reports_db, "Only On The Replica")
    titles = [movie["title"] for movie in (await client.get("/api/v1/movies")).json()["items"]]
    assert titles == ["Only On The Replica"]


async def test_a_paid_order_is_its_owners_at_once_while_staff_look_ups_read_the_replica(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    runtime = app.state.runtime
    shop = Shop(app, client)
    show = await shop.show()  # on the primary, where the seat engine and orders read
    alice = await shop.login("alice")
    hold = await shop.hold(alice, show.showtime_id, ["A-1", "A-2"])
    order = await shop.order(alice, hold["id"])
    await shop.pay(alice, order["id"])
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")  # read from the primary
    assert [ticket["seat"] for ticket in ticketed["tickets"]] == ["A-1", "A-2"]

    staff_id = await users.create_staff(runtime.db, "boss", "not-a-password-hash", "admin", ())
    boss = {
        "Authorization": f"Bearer {runtime.tokens.issue(Principal(kind='staff', id=staff_id, role='admin'))}"
    }
    # The replica has not seen the order (here: never will): the look-up says so.
    assert (await client.get(f"/api/v1/staff/orders/{order['id']}", headers=boss)).status_code == 404
    report = await client.get(f"/api/v1/staff/boxoffice/summary?{_AROUND_TODAY}&group_by=movie", headers=boss)
    assert report.status_code == 200, report.text
    assert report.json()["totals"]["tickets"] == 0  # the replica's figures, not the primary's 2
    assert report.json()["replica_lag_s"] is None  # this "replica" does not replicate: lag unknown


async def test_without_a_replica_reports_read_the_primary_and_are_current(
    app: Starlette, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = app.state.runtime
    from seatcore.db.replica import ReplicaLag

    monkeypatch.setattr(runtime, "reports_db", runtime.db)
    monkeypatch.setattr(runtime, "replica_lag", ReplicaLag(None))
    staff_id = await users.create_staff(runtime.db, "boss", "not-a-password-hash", "admin", ())
    boss = {
        "Authorization": f"Bearer {runtime.tokens.issue(Principal(kind='staff', id=staff_id, role='admin'))}"
    }
    report = await client.get(f"/api/v1/staff/boxoffice/summary?{_AROUND_TODAY}&group_by=movie", headers=boss)
    assert report.status_code == 200, report.text
    assert report.json()["replica_lag_s"] == 0.0
