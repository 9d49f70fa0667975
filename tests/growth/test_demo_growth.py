"""``seed-demo``'s moviegoers: accounts with taste clusters, their want-to-see marks and 30 days of
events, a finished experiment with a result and the live one running; idempotent; and on first
start the dashboard, the experiment's results and the recommendations all show something."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from seatcore.analytics.background import event_store
from seatcore.auth.principal import Principal
from seatcore.db.schema import favourites, users
from seatcore.demo import growth
from seatcore.demo.seed import seed_demo
from seatcore.recommend.service import build
from seatcore.settings import Settings
from seatcore.store import experiments
from tests.staff.conftest import StaffHeaders


async def counts(app: Starlette) -> tuple[int, int, int]:
    db = app.state.runtime.db
    async with db.connect() as conn:
        accounts = (await conn.execute(select(func.count()).select_from(users))).scalar_one()
        wants = (await conn.execute(select(func.count()).select_from(favourites))).scalar_one()
    return int(accounts), int(wants), event_store(app.state.runtime).count_events()


async def test_the_demo_moviegoers_fill_every_chart(
    app: Starlette, client: httpx.AsyncClient, settings: Settings, staff_headers: StaffHeaders
) -> None:
    started = time.perf_counter()
    summary = await seed_demo(settings)
    seeded_s = time.perf_counter() - started
    assert "demo moviegoers: 3000" in summary
    print(f"seed-demo with the moviegoers: {seeded_s:.1f} s\n{summary}")
    first = await counts(app)
    assert first[0] >= growth.MOVIEGOERS and first[1] > 1000 and first[2] > 50_000
    await seed_demo(settings)
    assert await counts(app) == first  # idempotent

    admin = await staff_headers("boss", role="admin")
    today = dt.datetime.now(ZoneInfo(settings.analytics_timezone)).date()
    window = {"start": (today - dt.timedelta(days=29)).isoformat(), "end": today.isoformat()}
    funnel = (await client.get("/api/v1/staff/analytics/funnel", params=window, headers=admin)).json()
    journeys = [step["journeys"] for step in funnel["steps"]]
    assert all(journeys) and journeys == sorted(journeys, reverse=True)
    assert set(funnel["hold_refusals"]) >= {"seat_unavailable", "stranded_seat"}
    payments = (await client.get("/api/v1/staff/analytics/payments", params=window, headers=admin)).json()
    assert 0.97 < payments["success_rate"] < 1
    visits = (await client.get("/api/v1/staff/analytics/visits", params=window, headers=admin)).json()
    assert len(visits["days"]) == 30
    dwell = (await client.get("/api/v1/staff/analytics/dwell", params=window, headers=admin)).json()
    assert {p["page"] for p in dwell["pages"]} >= {"pages/home", "pages/seats"}

    pilot = await experiments.by_key(app.state.runtime.db, growth.PILOT)
    live = await experiments.by_key(app.state.runtime.db, growth.LIVE)
    assert pilot is not None and pilot.status == "stopped" and live is not None and live.status == "running"
    result = (await client.get(f"/api/v1/staff/experiments/{pilot.id}/results", headers=admin)).json()
    below, above = result["variants"]
    assert below["exposures"] > 500 and above["exposures"] > 500
    assert above["rate"] > below["rate"] and above["versus_control"]["p_value"] < 0.05
    assert result["sample_ratio"]["mismatch"] is False

    # Fans of different tastes get different picks, explained, and never a movie they bought.
    await build(app.state.runtime)
    store = event_store(app.state.runtime)
    tops = set()
    for number in range(4):  # tastes go round: fans 0..3 have the four tastes
        async with app.state.runtime.db.connect() as conn:
            query = select(users.c.id).where(users.c.openid == f"{growth.OPENID_PREFIX}{number:05d}")
            user_id = int((await conn.execute(query)).scalar_one())
        token = app.state.runtime.tokens.issue(Principal(kind="user", id=user_id, role="moviegoer"))
        fan = await client.get(
            "/api/v1/recommendations", params={"limit": 3}, headers={"Authorization": f"Bearer {token}"}
        )
        assert fan.status_code == 200
        items = fan.json()["items"]
        assert items[0]["reason"]
        bought = store.query(
            "SELECT DISTINCT movie_id FROM events WHERE name = 'order_paid' AND user_id = ?", [user_id]
        )
        assert not {row[0] for row in bought} & {item["id"] for item in items}
        tops.add(tuple(item["id"] for item in items))
    assert len(tops) > 1
    anonymous = (await client.get("/api/v1/recommendations", params={"limit": 3})).json()["items"]
    assert anonymous and all(item["basis"] == "popular" for item in anonymous)
