"""Snack fixtures: a showtime's cinema with a menu, staff of it, and the moviegoer's shop helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from seatcore.runtime import Runtime
from seatcore.store import snacks as store
from tests.factories import ShowFixture
from tests.orders.conftest import Auth, Shop, key, runtime_of, settings, shop  # noqa: F401
from tests.staff.conftest import Headers, StaffHeaders, staff_headers  # noqa: F401
from tests.staff.conftest import runtime as runtime


@dataclass
class Counter:
    """A cinema with a menu: popcorn (stock 5), cola (no limit), a combo (stock 2), tea (off sale)."""

    shop: Shop
    show: ShowFixture
    staff: Headers
    popcorn: int
    cola: int
    combo: int
    tea: int

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.shop.app)

    async def order(self, auth: Auth, seats: list[str], snacks: list[dict[str, int]]) -> Any:
        """POST /api/v1/orders for a fresh hold of ``seats``; a refused order's hold is let go."""
        hold = await self.shop.hold(auth, self.show.showtime_id, seats)
        answer = await self.order_hold(auth, hold["id"], snacks)
        if answer.status_code != 201:
            await self.shop.client.delete(f"/api/v1/holds/{hold['id']}", headers=auth)
        return answer

    async def order_hold(self, auth: Auth, hold_id: str, snacks: list[dict[str, int]]) -> Any:
        return await self.shop.client.post(
            "/api/v1/orders", json={"hold_id": hold_id, "snacks": snacks}, headers=auth | key()
        )

    async def left(self, snack_id: int) -> int | None:
        answer = await self.shop.client.get(f"/api/v1/staff/snacks/{snack_id}", headers=self.staff)
        assert answer.status_code == 200, answer.text
        left: int | None = answer.json()["stock_left"]
        return left

    async def ticketed(self, auth: Auth, order_id: str) -> dict[str, Any]:
        await self.shop.pay(auth, order_id)
        return await self.shop.wait_status(auth, order_id, "ticketed")

    async def landed(self, auth: Auth, order_id: str) -> dict[str, Any]:
        """Ticketed and in MySQL (the counter reads MySQL)."""
        order = await self.ticketed(auth, order_id)
        from tests.polling import wait_for

        async def in_mysql() -> bool:
            return await store.order_status(self.runtime.db, order_id) is not None

        await wait_for(in_mysql)
        return order


@pytest.fixture
async def counter(shop: Shop, staff_headers: StaffHeaders) -> Counter:  # noqa: F811
    show = await shop.show()
    db = runtime_of(shop.app).db
    popcorn = await store.create(
        db, None, show.cinema_id, {"kind": "item", "name": "爆米花（大）", "price_fen": 2800, "stock": 5}
    )
    cola = await store.create(db, None, show.cinema_id, {"kind": "item", "name": "可乐", "price_fen": 1200})
    combo = await store.create(
        db,
        None,
        show.cinema_id,
        {
            "kind": "combo",
            "name": "双人套餐",
            "price_fen": 4800,
            "stock": 2,
            "contents": [{"name": "爆米花", "qty": 1}, {"name": "可乐", "qty": 2}],
        },
    )
    tea = await store.create(
        db, None, show.cinema_id, {"kind": "item", "name": "茶", "price_fen": 900, "on_sale": False}
    )
    staff = await staff_headers("counter", cinemas=(show.cinema_id,))
    return Counter(shop, show, staff, popcorn.id, cola.id, combo.id, tea.id)
