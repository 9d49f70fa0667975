"""Loyalty fixtures: the order shop (sandbox payments), an admin's headers, and helpers to make
members with points, campaigns and coupons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from seatcore.auth.principal import Principal
from seatcore.runtime import Runtime
from seatcore.store import loyalty, users
from tests.orders.conftest import Auth, Shop, key, runtime_of, settings, shop

__all__ = ["Auth", "Shop", "key", "settings", "shop"]  # fixtures and helpers for the tests here


@pytest.fixture
async def admin(shop: Shop) -> Auth:
    runtime = runtime_of(shop.app)
    staff_id = await users.create_staff(runtime.db, "chain-admin", "not-a-password-hash", "admin", ())
    token = runtime.tokens.issue(Principal(kind="staff", id=staff_id, role="admin"))
    return {"Authorization": f"Bearer {token}"}


def rt(shop: Shop) -> Runtime:
    return runtime_of(shop.app)


async def join(shop: Shop, auth: Auth) -> dict[str, Any]:
    response = await shop.client.post("/api/v1/me/membership", headers=auth)
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def user_id(shop: Shop, auth: Auth) -> int:
    token = auth["Authorization"].removeprefix("Bearer ")
    principal = rt(shop).tokens.verify(token)
    return int(principal.id)


async def give_points(shop: Shop, auth: Auth, points: int) -> None:
    """A staff-style adjustment: points that expire in a year."""
    uid = await user_id(shop, auth)
    async with rt(shop).db.begin() as conn:
        expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=365)
        assert await loyalty.change_points(conn, uid, points, "adjust", expires_at=expires)


async def balance(shop: Shop, auth: Auth) -> int:
    response = await shop.client.get("/api/v1/me/membership", headers=auth)
    assert response.status_code == 200, response.text
    return int(response.json()["points"])


async def campaign(shop: Shop, admin: Auth, **values: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "name": "Test campaign",
        "kind": "amount",
        "value": 500,
        "valid_from": (now - timedelta(hours=1)).isoformat(),
        "valid_until": (now + timedelta(days=7)).isoformat(),
        "per_user_limit": 1,
        "stock": 100,
    } | values
    response = await shop.client.post("/api/v1/staff/campaigns", json=body, headers=admin)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def claim(shop: Shop, auth: Auth, **body: Any) -> dict[str, Any]:
    response = await shop.client.post("/api/v1/coupons/claim", json=body, headers=auth)
    assert response.status_code == 201, response.text
    coupon: dict[str, Any] = response.json()
    return coupon


async def coupon_state(shop: Shop, auth: Auth, coupon_id: int) -> str:
    response = await shop.client.get("/api/v1/me/coupons", headers=auth)
    assert response.status_code == 200, response.text
    return str(next(c["state"] for c in response.json()["items"] if c["id"] == coupon_id))
