"""A hall of over a thousand seats fits in the store (its layout document is past 64 KiB)."""

import httpx
import orjson
from starlette.applications import Starlette

from seatcore.domain.layout import grid_layout
from tests.factories import make_show


async def test_a_thousand_seat_hall_is_stored_and_served(app: Starlette, client: httpx.AsyncClient) -> None:
    layout = grid_layout(40, 30, aisles=(15,))
    assert len(orjson.dumps(layout)) > 64 * 1024
    show = await make_show(app.state.runtime.db, layout=layout)
    seats = await client.get(f"/api/v1/showtimes/{show.showtime_id}/seats")
    assert seats.status_code == 200
    assert len(seats.json()["states"]) == 40 * 29
