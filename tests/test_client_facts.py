"""What the mini-program and web pages read besides the catalogue itself: display names (GET
/api/v1/dictionary and the *_name fields), cinemas near a point (GET /api/v1/cinemas?lat=&lng=:
distances, nearest first, today's prices and formats) and the client config (GET /api/v1/config)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson
import pytest
from sqlalchemy import insert, update
from starlette.applications import Starlette

from seatcore.db.schema import cinemas, showtimes
from seatcore.demo.films import FILMS
from seatcore.demo.venues import CINEMAS
from seatcore.domain import geo, names
from seatcore.domain.layout import parse_layout
from seatcore.store._time import to_db, utcnow
from tests.factories import make_movie, make_show
from tests.test_catalogue import assert_error, db_of, get_ok

SHANGHAI = ZoneInfo("Asia/Shanghai")
PEOPLES_SQUARE = (31.2336, 121.4760)
LUJIAZUI = (31.2380, 121.5020)
SANLITUN = (39.9370, 116.4550)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class TestDistances:
    def test_zero_symmetric_and_a_known_length(self) -> None:
        assert geo.distance_m(*PEOPLES_SQUARE, *PEOPLES_SQUARE) == 0
        assert geo.distance_m(*PEOPLES_SQUARE, *SANLITUN) == geo.distance_m(*SANLITUN, *PEOPLES_SQUARE)
        # A quarter of a meridian: pi/2 * R.
        assert geo.distance_m(0, 0, 90, 0) == round(3.141592653589793 / 2 * geo.EARTH_RADIUS_M)
        # Shanghai's People's Square to Beijing's Sanlitun: about 1,067 km as the crow flies.
        assert 1_060_000 < geo.distance_m(*PEOPLES_SQUARE, *SANLITUN) < 1_075_000

    def test_across_the_date_line(self) -> None:
        assert geo.distance_m(0, 179.5, 0, -179.5) == geo.distance_m(0, 0, 0, 1)


class TestDictionary:
    async def test_the_tables(self, client: httpx.AsyncClient) -> None:
        answer = await get_ok(client, "/api/v1/dictionary")
        assert set(answer) == {"genres", "languages", "formats", "zones"}
        assert answer["genres"]["sci-fi"] == "科幻"
        assert answer["languages"]["Mandarin"] == "国语"
        assert answer["languages"]["Cantonese"] == "粤语"
        assert answer["formats"]["Laser"] == "激光"
        assert answer["formats"]["IMAX"] == "IMAX"
        assert answer["zones"] == {
            "standard": "普通座",
            "premium": "优选座",
            "couple": "情侣座",
            "vip": "贵宾座",
        }

    def test_everything_the_demo_shows_has_a_chinese_name(self) -> None:
        latin_on_purpose = {"2D", "3D", "IMAX"}
        for film in FILMS:
            assert all(_chinese(names.GENRES[g]) for g in film.genres), film.title
            assert _chinese(names.LANGUAGES[film.language]), film.title
        for cinema in CINEMAS:
            for hall in cinema.halls:
                assert hall.format in latin_on_purpose or _chinese(names.FORMATS[hall.format]), hall.name
                for zone in parse_layout(hall.layout).zones:
                    assert _chinese(names.ZONES[zone]), (hall.name, zone)

    async def test_movies_and_showtimes_carry_display_names(
        self, app: Starlette, client: httpx.AsyncClient
    ) -> None:
        db = db_of(app)
        movie_id = await make_movie(db, genres="sci-fi,adventure,cyberpunk")
        show = await make_show(db, movie_id=movie_id, language="Cantonese", format="Laser")
        movie = await get_ok(client, f"/api/v1/movies/{movie_id}")
        # An unnamed code is shown as it is.
        assert movie["genre_names"] == ["科幻", "冒险", "cyberpunk"]
        listed = await get_ok(client, "/api/v1/movies")
        assert listed["items"][0]["genre_names"] == ["科幻", "冒险", "cyberpunk"]
        showtime = await get_ok(client, f"/api/v1/showtimes/{show.showtime_id}")
        assert (showtime["language"], showtime["language_name"]) == ("Cantonese", "粤语")
        assert (showtime["format"], showtime["format_name"]) == ("Laser", "激光")


async def _place(app: Starlette, cinema_id: int, where: tuple[float, float], name: str, address: str) -> None:
    async with db_of(app).begin() as conn:
        await conn.execute(
            update(cinemas)
            .where(cinemas.c.id == cinema_id)
            .values(latitude=where[0], longitude=where[1], name=name, address=address)
        )


def _later_today() -> timedelta:
    """A start still today in Shanghai: half way from now to local midnight."""
    now = datetime.now(UTC).astimezone(SHANGHAI)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return (midnight - now) / 2


@pytest.fixture
async def placed(app: Starlette) -> dict[str, int]:
    """Three cinemas on the map (two in Shanghai, one in Beijing) and one not placed yet."""
    db = db_of(app)
    square = await make_show(db, starts_in=_later_today(), prices={"standard": 4500}, format="IMAX")
    lujiazui = await make_show(db, starts_in=_later_today(), prices={"standard": 6000}, format="3D")
    # Tomorrow's cheaper showtime in the same hall is not today's lowest price.
    tomorrow = datetime.now(UTC) + timedelta(days=1, hours=1)
    async with db.begin() as conn:
        await conn.execute(
            insert(showtimes).values(
                hall_id=square.hall_id,
                cinema_id=square.cinema_id,
                movie_id=square.movie_id,
                starts_at=to_db(tomorrow),
                ends_at=to_db(tomorrow + timedelta(hours=2)),
                language="Mandarin",
                format="2D",
                prices=orjson.dumps({"standard": 1000}).decode(),
                created_at=utcnow(),
            )
        )
    sanlitun = await make_show(db, city="Beijing", starts_in=timedelta(days=2))
    await _place(app, square.cinema_id, PEOPLES_SQUARE, "星光影城（人民广场店）", "西藏中路 268 号")
    await _place(app, lujiazui.cinema_id, LUJIAZUI, "浦江国际影城（陆家嘴店）", "陆家嘴环路 1000 号")
    await _place(app, sanlitun.cinema_id, SANLITUN, "京华影城（三里屯店）", "三里屯路 19 号")
    async with db.begin() as conn:
        unplaced = (
            await conn.execute(insert(cinemas).values(name="新开影城", city="Shanghai", created_at=utcnow()))
        ).lastrowid
    return {
        "square": square.cinema_id,
        "lujiazui": lujiazui.cinema_id,
        "sanlitun": sanlitun.cinema_id,
        "unplaced": int(unplaced),
    }


def _ids(answer: dict[str, Any]) -> list[int]:
    return [item["id"] for item in answer["items"]]


class TestCinemasNearMe:
    async def test_nearest_first_with_distances(
        self, client: httpx.AsyncClient, placed: dict[str, int]
    ) -> None:
        here = (31.2390, 121.4990)  # a few hundred metres from Lujiazui
        answer = await get_ok(client, "/api/v1/cinemas", params={"lat": here[0], "lng": here[1]})
        assert _ids(answer) == [placed[k] for k in ("lujiazui", "square", "sanlitun", "unplaced")]
        distances = [item["distance_m"] for item in answer["items"]]
        assert distances[0] == geo.distance_m(*here, *LUJIAZUI) and distances[0] < 500
        assert 2_000 < distances[1] < 3_000
        assert distances[2] > 1_000_000
        assert distances[3] is None

    async def test_within_a_city(self, client: httpx.AsyncClient, placed: dict[str, int]) -> None:
        query = {"city": "Shanghai", "lat": PEOPLES_SQUARE[0], "lng": PEOPLES_SQUARE[1]}
        answer = await get_ok(client, "/api/v1/cinemas", params=query)
        assert _ids(answer)[:2] == [placed["square"], placed["lujiazui"]]
        assert answer["items"][0]["distance_m"] == 0

    async def test_no_position_no_distance(self, client: httpx.AsyncClient, placed: dict[str, int]) -> None:
        answer = await get_ok(client, "/api/v1/cinemas")
        assert len(answer["items"]) == 4
        assert all(item["distance_m"] is None for item in answer["items"])
        square = next(item for item in answer["items"] if item["id"] == placed["square"])
        assert (square["latitude"], square["longitude"]) == PEOPLES_SQUARE

    async def test_todays_lowest_price_and_formats(
        self, client: httpx.AsyncClient, placed: dict[str, int]
    ) -> None:
        answer = await get_ok(client, "/api/v1/cinemas")
        by_id = {item["id"]: item for item in answer["items"]}
        square = by_id[placed["square"]]
        assert (square["price_from_fen"], square["formats"], square["format_names"]) == (
            4500,
            ["IMAX"],
            ["IMAX"],
        )
        assert by_id[placed["lujiazui"]]["price_from_fen"] == 6000
        # Sanlitun's only showtime is the day after tomorrow: nothing on today.
        sanlitun = by_id[placed["sanlitun"]]
        assert (sanlitun["price_from_fen"], sanlitun["formats"]) == (None, [])
        detail = await get_ok(client, f"/api/v1/cinemas/{placed['lujiazui']}")
        assert (detail["price_from_fen"], detail["formats"]) == (6000, ["3D"])

    async def test_search_by_name_or_address(self, client: httpx.AsyncClient, placed: dict[str, int]) -> None:
        assert _ids(await get_ok(client, "/api/v1/cinemas", params={"q": "星光"})) == [placed["square"]]
        assert _ids(await get_ok(client, "/api/v1/cinemas", params={"q": "陆家嘴环路"})) == [
            placed["lujiazui"]
        ]
        assert _ids(await get_ok(client, "/api/v1/cinemas", params={"q": "%"})) == []

    @pytest.mark.parametrize(
        "query",
        [
            {"lat": "91", "lng": "121"},
            {"lat": "-90.5", "lng": "121"},
            {"lat": "31", "lng": "180.01"},
            {"lat": "31"},
            {"lng": "121"},
            {"lat": "north", "lng": "121"},
            {"lat": "nan", "lng": "121"},
        ],
    )
    async def test_bad_positions_are_refused(
        self, client: httpx.AsyncClient, placed: dict[str, int], query: dict[str, str]
    ) -> None:
        body = assert_error(await client.get("/api/v1/cinemas", params=query), 422, "validation_failed")
        assert body["error"]["details"]


class TestClientConfig:
    async def test_dev_login_reported_as_configured(self, client: httpx.AsyncClient, app: Starlette) -> None:
        expected = app.state.runtime.settings.dev_login
        assert await get_ok(client, "/api/v1/config") == {"dev_login": expected}

    async def test_off_reads_false(self, client: httpx.AsyncClient, app: Starlette) -> None:
        settings = app.state.runtime.settings
        app.state.runtime.settings = settings.model_copy(update={"dev_login": False})
        try:
            assert await get_ok(client, "/api/v1/config") == {"dev_login": False}
        finally:
            app.state.runtime.settings = settings
