"""The door on the embedded demo's SQLite: a first key is made in the data folder, a ticket comes in
once, and the offline sync reports the conflict (the same statements as on MariaDB)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis
from starlette.applications import Starlette

from seatcore.app import create_app
from seatcore.auth.principal import Principal
from seatcore.db.engine import database_url
from seatcore.db.migrate import upgrade
from seatcore.door.service import qr_text
from seatcore.runtime import Runtime
from seatcore.settings import Settings
from seatcore.store import users
from tests.door.conftest import codes_of
from tests.factories import make_show
from tests.staff.sales import sell


@pytest.fixture
async def sqlite_app(settings: Settings) -> AsyncIterator[Starlette]:
    embedded = settings.model_copy(update={"database_url": ""})
    upgrade(database_url(embedded))
    redis.Redis.from_url(settings.redis_url).flushdb()
    application = create_app(embedded)
    async with application.router.lifespan_context(application):
        yield application


async def test_check_in_and_sync_on_sqlite(sqlite_app: Starlette) -> None:
    runtime: Runtime = sqlite_app.state.runtime
    show = await make_show(runtime.db, starts_in=timedelta(minutes=10))
    order_id = await sell(runtime.db, show.showtime_id, ["A-1"], paid_at=datetime.now(UTC))
    (code,) = await codes_of(runtime, order_id)
    qr = await qr_text(runtime, code)
    assert (runtime.settings.data_dir / "door-keys" / "k1.key").exists()
    staff_id = await users.create_staff(runtime.db, "gate", "x", "staff", (show.cinema_id,))
    headers = {"Authorization": f"Bearer {runtime.tokens.issue(Principal('staff', staff_id, 'staff'))}"}
    transport = httpx.ASGITransport(app=sqlite_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        first = await client.post("/api/v1/staff/checkins", json={"qr": qr, "door": "north"})
        assert first.status_code == 200, first.text
        again = await client.post("/api/v1/staff/checkins", json={"qr": qr, "door": "south"})
        assert again.json()["error"]["code"] == "already_checked_in"
        scanned_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        synced = await client.post(
            "/api/v1/staff/door/sync", json={"scans": [{"qr": qr, "door": "west", "scanned_at": scanned_at}]}
        )
        assert synced.json()["results"][0]["reason"] == "admitted_elsewhere"
