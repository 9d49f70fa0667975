"""The catalogue API: every endpoint, its filters and pagination, and the Redis cache in front of it."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson
import pytest
import redis.asyncio as aioredis
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from seatcore.api.showtimes import free_seat_counts
from seatcore.auth.passwords import hash_password
from seatcore.db.schema import cinemas, movies, orders, showtimes, tickets
from seatcore.store._time import to_db, utcnow
from seatcore.store.catalogue import catalogue_changed
from seatcore.store.users import create_staff, get_or_create_user
from tests.conftest import Login
from tests.factories import ShowFixture, make_movie, make_show

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOVIE_KEYS = {
    "id",
    "title",
    "original_title",
    "genres",
    "genre_names",
    "duration_min",
    "score",
    "poster_url",
    "status",
    "release_date",
    "want_count",
}
DETAIL_KEYS = MOVIE_KEYS | {"synopsis", "director", "cast", "wanted"}
CINEMA_KEYS = {
    "id",
    "name",
    "city",
    "address",
    "timezone",
    "latitude",
    "longitude",
    "distance_m",
    "price_from_fen",
    "formats",
    "format_names",
}
SHOWTIME_KEYS = {
    "waiting_room",
    "id",
    "movie_id",
    "movie_title",
    "cinema_id",
    "cinema_name",
    "hall_id",
    "hall_name",
    "starts_at",
    "ends_at",
    "language",
    "format",
    "language_name",
    "format_name",
    "prices",
    "price_from_fen",
    "price_to_fen",
    "seat_count",
    "free_seats",
    "sales_open",
    "status",
    "on_sale_at",
    "bookable_from",
}


def db_of(app: Starlette) -> AsyncEngine:
    engine: AsyncEngine = app.state.runtime.db
    return engine


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body


async def get_ok(client: httpx.AsyncClient, url: str, **kwargs: Any) -> Any:
    response = await client.get(url, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


async def add_showtime(db: AsyncEngine, show: ShowFixture, starts_at: datetime, **values: Any) -> int:
    """Another showtime in ``show``'s hall, starting exactly at ``starts_at``."""
    row = {
        "hall_id": show.hall_id,
        "cinema_id": show.cinema_id,
        "movie_id": show.movie_id,
        "starts_at": to_db(starts_at),
        "ends_at": to_db(starts_at + timedelta(minutes=120)),
        "language": "Mandarin",
        "format": "2D",
        "prices": orjson.dumps({"standard": 4500}).decode(),
        "created_at": utcnow(),
        **values,
    }
    async with db.begin() as conn:
        return int((await conn.execute(insert(showtimes).values(**row))).lastrowid)


async def sell_ticket(db: AsyncEngine, showtime_id: int, seat_id: str, *, live: bool = True) -> None:
    user = await get_or_create_user(db, f"buyer-{secrets.token_hex(4)}")
    order_id = secrets.token_hex(8)
    now = utcnow()
    async with db.begin() as conn:
        await conn.execute(
            insert(orders).values(
                id=order_id,
                user_id=user.id,
                showtime_id=showtime_id,
                hold_id="h",
                status="ticketed" if live else "refunded",
                amount_fen=4500,
                seat_count=1,
                created_at=now,
                updated_at=now,
            )
        )
        await conn.execute(
            insert(tickets).values(
                order_id=order_id,
                showtime_id=showtime_id,
                seat_id=seat_id,
                price_fen=4500,
                code=secrets.token_hex(8),
                live=True if live else None,
                created_at=now,
            )
        )


# ------------------------------------------------------------------------------------------ movies


@pytest.fixture
async def films(app: Starlette) -> dict[str, int]:
    db = db_of(app)
    return {
        "home": await make_movie(
            db,
            "星际归途",
            original_title="The Long Way Home",
            genres="sci-fi,adventure",
            score_x10=86,
            hot_rank=2,
            duration_min=148,
            director="林望舒",
            cast="陈一鸣,苏晚",
            release_date=datetime(2030, 1, 5),
            poster_url="/media/posters/1.png",
        ),
        "summer": await make_movie(
            db, "海边的夏天", original_title="Summer by the Sea", genres="drama,romance", score_x10=75
        ),
        "space": await make_movie(
            db, "银河外卖", original_title="Space Delivery", genres="comedy", status="coming"
        ),
        "heist": await make_movie(
            db, "大劫案", original_title="The Heist", genres="action-comedy", score_x10=86, hot_rank=1
        ),
    }


async def titles(client: httpx.AsyncClient, query: str = "") -> list[str]:
    page = await get_ok(client, f"/api/v1/movies{query}")
    return [item["original_title"] for item in page["items"]]


class TestMovies:
    async def test_list_by_score_then_id(self, client: httpx.AsyncClient, films: dict[str, int]) -> None:
        page = await get_ok(client, "/api/v1/movies")
        assert [m["id"] for m in page["items"]] == [
            films["home"],
            films["heist"],
            films["summer"],
            films["space"],
        ]
        assert page["next_cursor"] is None
        home = page["items"][0]
        assert set(home) == MOVIE_KEYS
        assert home == {
            "id": films["home"],
            "title": "星际归途",
            "original_title": "The Long Way Home",
            "genres": ["sci-fi", "adventure"],
            "genre_names": ["科幻", "冒险"],
            "duration_min": 148,
            "score": 8.6,
            "poster_url": "/media/posters/1.png",
            "status": "showing",
            "release_date": "2030-01-05",
            "want_count": 0,
        }
        assert page["items"][3]["score"] is None
        assert page["items"][3]["release_date"] is None

    async def test_filter_by_status(self, client: httpx.AsyncClient, films: dict[str, int]) -> None:
        assert await titles(client, "?status=coming") == ["Space Delivery"]
        assert await titles(client, "?status=showing") == [
            "The Long Way Home",
            "The Heist",
            "Summer by the Sea",
        ]

    async def test_search_titles(self, client: httpx.AsyncClient, films: dict[str, int]) -> None:
        assert await titles(client, "?q=long%20way") == ["The Long Way Home"]
        assert await titles(client, "?q=LONG") == ["The Long Way Home"]
        assert await titles(client, "?q=星际") == ["The Long Way Home"]
        assert await titles(client, "?q=the") == ["The Long Way Home", "The Heist", "Summer by the Sea"]
        assert await titles(client, "?q=%25") == []
        assert await titles(client, "?q=_") == []

    async def test_genre_matches_whole_genres(self, client: httpx.AsyncClient, films: dict[str, int]) -> None:
        assert await titles(client, "?genre=comedy") == ["Space Delivery"]
        assert await titles(client, "?genre=action-comedy") == ["The Heist"]
        assert await titles(client, "?genre=romance") == ["Summer by the Sea"]
        assert await titles(client, "?genre=drama&status=coming") == []

    async def test_empty_parameters_are_absent(
        self, client: httpx.AsyncClient, films: dict[str, int]
    ) -> None:
        assert len(await titles(client, "?status=&q=&genre=&cursor=")) == 4

    async def test_cursor_pagination_sees_every_movie_once(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        db = db_of(app)
        ids = {await make_movie(db, f"Film {i}", score_x10=[90, 80, 80, 80, 70, 0, 0][i]) for i in range(7)}
        seen: list[int] = []
        pages = 0
        cursor = None
        while True:
            query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
            page = await get_ok(client, f"/api/v1/movies{query}")
            seen += [m["id"] for m in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 3
        assert len(seen) == len(set(seen)) == 7
        assert set(seen) == ids

    async def test_exact_last_page_has_no_cursor(
        self, client: httpx.AsyncClient, films: dict[str, int]
    ) -> None:
        first = await get_ok(client, "/api/v1/movies?limit=2")
        assert first["next_cursor"]
        second = await get_ok(client, f"/api/v1/movies?limit=2&cursor={first['next_cursor']}")
        assert len(second["items"]) == 2
        assert second["next_cursor"] is None

    @pytest.mark.parametrize(
        "cursor",
        [
            "not-a-cursor!",
            "%%%",
            base64.urlsafe_b64encode(b"[1]").decode(),
            base64.urlsafe_b64encode(b'["a", 1]').decode(),
            base64.urlsafe_b64encode(b"[true, 1]").decode(),
            base64.urlsafe_b64encode(b"[-5, 1]").decode(),
            base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        ],
    )
    async def test_bad_cursor_is_422(
        self, client: httpx.AsyncClient, films: dict[str, int], cursor: str
    ) -> None:
        body = assert_error(
            await client.get("/api/v1/movies", params={"cursor": cursor}), 422, "validation_failed"
        )
        assert body["error"]["details"]["problems"][0]["field"] == "cursor"

    @pytest.mark.parametrize(
        "query",
        ["limit=0", "limit=51", "limit=abc", "status=gone", "genre=a%25b", "sort=title", "q=" + "x" * 101],
    )
    async def test_bad_query_is_422(self, client: httpx.AsyncClient, query: str) -> None:
        assert_error(await client.get(f"/api/v1/movies?{query}"), 422, "validation_failed")

    async def test_hot_movies_in_rank_order(self, client: httpx.AsyncClient, films: dict[str, int]) -> None:
        hot = await get_ok(client, "/api/v1/movies/hot")
        assert set(hot) == {"items"}
        assert [m["id"] for m in hot["items"]] == [films["heist"], films["home"]]
        assert set(hot["items"][0]) == MOVIE_KEYS

    async def test_detail(self, client: httpx.AsyncClient, films: dict[str, int]) -> None:
        detail = await get_ok(client, f"/api/v1/movies/{films['home']}")
        assert set(detail) == DETAIL_KEYS
        assert detail["synopsis"] == "A film made for tests."
        assert detail["director"] == "林望舒"
        assert detail["cast"] == ["陈一鸣", "苏晚"]
        assert detail["wanted"] is None
        assert detail["score"] == 8.6

    @pytest.mark.parametrize("movie_id", ["999999", "0", "9007199254740993", "-1", "abc", "1.5"])
    async def test_unknown_movie_is_404(self, client: httpx.AsyncClient, movie_id: str) -> None:
        assert_error(await client.get(f"/api/v1/movies/{movie_id}"), 404, "not_found")


class TestWantToSee:
    async def test_toggle_is_idempotent_and_counts(
        self, client: httpx.AsyncClient, films: dict[str, int], login: Login
    ) -> None:
        alice, bob = await login("alice"), await login("bob")
        url = f"/api/v1/movies/{films['summer']}/want"
        assert (await get_ok(client, f"/api/v1/movies/{films['summer']}", headers=alice))["wanted"] is False
        # Warm the cached list first: the count must still move with each toggle.
        assert (await get_ok(client, "/api/v1/movies?status=showing"))["items"][2]["want_count"] == 0

        for _ in range(2):
            response = await client.put(url, headers=alice)
            assert response.status_code == 200, response.text
            assert response.json() == {"wanted": True, "want_count": 1}
        assert (await client.put(url, headers=bob)).json() == {"wanted": True, "want_count": 2}

        listed = await get_ok(client, "/api/v1/movies?status=showing")
        assert {m["id"]: m["want_count"] for m in listed["items"]}[films["summer"]] == 2
        detail = await get_ok(client, f"/api/v1/movies/{films['summer']}", headers=alice)
        assert (detail["wanted"], detail["want_count"]) == (True, 2)

        for _ in range(2):
            assert (await client.delete(url, headers=alice)).json() == {"wanted": False, "want_count": 1}
        detail = await get_ok(client, f"/api/v1/movies/{films['summer']}", headers=alice)
        assert (detail["wanted"], detail["want_count"]) == (False, 1)
        hot = await get_ok(client, "/api/v1/movies/hot")
        assert all(m["want_count"] == 0 for m in hot["items"])

    async def test_needs_a_moviegoer(
        self, client: httpx.AsyncClient, app: Starlette, films: dict[str, int]
    ) -> None:
        url = f"/api/v1/movies/{films['home']}/want"
        assert_error(await client.put(url), 401, "unauthorized")
        assert_error(await client.delete(url), 401, "unauthorized")
        await create_staff(db_of(app), "clerk", hash_password("clerk-pass-1"), "staff")
        staff = await client.post(
            "/api/v1/auth/staff-login", json={"username": "clerk", "password": "clerk-pass-1"}
        )
        headers = {"Authorization": f"Bearer {staff.json()['token']}"}
        assert_error(await client.put(url, headers=headers), 403, "forbidden")
        detail = await get_ok(client, f"/api/v1/movies/{films['home']}", headers=headers)
        assert detail["wanted"] is None

    async def test_unknown_movie(self, client: httpx.AsyncClient, login: Login) -> None:
        alice = await login("alice")
        assert_error(await client.put("/api/v1/movies/424242/want", headers=alice), 404, "not_found")
        assert_error(await client.delete("/api/v1/movies/424242/want", headers=alice), 404, "not_found")

    async def test_my_favourites_newest_first(
        self, client: httpx.AsyncClient, films: dict[str, int], login: Login
    ) -> None:
        alice, bob = await login("alice"), await login("bob")
        wanted = [films["home"], films["summer"], films["space"]]
        for movie_id in wanted:
            assert (await client.put(f"/api/v1/movies/{movie_id}/want", headers=alice)).status_code == 200
        first = await get_ok(client, "/api/v1/me/favourites?limit=2", headers=alice)
        assert [m["id"] for m in first["items"]] == wanted[::-1][:2]
        assert all(m["want_count"] == 1 and set(m) == MOVIE_KEYS for m in first["items"])
        second = await get_ok(
            client, f"/api/v1/me/favourites?limit=2&cursor={first['next_cursor']}", headers=alice
        )
        assert [m["id"] for m in second["items"]] == [wanted[0]]
        assert second["next_cursor"] is None
        assert await get_ok(client, "/api/v1/me/favourites", headers=bob) == {
            "items": [],
            "next_cursor": None,
        }

    async def test_favourites_refuse_bad_input(self, client: httpx.AsyncClient, login: Login) -> None:
        assert_error(await client.get("/api/v1/me/favourites"), 401, "unauthorized")
        alice = await login("alice")
        for query in ("cursor=xyz", "limit=100", "page=2"):
            assert_error(
                await client.get(f"/api/v1/me/favourites?{query}", headers=alice), 422, "validation_failed"
            )


# ----------------------------------------------------------------------------------------- cinemas


@pytest.fixture
async def venues(app: Starlette) -> dict[str, int]:
    db = db_of(app)
    now = utcnow()
    found = {}
    async with db.begin() as conn:
        for key, name, city in (
            ("bund", "外滩影城", "Shanghai"),
            ("pudong", "浦东影城", "Shanghai"),
            ("sanlitun", "三里屯影城", "Beijing"),
        ):
            result = await conn.execute(
                insert(cinemas).values(name=name, city=city, address=f"{city} road 1", created_at=now)
            )
            found[key] = int(result.lastrowid)
    return found


class TestCinemas:
    async def test_cities(self, client: httpx.AsyncClient, venues: dict[str, int]) -> None:
        assert await get_ok(client, "/api/v1/cities") == {
            "items": [{"city": "Beijing", "cinema_count": 1}, {"city": "Shanghai", "cinema_count": 2}]
        }

    async def test_cinemas_by_city(self, client: httpx.AsyncClient, venues: dict[str, int]) -> None:
        everyone = await get_ok(client, "/api/v1/cinemas")
        assert len(everyone["items"]) == 3
        shanghai = await get_ok(client, "/api/v1/cinemas?city=Shanghai")
        assert {c["id"] for c in shanghai["items"]} == {venues["bund"], venues["pudong"]}
        assert all(set(c) == CINEMA_KEYS for c in shanghai["items"])
        assert await get_ok(client, "/api/v1/cinemas?city=Atlantis") == {"items": []}
        assert_error(await client.get("/api/v1/cinemas?town=Shanghai"), 422, "validation_failed")

    async def test_one_cinema(self, client: httpx.AsyncClient, venues: dict[str, int]) -> None:
        cinema = await get_ok(client, f"/api/v1/cinemas/{venues['sanlitun']}")
        assert cinema == {
            "id": venues["sanlitun"],
            "name": "三里屯影城",
            "city": "Beijing",
            "address": "Beijing road 1",
            "timezone": "Asia/Shanghai",
            "latitude": None,
            "longitude": None,
            "distance_m": None,
            "price_from_fen": None,
            "formats": [],
            "format_names": [],
        }
        assert_error(await client.get("/api/v1/cinemas/777777"), 404, "not_found")


# --------------------------------------------------------------------------------------- showtimes


def local_day(days_from_today: int) -> date:
    return datetime.now(SHANGHAI).date() + timedelta(days=days_from_today)


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


async def showtimes_on(client: httpx.AsyncClient, query: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await get_ok(client, f"/api/v1/showtimes?{query}"))["items"]
    return items


class TestShowtimes:
    async def test_shape_prices_and_free_seats(self, client: httpx.AsyncClient, app: Starlette) -> None:
        show = await make_show(
            db_of(app),
            starts_in=timedelta(days=2),
            prices={"standard": 4500, "couple": 9000},
            layout={
                "columns": 4,
                "rows": [
                    {
                        "label": "A",
                        "seats": [{"id": f"A-{n}", "col": n - 1, "number": n} for n in range(1, 5)],
                    },
                    {
                        "label": "B",
                        "seats": [
                            {
                                "id": "B-1",
                                "col": 0,
                                "number": 1,
                                "type": "couple",
                                "zone": "couple",
                                "pair": "B-2",
                            },
                            {
                                "id": "B-2",
                                "col": 1,
                                "number": 2,
                                "type": "couple",
                                "zone": "couple",
                                "pair": "B-1",
                            },
                        ],
                    },
                ],
            },
        )
        detail = await get_ok(client, f"/api/v1/showtimes/{show.showtime_id}")
        assert set(detail) == SHOWTIME_KEYS
        assert detail["prices"] == {"standard": 4500, "couple": 9000}
        assert (detail["price_from_fen"], detail["price_to_fen"]) == (4500, 9000)
        assert (detail["seat_count"], detail["free_seats"]) == (6, 6)
        assert detail["sales_open"] is True
        assert detail["status"] == "scheduled"
        assert detail["movie_title"] == "Test Movie"
        assert (detail["cinema_name"], detail["hall_name"]) == ("Test Cinema", "Hall 1")
        starts = datetime.fromisoformat(detail["starts_at"])
        assert starts.utcoffset() == timedelta(hours=8)
        assert abs(starts - show.starts_at) < timedelta(seconds=1)
        assert datetime.fromisoformat(detail["ends_at"]) - starts == timedelta(minutes=120)

        await sell_ticket(db_of(app), show.showtime_id, "A-1")
        await sell_ticket(db_of(app), show.showtime_id, "A-2", live=False)  # refunded
        assert (await get_ok(client, f"/api/v1/showtimes/{show.showtime_id}"))["free_seats"] == 5
        assert await free_seat_counts(app.state.runtime, [show.showtime_id, 999999]) == {show.showtime_id: 5}

        listed = await showtimes_on(
            client, f"movie_id={show.movie_id}&date={show.starts_at.astimezone(SHANGHAI).date()}"
        )
        assert listed == [await get_ok(client, f"/api/v1/showtimes/{show.showtime_id}")]

    async def test_filters_and_order(self, client: httpx.AsyncClient, app: Starlette) -> None:
        db = db_of(app)
        day = local_day(3)
        one = await make_show(db, starts_in=shanghai(day, 20) - datetime.now(UTC))
        other_movie = await make_movie(db, "Other")
        early = await add_showtime(db, one, shanghai(day, 10), movie_id=other_movie)
        two = await make_show(db, starts_in=shanghai(day, 15) - datetime.now(UTC), movie_id=other_movie)

        everything = await showtimes_on(client, f"date={day}")
        assert [s["id"] for s in everything] == [early, two.showtime_id, one.showtime_id]
        by_movie = await showtimes_on(client, f"date={day}&movie_id={other_movie}")
        assert [s["id"] for s in by_movie] == [early, two.showtime_id]
        by_cinema = await showtimes_on(client, f"date={day}&cinema_id={one.cinema_id}")
        assert [s["id"] for s in by_cinema] == [early, one.showtime_id]
        both = await showtimes_on(client, f"date={day}&cinema_id={one.cinema_id}&movie_id={other_movie}")
        assert [s["id"] for s in both] == [early]
        assert await showtimes_on(client, f"date={day + timedelta(days=1)}") == []
        assert await showtimes_on(client, f"date={day}&movie_id=999999") == []

    async def test_the_date_is_the_cinemas_local_date(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        db = db_of(app)
        day = local_day(4)
        late = await make_show(db, starts_in=timedelta(days=4))
        await_ids = {
            "late": await add_showtime(db, late, shanghai(day, 23, 30)),
            "after_midnight": await add_showtime(db, late, shanghai(day + timedelta(days=1), 0, 30)),
        }
        on_day = await showtimes_on(client, f"cinema_id={late.cinema_id}&date={day}")
        assert await_ids["late"] in [s["id"] for s in on_day]
        assert await_ids["after_midnight"] not in [s["id"] for s in on_day]
        late_doc = next(s for s in on_day if s["id"] == await_ids["late"])
        assert late_doc["starts_at"] == f"{day}T23:30:00+08:00"
        next_day = await showtimes_on(client, f"cinema_id={late.cinema_id}&date={day + timedelta(days=1)}")
        assert [s["id"] for s in next_day] == [await_ids["after_midnight"]]

    async def test_without_a_date_today_is_listed(self, client: httpx.AsyncClient, app: Starlette) -> None:
        soon = await make_show(db_of(app), starts_in=timedelta(minutes=30))
        tomorrow = await add_showtime(db_of(app), soon, datetime.now(UTC) + timedelta(days=1, minutes=5))
        listed = [s["id"] for s in await showtimes_on(client, f"cinema_id={soon.cinema_id}")]
        soon_is_today = soon.starts_at.astimezone(SHANGHAI).date() == datetime.now(SHANGHAI).date()
        assert (soon.showtime_id in listed) is soon_is_today
        assert tomorrow not in listed

    async def test_past_showtimes_are_left_out(self, client: httpx.AsyncClient, app: Starlette) -> None:
        started = await make_show(db_of(app), starts_in=timedelta(minutes=-1))
        day = started.starts_at.astimezone(SHANGHAI).date()
        assert await showtimes_on(client, f"date={day}") == []
        detail = await get_ok(client, f"/api/v1/showtimes/{started.showtime_id}")
        assert detail["sales_open"] is False
        assert await showtimes_on(client, f"date={local_day(-30)}") == []

    async def test_sales_close_before_the_start(self, client: httpx.AsyncClient, app: Starlette) -> None:
        db = db_of(app)
        closing = await make_show(db, starts_in=timedelta(minutes=5))
        assert (await get_ok(client, f"/api/v1/showtimes/{closing.showtime_id}"))["sales_open"] is False
        async with db.begin() as conn:
            await conn.execute(
                update(cinemas).where(cinemas.c.id == closing.cinema_id).values(sales_close_before_min=0)
            )
        await catalogue_changed(app.state.runtime.cache)
        assert (await get_ok(client, f"/api/v1/showtimes/{closing.showtime_id}"))["sales_open"] is True

    async def test_staff_stop_and_cancellation(self, client: httpx.AsyncClient, app: Starlette) -> None:
        db = db_of(app)
        stopped = await make_show(db, sales_open=False)
        cancelled = await make_show(db, status="cancelled")
        stopped_doc = await get_ok(client, f"/api/v1/showtimes/{stopped.showtime_id}")
        assert (stopped_doc["sales_open"], stopped_doc["status"]) == (False, "scheduled")
        cancelled_doc = await get_ok(client, f"/api/v1/showtimes/{cancelled.showtime_id}")
        assert (cancelled_doc["sales_open"], cancelled_doc["status"]) == (False, "cancelled")

    @pytest.mark.parametrize(
        "query",
        [
            "date=2030-13-01",
            "date=2030-02-30",
            "date=tomorrow",
            "date=2030/01/01",
            "movie_id=abc",
            "movie_id=0",
            "cinema_id=-3",
            "cinema_id=9007199254740993",
            "hall_id=1",
        ],
    )
    async def test_bad_query_is_422(self, client: httpx.AsyncClient, query: str) -> None:
        assert_error(await client.get(f"/api/v1/showtimes?{query}"), 422, "validation_failed")

    async def test_far_dates_list_nothing(self, client: httpx.AsyncClient) -> None:
        assert await showtimes_on(client, "date=9999-12-31") == []
        assert await showtimes_on(client, "date=0001-01-01") == []

    async def test_unknown_showtime_is_404(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/api/v1/showtimes/123456789"), 404, "not_found")


# ------------------------------------------------------------------------------------------- cache


class TestCache:
    async def test_reads_come_from_redis_until_invalidated(
        self, client: httpx.AsyncClient, app: Starlette, films: dict[str, int]
    ) -> None:
        db, runtime = db_of(app), app.state.runtime
        movie_url = f"/api/v1/movies/{films['home']}"
        assert (await get_ok(client, movie_url))["title"] == "星际归途"
        assert (await get_ok(client, "/api/v1/movies?q=Long"))["items"][0]["title"] == "星际归途"
        assert await runtime.redis.keys("sc:cache:*:movie:*")

        async with db.begin() as conn:
            await conn.execute(update(movies).where(movies.c.id == films["home"]).values(title="改名了"))
        assert (await get_ok(client, movie_url))["title"] == "星际归途"
        assert (await get_ok(client, "/api/v1/movies?q=Long"))["items"][0]["title"] == "星际归途"

        await catalogue_changed(runtime.cache)
        assert (await get_ok(client, movie_url))["title"] == "改名了"
        assert (await get_ok(client, "/api/v1/movies?q=Long"))["items"][0]["title"] == "改名了"

    async def test_showtime_lists_are_cached_but_seats_are_live(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        db, runtime = db_of(app), app.state.runtime
        show = await make_show(db, starts_in=timedelta(days=2))
        query = f"cinema_id={show.cinema_id}&date={show.starts_at.astimezone(SHANGHAI).date()}"
        assert (await showtimes_on(client, query))[0]["status"] == "scheduled"

        async with db.begin() as conn:
            await conn.execute(
                update(showtimes).where(showtimes.c.id == show.showtime_id).values(status="cancelled")
            )
        await sell_ticket(db, show.showtime_id, "A-1")
        stale = (await showtimes_on(client, query))[0]
        assert (stale["status"], stale["free_seats"]) == ("scheduled", 49)

        await catalogue_changed(runtime.cache)
        fresh = (await showtimes_on(client, query))[0]
        assert (fresh["status"], fresh["sales_open"], fresh["free_seats"]) == ("cancelled", False, 49)

    async def test_cinemas_are_cached(
        self, client: httpx.AsyncClient, app: Starlette, venues: dict[str, int]
    ) -> None:
        assert len((await get_ok(client, "/api/v1/cinemas?city=Beijing"))["items"]) == 1
        assert (await get_ok(client, "/api/v1/cities"))["items"][0]["cinema_count"] == 1
        async with db_of(app).begin() as conn:
            await conn.execute(insert(cinemas).values(name="New", city="Beijing", created_at=utcnow()))
        assert len((await get_ok(client, "/api/v1/cinemas?city=Beijing"))["items"]) == 1
        assert (await get_ok(client, "/api/v1/cities"))["items"][0]["cinema_count"] == 1
        await catalogue_changed(app.state.runtime.cache)
        assert len((await get_ok(client, "/api/v1/cinemas?city=Beijing"))["items"]) == 2
        assert (await get_ok(client, "/api/v1/cities"))["items"][0]["cinema_count"] == 2

    async def test_nothing_is_cached_when_the_ttl_is_zero(
        self, client: httpx.AsyncClient, app: Starlette, films: dict[str, int]
    ) -> None:
        runtime = app.state.runtime
        runtime.cache.ttl_s = 0
        await get_ok(client, f"/api/v1/movies/{films['home']}")
        redis: aioredis.Redis = runtime.redis
        assert await redis.keys("sc:cache:*") == []
