"""Bad input gets a 4xx in the one error shape and changes nothing: for named cases, and for every
declared endpoint that reads a body or a query string (so endpoints added later are held to it)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from seatcore.api._http import Endpoint
from seatcore.auth.passwords import hash_password
from seatcore.auth.principal import Principal
from seatcore.db.schema import metadata
from seatcore.store.users import create_staff, get_or_create_user


def assert_error(
    response: httpx.Response, status: int | None = None, code: str | None = None
) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    if code is not None:
        assert body["error"]["code"] == code
    return body


async def row_counts(app: Starlette) -> dict[str, int]:
    async with app.state.runtime.db.connect() as conn:
        return {
            table.name: int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
            for table in metadata.sorted_tables
        }


def concrete(path: str) -> str:
    """A real URL for a declared path: 1 for numeric ids, a plausible token for the others."""
    return re.sub(r"{\w+}", "x1", re.sub(r"{\w+:int}", "1", path))


async def headers_for(app: Starlette, endpoint: Endpoint) -> dict[str, str]:
    runtime = app.state.runtime
    if endpoint.auth in ("none", "optional"):
        return {}
    if endpoint.auth in ("user", "any"):
        user = await get_or_create_user(runtime.db, "openid-bad-input")
        principal = Principal("user", user.id, "moviegoer")
    else:
        staff_id = await create_staff(
            runtime.db, f"boss-{endpoint.handler.__name__}", hash_password("x" * 12), "admin"
        )
        principal = Principal("staff", staff_id, "admin")
    return {"Authorization": f"Bearer {runtime.tokens.issue(principal)}"}


class TestNamedCases:
    async def test_wrong_types_name_each_field(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/auth/staff-login", json={"username": ["a"], "password": {}})
        body = assert_error(response, 422, "validation_failed")
        fields = {p["field"] for p in body["error"]["details"]["problems"]}
        assert fields == {"username", "password"}

    async def test_unknown_fields_are_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/auth/wx-login", json={"code": "dev-a", "admin": True})
        body = assert_error(response, 422, "validation_failed")
        assert any("admin" in p["field"] for p in body["error"]["details"]["problems"])

    async def test_non_json_and_empty_bodies(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.post("/api/v1/auth/wx-login", content=b"code=dev-a"), 400, "bad_request")
        assert_error(await client.post("/api/v1/auth/wx-login", content=b"\xff\xfe"), 400, "bad_request")
        assert_error(await client.post("/api/v1/auth/wx-login"), 400, "bad_request")
        assert_error(await client.post("/api/v1/auth/wx-login", json="dev-a"), 422, "validation_failed")
        assert_error(await client.post("/api/v1/auth/wx-login", content=b"null"), 422, "validation_failed")

    async def test_huge_bodies_are_413(self, client: httpx.AsyncClient, app: Starlette) -> None:
        limit = app.state.runtime.settings.max_body_bytes
        huge = b'{"code": "' + b"x" * limit + b'"}'
        body = assert_error(
            await client.post("/api/v1/auth/wx-login", content=huge), 413, "payload_too_large"
        )
        assert body["error"]["details"]["limit"] == limit

        async def chunks() -> Any:  # no Content-Length: the limit is enforced while reading
            yield b'{"code": "'
            for _ in range(limit // 1024 + 1):
                yield b"x" * 1024
            yield b'"}'

        assert_error(await client.post("/api/v1/auth/wx-login", content=chunks()), 413, "payload_too_large")

    async def test_a_lying_content_length_is_still_413(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        limit = app.state.runtime.settings.max_body_bytes
        request = client.build_request(
            "POST", "/api/v1/auth/wx-login", content=b"x" * (limit + 10), headers={"Content-Length": "10"}
        )
        assert_error(await client.send(request), 413, "payload_too_large")

    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/movies/abc",
            "/api/v1/movies/0",
            "/api/v1/movies/-4",
            "/api/v1/movies/1e3",
            "/api/v1/movies/99999999999999999999999999",
            "/api/v1/cinemas/%00",
            "/api/v1/showtimes/9007199254740992",
        ],
    )
    async def test_bad_ids_are_404(self, client: httpx.AsyncClient, url: str) -> None:
        assert_error(await client.get(url), 404, "not_found")

    @pytest.mark.parametrize("date", ["2030-02-30", "2030-1-1", "20300101x", "yesterday", "2030-01-01T10:00"])
    async def test_bad_dates_are_422(self, client: httpx.AsyncClient, date: str) -> None:
        body = assert_error(
            await client.get("/api/v1/showtimes", params={"date": date}), 422, "validation_failed"
        )
        assert body["error"]["details"]["problems"][0]["field"] == "date"

    async def test_wrong_method_is_405(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.post("/api/v1/movies", json={}), 405, "method_not_allowed")


class TestEveryEndpoint:
    async def test_bad_bodies_change_nothing(self, client: httpx.AsyncClient, app: Starlette) -> None:
        endpoints = [e for e in app.state.endpoints if e.body is not None]
        assert endpoints
        settings = app.state.runtime.settings
        prepared = [(e, await headers_for(app, e)) for e in endpoints]
        before = await row_counts(app)
        for endpoint, headers in prepared:
            url = concrete(endpoint.path)
            layout = endpoint.body_limit == "layout"
            limit = settings.max_layout_body_bytes if layout else settings.max_body_bytes
            for content, status in (
                (b"{not json", 400),
                (b"", 400),
                (b"[]", 422),
                (b'{"surely_not_a_field": 1}', 422),
                (b'{"a": "' + b"x" * limit + b'"}', 413),
            ):
                response = await client.request(endpoint.method, url, content=content, headers=headers)
                assert response.status_code == status, (endpoint.method, url, content[:30], response.text)
                assert_error(response)
        assert await row_counts(app) == before

    async def test_unknown_query_parameters_are_refused(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        endpoints = [e for e in app.state.endpoints if e.query is not None]
        assert endpoints
        prepared = [(e, await headers_for(app, e)) for e in endpoints]
        before = await row_counts(app)
        for endpoint, headers in prepared:
            url = concrete(endpoint.path)
            response = await client.request(
                endpoint.method, url, params={"surely_not_a_param": "1"}, headers=headers
            )
            assert response.status_code == 422, (endpoint.method, url, response.text)
            assert_error(response, 422, "validation_failed")
        assert await row_counts(app) == before
