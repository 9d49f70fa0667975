"""Sign-in: wx.login against a local fake of code2session, the dev provider, tokens, staff passwords."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette

from seatcore.auth import accounts as accounts_module
from seatcore.auth.accounts import LiveAccounts
from seatcore.auth.passwords import hash_password
from seatcore.auth.principal import Principal
from seatcore.auth.tokens import TokenIssuer
from seatcore.auth.wx import build_wx_login
from seatcore.db.schema import users
from seatcore.settings import Settings
from seatcore.store.users import create_staff, get_or_create_user
from tests.conftest import TEST_SECRET
from tests.factories import make_show
from tests.fake_wechat import FakeWeChat, running_fake_wechat
from tests.polling import wait_for

APPID = "wx-fake-appid"
APP_SECRET = "fake-app-secret"


@pytest.fixture
def fake_wechat() -> Iterator[FakeWeChat]:
    with running_fake_wechat(APPID, APP_SECRET) as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, fake_wechat: FakeWeChat) -> Settings:
    """The test settings with WeChat sign-in pointed at the fake and the dev provider off."""
    return settings.model_copy(
        update={
            "wx_appid": APPID,
            "wx_secret": APP_SECRET,
            "wx_api_base_url": fake_wechat.url,
            "dev_login": False,
        }
    )


@contextlib.asynccontextmanager
async def signing_in_as(app: Starlette, settings: Settings) -> AsyncIterator[None]:
    """Sign-in as a service started with ``settings`` would do it: the app's wx.login providers
    are swapped for ones built from them (as the runtime builds its own) for the duration."""
    runtime = app.state.runtime
    original = runtime.wx
    runtime.wx = build_wx_login(settings)
    try:
        yield
    finally:
        await runtime.wx.close()
        runtime.wx = original


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


async def user_count(app: Starlette) -> int:
    async with app.state.runtime.db.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(users))).scalar_one())


async def wx_login(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post("/api/v1/auth/wx-login", json={"code": code})


class TestWeChatSignIn:
    async def test_a_good_code_signs_in(self, client: httpx.AsyncClient, fake_wechat: FakeWeChat) -> None:
        fake_wechat.issue("code-1", "openid-alice")
        response = await wx_login(client, "code-1")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["user"]["kind"] == "user"
        assert body["user"]["role"] == "moviegoer"
        assert body["expires_in_s"] > 0
        assert fake_wechat.requests[-1] == {
            "appid": APPID,
            "secret": APP_SECRET,
            "js_code": "code-1",
            "grant_type": "authorization_code",
        }
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
        assert me.status_code == 200
        assert me.json()["id"] == body["user"]["id"]

    async def test_the_same_openid_is_the_same_user(
        self, client: httpx.AsyncClient, app: Starlette, fake_wechat: FakeWeChat
    ) -> None:
        fake_wechat.issue("code-1", "openid-bob")
        fake_wechat.issue("code-2", "openid-bob")
        first = (await wx_login(client, "code-1")).json()
        second = (await wx_login(client, "code-2")).json()
        assert first["user"]["id"] == second["user"]["id"]
        assert await user_count(app) == 1

    async def test_an_invalid_code_is_refused(
        self, client: httpx.AsyncClient, app: Starlette, fake_wechat: FakeWeChat
    ) -> None:
        assert_error(await wx_login(client, "not-a-real-code"), 401, "login_failed")
        assert fake_wechat.requests[-1]["js_code"] == "not-a-real-code"
        assert await user_count(app) == 0

    async def test_a_used_code_is_refused(self, client: httpx.AsyncClient, fake_wechat: FakeWeChat) -> None:
        fake_wechat.issue("code-once", "openid-carol")
        assert (await wx_login(client, "code-once")).status_code == 200
        assert_error(await wx_login(client, "code-once"), 401, "login_failed")

    async def test_wechat_rate_limit_is_429(self, client: httpx.AsyncClient) -> None:
        assert_error(await wx_login(client, "busy"), 429, "rate_limited")

    async def test_wechat_system_error_is_503(self, client: httpx.AsyncClient, app: Starlette) -> None:
        body = assert_error(await wx_login(client, "system"), 503, "upstream_unavailable")
        assert body["error"]["details"]["errcode"] == -1
        assert await user_count(app) == 0

    async def test_a_wrong_app_secret_is_503_not_a_bad_code(
        self, client: httpx.AsyncClient, app: Starlette, settings: Settings, fake_wechat: FakeWeChat
    ) -> None:
        fake_wechat.issue("code-1", "openid-dave")
        async with signing_in_as(app, settings.model_copy(update={"wx_secret": "wrong"})):
            assert_error(await wx_login(client, "code-1"), 503, "upstream_unavailable")
        assert fake_wechat.requests[-1]["secret"] == "wrong"

    async def test_wechat_unreachable_is_503(
        self, client: httpx.AsyncClient, app: Starlette, settings: Settings
    ) -> None:
        with running_fake_wechat(APPID, APP_SECRET) as gone:
            closed_url = gone.url
        async with signing_in_as(app, settings.model_copy(update={"wx_api_base_url": closed_url})):
            assert_error(await wx_login(client, "code-1"), 503, "upstream_unavailable")

    @pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, {"code": "x" * 129}])
    async def test_malformed_bodies_never_reach_wechat(
        self, client: httpx.AsyncClient, fake_wechat: FakeWeChat, body: dict[str, Any]
    ) -> None:
        response = await client.post("/api/v1/auth/wx-login", json=body)
        assert_error(response, 422, "validation_failed")
        assert fake_wechat.requests == []


class TestDevProvider:
    async def test_off_by_default(
        self,
        client: httpx.AsyncClient,
        app: Starlette,
        mysql_url: str,
        redis_url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("SEATCORE_CONFIG", str(tmp_path / "no-such-config.toml"))
        monkeypatch.delenv("SEATCORE_DEV_LOGIN", raising=False)
        defaults = Settings(
            database_url=mysql_url, redis_url=redis_url, data_dir=tmp_path / "d", secret_key=TEST_SECRET
        )
        assert defaults.dev_login is False
        async with signing_in_as(app, defaults):
            assert_error(await wx_login(client, "dev-mallory"), 401, "login_failed")
        assert await user_count(app) == 0

    async def test_dev_codes_go_to_wechat_when_the_provider_is_off(
        self, client: httpx.AsyncClient, fake_wechat: FakeWeChat
    ) -> None:
        assert_error(await wx_login(client, "dev-mallory"), 401, "login_failed")
        assert fake_wechat.requests[-1]["js_code"] == "dev-mallory"

    async def test_on_when_enabled(
        self, client: httpx.AsyncClient, app: Starlette, settings: Settings, fake_wechat: FakeWeChat
    ) -> None:
        async with signing_in_as(app, settings.model_copy(update={"dev_login": True})):
            response = await wx_login(client, "dev-alice")
            assert response.status_code == 200, response.text
            assert response.json()["user"]["name"] == "alice"
            # Codes that are not dev codes still go to WeChat.
            assert_error(await wx_login(client, "dev-"), 401, "login_failed")
        assert [r["js_code"] for r in fake_wechat.requests] == ["dev-"]


class TestTokens:
    @staticmethod
    async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
        return await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    async def test_forged_token_is_refused(self, client: httpx.AsyncClient) -> None:
        forged = TokenIssuer("another-secret-0123456789abcdef-xyz", 3600).issue(
            Principal("user", 1, "moviegoer")
        )
        assert_error(await self.me(client, forged), 401, "token_invalid")

    async def test_tampered_claims_are_refused(
        self, client: httpx.AsyncClient, fake_wechat: FakeWeChat
    ) -> None:
        fake_wechat.issue("code-erin", "openid-erin")
        token = (await wx_login(client, "code-erin")).json()["token"]
        assert (await self.me(client, token)).status_code == 200
        header, _, signature = token.split(".")
        claims = jwt.encode(
            {"sub": "1", "kind": "staff", "role": "admin", "exp": int(time.time()) + 60}, "k" * 32
        )
        tampered = ".".join([header, claims.split(".")[1], signature])
        assert_error(await self.me(client, tampered), 401, "token_invalid")

    async def test_unsigned_token_is_refused(self, client: httpx.AsyncClient) -> None:
        unsigned = jwt.encode(
            {"sub": "1", "kind": "user", "role": "moviegoer", "exp": int(time.time()) + 60},
            key="",
            algorithm="none",
        )
        assert_error(await self.me(client, unsigned), 401, "token_invalid")

    async def test_expired_token_is_refused(self, client: httpx.AsyncClient) -> None:
        issuer = TokenIssuer(TEST_SECRET, 60)
        expired = issuer.issue(Principal("user", 1, "moviegoer"), now_s=time.time() - 3600)
        assert_error(await self.me(client, expired), 401, "token_expired")

    @pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "Bearer", "é" * 10])
    async def test_garbage_token_is_refused(self, client: httpx.AsyncClient, garbage: str) -> None:
        response = await client.get("/api/v1/me", headers={b"Authorization": f"Bearer {garbage}".encode()})
        assert_error(response, 401, "token_invalid")

    async def test_no_token_is_unauthorized(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/api/v1/me"), 401, "unauthorized")
        assert_error(
            await client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "unauthorized"
        )

    async def test_a_bad_token_is_refused_even_where_signing_in_is_optional(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/api/v1/movies/1", headers={"Authorization": "Bearer nonsense"})
        assert_error(response, 401, "token_invalid")


class TestStaffSignIn:
    async def test_right_and_wrong_passwords(self, client: httpx.AsyncClient, app: Starlette) -> None:
        db = app.state.runtime.db
        staff_id = await create_staff(db, "frank", hash_password("correct horse"), "admin")
        good = await client.post(
            "/api/v1/auth/staff-login", json={"username": "frank", "password": "correct horse"}
        )
        assert good.status_code == 200, good.text
        body = good.json()
        assert body["user"] == {
            "id": staff_id,
            "kind": "staff",
            "role": "admin",
            "name": "frank",
            "cinema_ids": [],
        }
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
        assert me.json()["kind"] == "staff"

        wrong = await client.post(
            "/api/v1/auth/staff-login", json={"username": "frank", "password": "Correct horse"}
        )
        assert_error(wrong, 401, "login_failed")
        nobody = await client.post("/api/v1/auth/staff-login", json={"username": "nobody", "password": "x"})
        assert_error(nobody, 401, "login_failed")
        assert wrong.json()["error"]["message"] == nobody.json()["error"]["message"]

    async def test_a_staff_token_is_not_a_moviegoer(self, client: httpx.AsyncClient, app: Starlette) -> None:
        await create_staff(app.state.runtime.db, "gina", hash_password("pass-word-1"), "staff")
        response = await client.post(
            "/api/v1/auth/staff-login", json={"username": "gina", "password": "pass-word-1"}
        )
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
        assert_error(await client.get("/api/v1/me/favourites", headers=headers), 403, "forbidden")


async def moviegoer(app: Starlette, openid: str) -> tuple[int, dict[str, str]]:
    runtime = app.state.runtime
    user = await get_or_create_user(runtime.db, openid)
    token = runtime.tokens.issue(Principal("user", user.id, "moviegoer"))
    return user.id, {"Authorization": f"Bearer {token}"}


class TestRemovedMoviegoer:
    async def test_a_removed_moviegoer_is_refused_everywhere(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        show = await make_show(app.state.runtime.db)
        user_id, headers = await moviegoer(app, "openid-gone")
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
        async with app.state.runtime.db.begin() as conn:
            await conn.execute(delete(users).where(users.c.id == user_id))
        app.state.runtime.accounts = LiveAccounts(app.state.runtime.db)  # as another process would
        hold = await client.post(
            f"/api/v1/showtimes/{show.showtime_id}/holds", json={"seats": ["C-1"]}, headers=headers
        )
        assert_error(hold, 401, "token_invalid")
        assert_error(await client.get("/api/v1/me", headers=headers), 401, "token_invalid")
        seats = await client.get(f"/api/v1/showtimes/{show.showtime_id}/seats", headers=headers)
        assert_error(seats, 401, "token_invalid")

    async def test_a_known_account_is_checked_again_in_the_background(
        self, client: httpx.AsyncClient, app: Starlette, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        user_id, headers = await moviegoer(app, "openid-often")
        looked_up: list[int] = []
        real_get_user = accounts_module.users.get_user

        async def counting_get_user(db: Any, user_id: int) -> Any:
            found = await real_get_user(db, user_id)
            looked_up.append(user_id)  # counted once the answer is in
            return found

        monkeypatch.setattr(accounts_module.users, "get_user", counting_get_user)
        for _ in range(3):
            assert (await client.get("/api/v1/me/favourites", headers=headers)).status_code == 200
        assert len(looked_up) == 1  # checked once, then believed for ACCOUNT_CHECK_S
        async with app.state.runtime.db.begin() as conn:
            await conn.execute(delete(users).where(users.c.id == user_id))
        later = time.monotonic() + accounts_module.ACCOUNT_CHECK_S + 1
        monkeypatch.setattr(accounts_module, "time", SimpleNamespace(monotonic=lambda: later))
        # Past that, the request is not held up: the account is checked again behind it.
        assert (await client.get("/api/v1/me/favourites", headers=headers)).status_code == 200

        async def checked_again() -> bool:
            return len(looked_up) == 2

        await wait_for(checked_again)
        refused = await client.get("/api/v1/me/favourites", headers=headers)
        assert_error(refused, 401, "token_invalid")

    async def test_signing_in_vouches_for_the_account(
        self, client: httpx.AsyncClient, fake_wechat: FakeWeChat, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        fake_wechat.issue("code-fresh", "openid-fresh")
        token = (await wx_login(client, "code-fresh")).json()["token"]
        looked_up: list[int] = []
        monkeypatch.setattr(accounts_module.users, "get_user", lambda db, user_id: looked_up.append(user_id))
        favourites = await client.get("/api/v1/me/favourites", headers={"Authorization": f"Bearer {token}"})
        assert favourites.status_code == 200 and looked_up == []

    async def test_while_the_database_is_away_a_signed_token_is_believed(
        self, client: httpx.AsyncClient, app: Starlette, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Selling goes on through a MySQL outage: the account check does not stop it."""
        show = await make_show(app.state.runtime.db)
        _, headers = await moviegoer(app, "openid-outage")

        async def away(db: Any, user_id: int) -> Any:
            raise OperationalError("SELECT", {}, ConnectionRefusedError("the database is away"))

        monkeypatch.setattr(accounts_module.users, "get_user", away)
        hold = await client.post(
            f"/api/v1/showtimes/{show.showtime_id}/holds", json={"seats": ["C-1"]}, headers=headers
        )
        assert hold.status_code == 201, hold.text
