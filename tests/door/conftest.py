"""The door's fixtures: a showtime whose doors are open, tickets sold for it, staff to scan them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from seatcore.db.schema import tickets
from seatcore.door.service import qr_text
from seatcore.runtime import Runtime
from tests.factories import ShowFixture, make_show
from tests.staff.conftest import Headers, StaffHeaders, runtime, staff_headers  # noqa: F401
from tests.staff.sales import sell


async def qr_of(app_runtime: Runtime, code: str) -> str:
    """The QR text the order answer shows for a ticket."""
    return await qr_text(app_runtime, code)


async def codes_of(app_runtime: Runtime, order_id: str) -> list[str]:
    async with app_runtime.db.connect() as conn:
        rows = await conn.execute(
            select(tickets.c.code).where(tickets.c.order_id == order_id).order_by(tickets.c.seat_id)
        )
        return [row[0] for row in rows]


@dataclass
class Door:
    runtime: Runtime
    client: httpx.AsyncClient
    show: ShowFixture  # starts in 10 minutes: its door is open
    staff: Headers  # staff of its cinema
    other_staff: Headers  # staff of another cinema
    admin: Headers

    async def sell(self, *seats: str, live: bool = True, show: ShowFixture | None = None) -> list[str]:
        """Ticket codes of one paid order for these seats."""
        target = show or self.show
        order_id = await sell(
            self.runtime.db,
            target.showtime_id,
            seats,
            paid_at=target.starts_at - timedelta(days=1),
            live=live,
        )
        return await codes_of(self.runtime, order_id)

    async def qr(self, code: str) -> str:
        return await qr_of(self.runtime, code)

    async def scan(self, body: dict[str, object], headers: Headers | None = None) -> httpx.Response:
        return await self.client.post("/api/v1/staff/checkins", json=body, headers=headers or self.staff)


@pytest.fixture
async def door(
    runtime: Runtime,  # noqa: F811
    client: httpx.AsyncClient,
    staff_headers: StaffHeaders,  # noqa: F811
) -> Door:
    show = await make_show(runtime.db, starts_in=timedelta(minutes=10))
    other = await make_show(runtime.db, starts_in=timedelta(minutes=10), city="Beijing")
    return Door(
        runtime=runtime,
        client=client,
        show=show,
        staff=await staff_headers("gate", cinemas=(show.cinema_id,)),
        other_staff=await staff_headers("elsewhere", cinemas=(other.cinema_id,)),
        admin=await staff_headers("root", role="admin"),
    )
