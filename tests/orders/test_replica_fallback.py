"""WAIT after payment, the service's side (docs/scaling.md): when no Redis replica acknowledges a
paid order in time, the payment notice is answered only once the order is in MySQL; when one
does, at once. The waits themselves run on a real cluster in tests/cluster/test_replica_ack.py."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from seatcore.orders import store
from seatcore.payments import PaymentNotice
from tests.orders.conftest import Shop, runtime_of

WRITER_LATE_S = 1.0


async def _paid(
    shop: Shop, name: str, seat: str, acknowledged: bool | None, monkeypatch: pytest.MonkeyPatch
) -> bool:
    """Order one seat and deliver its payment notice with the replicas answering ``acknowledged``;
    whether the order was in MySQL when the notice was answered."""
    show = await shop.show()
    auth = await shop.login(name)
    order = await shop.order(auth, (await shop.hold(auth, show.showtime_id, [seat]))["id"])
    asked: list[Sequence[str]] = []

    async def replicas(guarded: Sequence[str]) -> bool | None:
        asked.append(guarded)
        return acknowledged

    monkeypatch.setattr(shop.orders.replica_ack, "wait", replicas)
    notice = PaymentNotice(
        order_id=order["id"],
        transaction_id=f"sandbox-{name}",
        amount_fen=order["amount_fen"],
        status="paid",
        paid_at=datetime.now(UTC),
        raw={},
    )
    await shop.orders.on_notice(notice)
    assert [list(keys) for keys in asked] == [
        [f"sc:{{show:{show.showtime_id}}}:order:{order['id']}", "sc:orders:in-flight"]
    ]
    return await store.get(runtime_of(shop.app).db, order["id"]) is not None


@pytest.fixture
def slow_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The writers land each batch a second late, so "answered before it landed" shows."""
    land = store.land

    async def late(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(WRITER_LATE_S)
        return await land(*args, **kwargs)

    monkeypatch.setattr(store, "land", late)


async def test_not_acknowledged_the_notice_is_answered_once_the_order_is_in_mysql(
    shop: Shop, slow_writer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await _paid(shop, "alice", "A-1", False, monkeypatch)


async def test_control_acknowledged_the_notice_is_answered_before_the_order_is_in_mysql(
    shop: Shop, slow_writer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the fallback's wait the same slow writer leaves the order out of MySQL at the
    answer: the test above would fail if the fallback did not wait."""
    assert not await _paid(shop, "bob", "A-1", True, monkeypatch)
