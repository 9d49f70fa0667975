"""Box-office figures on a generated year of sales (tests/staff/yeardata.py), against figures worked
out by hand, plus the CSV export and the summary catching up with later changes."""

from __future__ import annotations

import csv
import io
import time

import httpx
import pytest
from sqlalchemy import update

from seatcore.db.schema import orders, tickets
from seatcore.runtime import Runtime
from seatcore.store._time import utcnow
from tests.staff.conftest import Headers, StaffHeaders
from tests.staff.yeardata import Year, make_year, show_id

YEAR = "start=2025-01-01&end=2025-12-31"

# Worked out by hand (see yeardata's docstring):
# A: sum of d % 7 over d = 0..364: 52 weeks of 0+1+...+6 = 21, and d = 364 adds 0 -> 1092 tickets.
# B: sum of 2 * (d % 3): 121 cycles of 0+1+2 = 3 -> 363, d = 363, 364 add 0 + 1 -> 364, doubled 728;
#    refunded days d = 10k (k = 0..36) have d % 3 == k % 3: 12 cycles of 3 + 0 -> 36, doubled 72 -> 656.
# C: sum of d % 4: 91 cycles of 0+1+2+3 = 6 -> 546, d = 364 adds 0 -> 546 tickets at 8000 fen.
A_TICKETS, B_TICKETS, C_TICKETS = 1092, 656, 546
REVENUE = (A_TICKETS + B_TICKETS) * 4000 + C_TICKETS * 8000  # 11,360,000 fen
CAPACITY = 365 * 2 * 20 + 364 * 10  # hall 1 twice a day, hall 2 daily less the cancelled day 100


@pytest.fixture
async def year(runtime: Runtime) -> Year:
    return await make_year(runtime.db)


@pytest.fixture
async def manager(year: Year, staff_headers: StaffHeaders) -> Headers:
    return await staff_headers("yuki", cinemas=(year.cinema_id,))


async def test_year_totals_and_groups(client: httpx.AsyncClient, year: Year, manager: Headers) -> None:
    started = time.perf_counter()
    response = await client.get(f"/api/v1/staff/boxoffice/summary?{YEAR}&group_by=movie", headers=manager)
    first_s = time.perf_counter() - started
    assert response.status_code == 200, response.text
    body = response.json()
    assert REVENUE == 11_360_000
    assert body["totals"] == {
        "shows": 365 * 3 - 1,
        "capacity": CAPACITY,
        "tickets": A_TICKETS + B_TICKETS + C_TICKETS,
        "revenue_fen": REVENUE,
        "occupancy": round(2294 / 18240, 4),
    }
    by_movie = {g["label"]: g for g in body["groups"]}
    assert by_movie["Alpha"]["tickets"] == 1092 and by_movie["Alpha"]["revenue_fen"] == 4_368_000
    assert by_movie["Alpha"]["capacity"] == 7300 and by_movie["Alpha"]["shows"] == 365
    assert (
        by_movie["Beta"]["tickets"] == 656 + 546 and by_movie["Beta"]["revenue_fen"] == 2_624_000 + 4_368_000
    )
    assert by_movie["Beta"]["capacity"] == 7300 + 3640 and by_movie["Beta"]["shows"] == 729
    assert [g["label"] for g in body["groups"]] == ["Beta", "Alpha"]  # by revenue

    halls = (
        await client.get(f"/api/v1/staff/boxoffice/summary?{YEAR}&group_by=hall", headers=manager)
    ).json()
    by_hall = {g["key"]: (g["tickets"], g["revenue_fen"], g["capacity"]) for g in halls["groups"]}
    assert by_hall == {
        str(year.hall_1): (1748, 6_992_000, 14_600),
        str(year.hall_2): (546, 4_368_000, 3640),
    }
    assert halls["groups"][0]["label"] == "Year Cinema · Hall 1"

    started = time.perf_counter()
    cinemas = (
        await client.get(f"/api/v1/staff/boxoffice/summary?{YEAR}&group_by=cinema", headers=manager)
    ).json()
    warm_s = time.perf_counter() - started
    assert [(g["label"], g["revenue_fen"]) for g in cinemas["groups"]] == [("Year Cinema", REVENUE)]
    print(f"\nyear report: first (builds the summary) {first_s * 1000:.0f} ms, next {warm_s * 1000:.0f} ms")


async def test_days_follow_the_cinema_clock(client: httpx.AsyncClient, year: Year, manager: Headers) -> None:
    # 2 January 2025 is day 1: A sells 1, B sells 2, C (07:30 local, 23:30 UTC on 1 January) sells 1 vip.
    days = await client.get(
        "/api/v1/staff/boxoffice/summary?start=2025-01-01&end=2025-01-03&group_by=day", headers=manager
    )
    rows = {
        g["key"]: (g["shows"], g["tickets"], g["revenue_fen"], g["capacity"]) for g in days.json()["groups"]
    }
    assert rows == {
        "2025-01-01": (3, 0, 0, 50),  # day 0: 0 + 0 + 0 (B's order would be refunded anyway)
        "2025-01-02": (3, 4, 1 * 4000 + 2 * 4000 + 1 * 8000, 50),
        "2025-01-03": (3, 2 + 4 + 2, 2 * 4000 + 4 * 4000 + 2 * 8000, 50),
    }
    # Day 100 (11 April): C is cancelled, so only hall 1's 40 seats were offered.
    cancelled_day = await client.get(
        "/api/v1/staff/boxoffice/summary?start=2025-04-11&end=2025-04-11&group_by=day", headers=manager
    )
    assert cancelled_day.json()["totals"]["capacity"] == 40
    assert cancelled_day.json()["totals"]["shows"] == 2


async def test_sales_by_hour_and_top_movies(client: httpx.AsyncClient, year: Year, manager: Headers) -> None:
    hours = (await client.get(f"/api/v1/staff/boxoffice/hours?{YEAR}", headers=manager)).json()["hours"]
    assert len(hours) == 24
    sold = {h["hour"]: h["tickets"] for h in hours if h["tickets"]}
    assert sold == {5: C_TICKETS, 8: A_TICKETS, 17: B_TICKETS}  # paid two hours before each start
    assert sum(h["revenue_fen"] for h in hours) == REVENUE

    top = (await client.get(f"/api/v1/staff/boxoffice/top-movies?{YEAR}&limit=1", headers=manager)).json()
    assert [(m["label"], m["revenue_fen"]) for m in top["movies"]] == [("Beta", 6_992_000)]


async def test_summary_catches_up_with_refunds(
    client: httpx.AsyncClient, year: Year, manager: Headers, runtime: Runtime
) -> None:
    day = "start=2025-01-02&end=2025-01-02"
    before = (await client.get(f"/api/v1/staff/boxoffice/summary?{day}", headers=manager)).json()["totals"]
    assert before["tickets"] == 4
    order_id = f"Y{show_id(1, 2)}"  # C on day 1: one vip ticket
    async with runtime.db.begin() as conn:
        await conn.execute(
            update(orders).where(orders.c.id == order_id).values(status="refunded", updated_at=utcnow())
        )
        await conn.execute(update(tickets).where(tickets.c.order_id == order_id).values(live=None))
    after = (await client.get(f"/api/v1/staff/boxoffice/summary?{day}", headers=manager)).json()["totals"]
    assert (after["tickets"], after["revenue_fen"]) == (3, 12_000)
    # Losing Redis (the watermark) rebuilds the whole summary, with the same figures.
    await runtime.redis.flushdb()
    again = (await client.get(f"/api/v1/staff/boxoffice/summary?{YEAR}", headers=manager)).json()["totals"]
    assert (again["tickets"], again["revenue_fen"]) == (2294 - 1, REVENUE - 8000)


async def test_csv_export(client: httpx.AsyncClient, year: Year, manager: Headers) -> None:
    response = await client.get(
        "/api/v1/staff/boxoffice/export.csv?start=2025-01-02&end=2025-01-02", headers=manager
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "boxoffice-showtime-2025-01-02-2025-01-02.csv" in response.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["hall"], r["movie"], r["starts_at"], r["tickets"], r["revenue_fen"]) for r in lines] == [
        ("Hall 2", "Beta", "2025-01-02T07:30:00+08:00", "1", "8000"),
        ("Hall 1", "Alpha", "2025-01-02T10:00:00+08:00", "1", "4000"),
        ("Hall 1", "Beta", "2025-01-02T19:00:00+08:00", "2", "8000"),
    ]
    assert lines[0]["occupancy"] == "0.1" and lines[0]["capacity"] == "10"

    by_movie = await client.get(f"/api/v1/staff/boxoffice/export.csv?{YEAR}&group_by=movie", headers=manager)
    rows = list(csv.reader(io.StringIO(by_movie.text)))
    assert rows[0] == ["movie", "label", "shows", "capacity", "tickets", "revenue_fen", "occupancy"]
    assert rows[1][1:6] == ["Beta", "729", "10940", "1202", "6992000"]
    assert rows[2][1:6] == ["Alpha", "365", "7300", "1092", "4368000"]


async def test_report_ranges_are_checked(client: httpx.AsyncClient, year: Year, manager: Headers) -> None:
    for query in (
        "start=2025-02-01&end=2025-01-01",
        "start=2024-01-01&end=2025-12-31",
        "start=bad&end=2025-01-01",
    ):
        response = await client.get(f"/api/v1/staff/boxoffice/summary?{query}", headers=manager)
        assert response.status_code == 422, query
