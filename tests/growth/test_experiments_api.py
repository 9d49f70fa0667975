"""Experiments end to end: staff define and start one, callers read sticky assignments in one call
(each an exposure event), and the results count exposures and conversions per variant."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from starlette.applications import Starlette

from seatcore.analytics.background import event_log, event_store
from seatcore.domain.experiments import assign, unit_of
from tests.analytics.conftest import landed
from tests.conftest import Login
from tests.staff.conftest import StaffHeaders

DEFINITION: dict[str, Any] = {
    "key": "best_seats_position",
    "name": "Best seats above or below the map",
    "variants": [{"key": "below", "weight": 1}, {"key": "above", "weight": 1}],
    "metric_from": "seatmap_opened",
    "metric_to": "order_paid",
    "guardrail": "payment_success",
}


async def started(client: httpx.AsyncClient, admin: dict[str, str], **changes: Any) -> dict[str, Any]:
    created = await client.post("/api/v1/staff/experiments", json={**DEFINITION, **changes}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    answer = await client.post(f"/api/v1/staff/experiments/{created.json()['id']}/start", headers=admin)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def assignments(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **query: str) -> Any:
    answer = await client.get("/api/v1/experiments/assignments", params=query, headers=headers or {})
    assert answer.status_code == 200, answer.text
    return answer.json()["assignments"]


async def test_staff_define_and_move_experiments_admins_only(
    client: httpx.AsyncClient, staff_headers: StaffHeaders
) -> None:
    admin = await staff_headers("boss", role="admin")
    clerk = await staff_headers("clerk")
    refused = await client.post("/api/v1/staff/experiments", json=DEFINITION, headers=clerk)
    assert refused.status_code == 403
    experiment = await started(client, admin)
    assert experiment["status"] == "running" and experiment["started_at"]
    again = await client.post(f"/api/v1/staff/experiments/{experiment['id']}/start", headers=admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    taken = await client.post("/api/v1/staff/experiments", json=DEFINITION, headers=admin)
    assert taken.status_code == 409
    listed = await client.get("/api/v1/staff/experiments", headers=clerk)
    assert [e["key"] for e in listed.json()["items"]] == ["best_seats_position"]
    stopped = await client.post(f"/api/v1/staff/experiments/{experiment['id']}/stop", headers=admin)
    assert stopped.json()["status"] == "stopped"
    assert await assignments(client, device_id="device-0001") == {}


async def test_bad_definitions_are_refused_whole(
    client: httpx.AsyncClient, staff_headers: StaffHeaders
) -> None:
    admin = await staff_headers("boss", role="admin")
    bad = [
        {**DEFINITION, "variants": [{"key": "only", "weight": 1}]},
        {**DEFINITION, "variants": [{"key": "a", "weight": 1}, {"key": "a", "weight": 1}]},
        {**DEFINITION, "variants": [{"key": "a", "weight": 0}, {"key": "b", "weight": 1}]},
        {**DEFINITION, "key": "Has Spaces"},
        {**DEFINITION, "metric_to": "seatmap_opened"},
        {**DEFINITION, "metric_to": "page_view"},
        {**DEFINITION, "guardrail": "revenue"},
        {**DEFINITION, "surprise": 1},
    ]
    for body in bad:
        answer = await client.post("/api/v1/staff/experiments", json=body, headers=admin)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"]["code"] == "validation_failed"
    listed = await client.get("/api/v1/staff/experiments", headers=admin)
    assert listed.json()["items"] == []


async def test_assignments_are_sticky_per_device_and_per_moviegoer(
    client: httpx.AsyncClient, staff_headers: StaffHeaders, login: Login
) -> None:
    admin = await staff_headers("boss", role="admin")
    await started(client, admin)
    await started(client, admin, key="mini_only", channels=["miniprogram"])
    await started(client, admin, key="members_only", signed_in=True)
    first = await assignments(client, device_id="device-0001")
    assert set(first) == {"best_seats_position"}
    expected = ["below", "above"][assign("best_seats_position", "ddevice-0001", [1, 1])]
    assert first["best_seats_position"] == expected
    for _ in range(3):
        assert await assignments(client, device_id="device-0001") == first
    mini = await assignments(client, device_id="device-0001", channel="miniprogram")
    assert set(mini) == {"best_seats_position", "mini_only"}
    alice = await login("alice")
    mine = await assignments(client, alice, device_id="device-0001")
    assert set(mine) == {"best_seats_position", "members_only"}
    # Signed in, the moviegoer is the unit: any device gives the same variant.
    assert await assignments(client, alice, device_id="another-phone") == mine
    assert await assignments(client) == {}  # nobody to assign: no device, not signed in
    bad = await client.get("/api/v1/experiments/assignments", params={"device_id": "x"})
    assert bad.status_code == 422


async def test_results_count_exposures_and_conversions_per_variant(
    app: Starlette, client: httpx.AsyncClient, staff_headers: StaffHeaders
) -> None:
    admin = await staff_headers("boss", role="admin")
    experiment = await started(client, admin)
    devices = [f"device-{i:04d}" for i in range(40)]
    for device in devices:
        await assignments(client, device_id=device)
    await landed(app, len(devices))  # every answer became an exposure event
    variant = {
        d: ["below", "above"][assign("best_seats_position", unit_of(None, d) or "", [1, 1])] for d in devices
    }
    # Scripted behaviour: every exposed device opens a seat map; "above" devices pay, and of the
    # "below" devices only the first three; one "below" payment fails.
    log = event_log(app.state.runtime)
    now_ms = int(time.time() * 1000)
    rows = []
    below = [d for d in devices if variant[d] == "below"]
    for device in devices:
        fields = {"source": "client", "channel": "web", "device": device}
        rows.append(log.row("seatmap_opened", now_ms, showtime_id=1, **fields))
        if variant[device] == "above" or device in below[:3]:
            rows.append(log.row("order_paid", now_ms + 1, order_id=f"o-{device}", **fields))
    rows.append(
        log.row(
            "payment_failed", now_ms + 2, order_id="o-bad", source="server", channel="web", device=below[5]
        )
    )
    rows.append(
        log.row(
            "order_paid", now_ms, order_id="o-early", source="client", channel="web", device="never-exposed"
        )
    )
    await asyncio.to_thread(event_store(app.state.runtime).append, rows)

    stopped = await client.post(f"/api/v1/staff/experiments/{experiment['id']}/stop", headers=admin)
    assert stopped.status_code == 200
    answer = await client.get(f"/api/v1/staff/experiments/{experiment['id']}/results", headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    by_key = {v["key"]: v for v in body["variants"]}
    n_above = sum(1 for d in devices if variant[d] == "above")
    assert by_key["below"]["exposures"] == len(below) and by_key["above"]["exposures"] == n_above
    assert by_key["below"]["conversions"] == 3 and by_key["above"]["conversions"] == n_above
    assert by_key["above"]["rate"] == 1.0
    low, high = by_key["below"]["interval"]
    assert low < 3 / len(below) < high
    versus = by_key["above"]["versus_control"]
    assert versus["difference"] == 1.0 - 3 / len(below) and versus["p_value"] < 0.001
    assert by_key["below"]["versus_control"] is None
    assert by_key["below"]["guardrail_rate"] == 3 / 4 and by_key["above"]["guardrail_rate"] == 1.0
    assert by_key["above"]["guardrail_worse"] is False
    assert body["sample_ratio"]["mismatch"] is False


async def test_a_device_flooding_assignments_is_refused(
    app: Starlette, client: httpx.AsyncClient, staff_headers: StaffHeaders
) -> None:
    admin = await staff_headers("boss", role="admin")
    await started(client, admin)
    limit = app.state.runtime.settings.analytics_device_batches_per_minute
    answers = [
        (await client.get("/api/v1/experiments/assignments", params={"device_id": "flooding-1"})).status_code
        for _ in range(limit + 3)
    ]
    assert answers.count(200) == limit and answers[-3:] == [429, 429, 429]
    # Another device is not held back.
    assert set(await assignments(client, device_id="quiet-device")) == {"best_seats_position"}
