"""A master of the service's Redis Cluster dies in the middle of sales: its replica is promoted,
commands retry and reconnect, the live map resubscribes and resyncs, and no paid order is lost."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from seatcore import keys
from seatcore.auth.principal import Principal
from seatcore.db.schema import tickets
from seatcore.store import users
from tests.cluster.redis_cluster import LoopbackCluster, wait_for
from tests.factories import make_show
from tests.live.serving import serving
from tests.live.watching import MapClient, converged, eventually

pytestmark = pytest.mark.cluster

SHOWTIMES = 6
BUYERS = 24  # per showtime, two seats each; half buy before the kill, half during and after
RETRY_FOR_S = 30.0  # longer than a failover (node timeout 1 s + election)


def _pair(n: int) -> list[str]:
    """The n-th pair of a 5 x 10 hall: pairs from odd seats never leave a single seat alone."""
    row, first = "ABCDE"[n // 5], 2 * (n % 5) + 1
    return [f"{row}-{first}", f"{row}-{first + 1}"]


async def _call(client: httpx.AsyncClient, method: str, url: str, **options: Any) -> httpx.Response:
    """The request as a patient app makes it: again (same Idempotency-Key) while the service
    answers 503 during the failover."""
    deadline = asyncio.get_running_loop().time() + RETRY_FOR_S
    while True:
        response = await client.request(method, url, **options)
        if response.status_code != 503 or asyncio.get_running_loop().time() > deadline:
            return response
        await asyncio.sleep(0.2)


async def _buy(
    runtime: Any, client: httpx.AsyncClient, name: str, showtime_id: int, seats: list[str]
) -> str | None:
    """Hold, order and pay two seats; the order id once the moviegoer was told it is paid."""
    user = await users.get_or_create_user(runtime.db, f"openid-{name}", name)
    token = runtime.tokens.issue(Principal(kind="user", id=user.id, role="moviegoer"))
    auth = {"Authorization": f"Bearer {token}"}
    hold = await _call(
        client, "POST", f"/api/v1/showtimes/{showtime_id}/holds", json={"seats": seats}, headers=auth
    )
    if hold.status_code != 201:
        return None  # a hold may be lost with its master: the moviegoer picks again
    idem = {"Idempotency-Key": secrets.token_hex(8)}
    order = await _call(
        client, "POST", "/api/v1/orders", json={"hold_id": hold.json()["id"]}, headers=auth | idem
    )
    if order.status_code != 201:
        return None
    order_id = str(order.json()["id"])
    pay = await _call(
        client,
        "POST",
        f"/api/v1/orders/{order_id}/pay",
        headers=auth | {"Idempotency-Key": secrets.token_hex(8)},
    )
    if pay.status_code != 200:
        return None
    deadline = asyncio.get_running_loop().time() + RETRY_FOR_S
    while asyncio.get_running_loop().time() < deadline:
        seen = await _call(client, "GET", f"/api/v1/orders/{order_id}", headers=auth)
        if seen.status_code == 200 and seen.json()["status"] in ("paid", "ticketed"):
            return order_id
        await asyncio.sleep(0.1)
    return None


async def test_a_master_dies_mid_sale(app: Starlette, test_cluster: LoopbackCluster) -> None:
    runtime = app.state.runtime
    shows = [await make_show(runtime.db) for _ in range(SHOWTIMES)]
    doomed_port = runtime.redis.get_node_from_key(keys.show_seq(shows[0].showtime_id)).port
    async with serving(app) as server, httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        watchers = [MapClient(server.ws_base, show.showtime_id) for show in shows]
        for watcher in watchers:
            await watcher.start()
        await eventually(lambda: all(w.seq is not None for w in watchers))

        async def buyers(first: int, last: int) -> list[str | None]:
            return await asyncio.gather(
                *(
                    _buy(
                        runtime,
                        client,
                        f"fan-{show.showtime_id}-{n}",
                        show.showtime_id,
                        _pair(n),
                    )
                    for show in shows
                    for n in range(first, last)
                )
            )

        before = await buyers(0, BUYERS // 2)
        rush = asyncio.create_task(buyers(BUYERS // 2, BUYERS))
        await asyncio.sleep(0.05)
        test_cluster.kill(doomed_port)
        after = await rush
        wait_for(
            lambda: doomed_port not in test_cluster.masters() and len(test_cluster.masters()) == 3,
            "a replica promoted",
        )

        told_paid = [order_id for order_id in before + after if order_id is not None]
        assert len([o for o in before if o]) == SHOWTIMES * (BUYERS // 2), "every sale before the kill"
        assert [order_id for order_id in after if order_id], "sales went on through the failover"

        # Every order the moviegoer was told is paid lands in MySQL with its ticket.
        async def landed() -> int:
            async with runtime.db.connect() as conn:
                return int(
                    (
                        await conn.execute(
                            select(func.count(tickets.c.order_id.distinct())).where(
                                tickets.c.order_id.in_(told_paid)
                            )
                        )
                    ).scalar_one()
                )

        deadline = asyncio.get_running_loop().time() + RETRY_FOR_S
        while await landed() < len(told_paid):
            assert asyncio.get_running_loop().time() < deadline, "a paid order never reached MySQL"
            await asyncio.sleep(0.2)
        assert await landed() == len(told_paid)

        # The live map resubscribed on the promoted replica and caught up.
        assert await converged(server.engine, watchers, timeout_s=RETRY_FOR_S)
        for watcher in watchers:
            await watcher.stop()
