"""Staff sign-in under attack: password checks off the event loop, unknown names checked the same
way, separate per-address limits for moviegoers and staff, a backoff per staff account."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import httpx
import pytest
from starlette.applications import Starlette

from seatcore import keys, ratelimit
from seatcore.api import auth as auth_api
from seatcore.auth import passwords
from seatcore.auth.passwords import hash_password
from seatcore.settings import Settings
from seatcore.store.users import create_staff
from tests.test_auth import assert_error

ESCAPE_S = 5.0  # only so that a broken build fails instead of hanging; never reached when it works


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"wx_login_rate_per_minute": 5, "staff_login_rate_per_minute": 12})


@pytest.fixture(autouse=True)
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every call of a test counts in the same rate window, even when a minute turns meanwhile."""
    frozen = time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: frozen))


@dataclass
class GatedVerifier:
    """Stands in for the argon2 check: each call waits for the test to let it finish, and the
    calls in progress are counted."""

    real: Callable[[str | None, str], bool]
    gate: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    inside: int = 0
    most_inside: int = 0
    calls: list[str | None] = field(default_factory=list)
    finished: int = 0

    def __call__(self, password_hash: str | None, password: str) -> bool:
        with self.lock:
            self.calls.append(password_hash)
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        self.gate.wait(ESCAPE_S)
        try:
            return self.real(password_hash, password)
        finally:
            with self.lock:
                self.inside -= 1
                self.finished += 1


@pytest.fixture
def verifier(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatedVerifier]:
    gated = GatedVerifier(passwords._check)
    monkeypatch.setattr(passwords, "_check", gated)
    yield gated
    gated.gate.set()


async def _staff_login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/staff-login", json={"username": username, "password": password})


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(int(ESCAPE_S / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never came true")


class TestTheEventLoopStaysFree:
    async def test_health_answers_while_passwords_are_checked(
        self, client: httpx.AsyncClient, app: Starlette, verifier: GatedVerifier
    ) -> None:
        password_hash = hash_password("right-pass-1")
        for n in range(5):
            await create_staff(app.state.runtime.db, f"hana{n}", password_hash, "staff")
        sign_ins = [asyncio.create_task(_staff_login(client, f"hana{n}", "right-pass-1")) for n in range(5)]
        await _until(lambda: verifier.inside == passwords.VERIFY_THREADS)
        # Were the check on the event loop, the loop would sit in it until ESCAPE_S, and the health
        # check could only answer after a check had finished.
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert verifier.finished == 0
        # At most VERIFY_THREADS checks run at once; the others queue.
        for _ in range(20):
            await asyncio.sleep(0)
        assert verifier.inside == passwords.VERIFY_THREADS
        verifier.gate.set()
        answers = await asyncio.gather(*sign_ins)
        assert [a.status_code for a in answers] == [200] * 5
        assert verifier.most_inside == passwords.VERIFY_THREADS

    async def test_an_unknown_name_is_checked_as_a_known_one_is(
        self, client: httpx.AsyncClient, app: Starlette, verifier: GatedVerifier
    ) -> None:
        verifier.gate.set()
        await create_staff(app.state.runtime.db, "ivan", hash_password("right-pass-1"), "staff")
        assert_error(await _staff_login(client, "ivan", "wrong-pass"), 401, "login_failed")
        assert_error(await _staff_login(client, "nobody-here", "wrong-pass"), 401, "login_failed")
        known, unknown = verifier.calls
        assert known is not None and unknown is None  # None: checked against the dummy hash

    def test_the_dummy_hash_costs_what_a_real_one_does(self) -> None:
        assert passwords._dummy_hash().split("$")[:4] == hash_password("x").split("$")[:4]
        assert passwords._check(None, "anything") is False


class TestSignInLimits:
    async def test_moviegoers_behind_one_address_do_not_lock_staff_out(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        settings = app.state.runtime.settings
        await create_staff(app.state.runtime.db, "june", hash_password("right-pass-1"), "staff")
        for n in range(settings.wx_login_rate_per_minute):
            response = await client.post("/api/v1/auth/wx-login", json={"code": f"dev-lobby{n}"})
            assert response.status_code == 200, response.text
        assert_error(
            await client.post("/api/v1/auth/wx-login", json={"code": "dev-one-more"}), 429, "rate_limited"
        )
        assert (await _staff_login(client, "june", "right-pass-1")).status_code == 200

    async def test_staff_sign_ins_have_their_own_limit_per_address(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        limit = app.state.runtime.settings.staff_login_rate_per_minute
        for n in range(limit):
            assert_error(await _staff_login(client, f"guess{n}", "x"), 401, "login_failed")
        assert_error(await _staff_login(client, "guess-more", "x"), 429, "rate_limited")
        assert (
            await client.post("/api/v1/auth/wx-login", json={"code": "dev-still-fine"})
        ).status_code == 200

    async def test_failed_passwords_of_one_account_back_off(
        self, client: httpx.AsyncClient, app: Starlette
    ) -> None:
        redis = app.state.runtime.redis
        await create_staff(app.state.runtime.db, "kai", hash_password("right-pass-1"), "staff")
        for _ in range(auth_api.STAFF_FREE_FAILURES):
            assert_error(await _staff_login(client, "kai", "wrong"), 401, "login_failed")
        # Now even the right password waits, whatever the case of the name.
        waiting = assert_error(await _staff_login(client, "KAI", "right-pass-1"), 429, "rate_limited")
        assert waiting["error"]["details"]["retry_after_s"] == 1
        # Each further failure doubles the wait (the test clears the wait instead of sitting it out).
        waits = []
        for _ in range(3):
            await redis.delete(keys.backoff("staff-password", "kai"))
            assert_error(await _staff_login(client, "kai", "wrong"), 401, "login_failed")
            waits.append(await redis.pttl(keys.backoff("staff-password", "kai")))
        assert 1000 < waits[0] <= 2000 and 2000 < waits[1] <= 4000 and 4000 < waits[2] <= 8000
        # Another account is not affected, and a success clears the count.
        await create_staff(app.state.runtime.db, "lea", hash_password("right-pass-1"), "staff")
        assert (await _staff_login(client, "lea", "right-pass-1")).status_code == 200
        await redis.delete(keys.backoff("staff-password", "kai"))
        assert (await _staff_login(client, "kai", "right-pass-1")).status_code == 200
        assert await redis.exists(keys.failures("staff-password", "kai")) == 0

    async def test_unknown_names_back_off_as_known_ones_do(self, client: httpx.AsyncClient) -> None:
        for _ in range(auth_api.STAFF_FREE_FAILURES):
            assert_error(await _staff_login(client, "ghost", "wrong"), 401, "login_failed")
        assert_error(await _staff_login(client, "ghost", "wrong"), 429, "rate_limited")


GUESSERS = 10  # fewer than the per-address limit of this module's settings


class TestGuessesFiredTogether:
    async def test_one_password_of_an_account_is_checked_at_a_time(
        self, client: httpx.AsyncClient, app: Starlette, verifier: GatedVerifier
    ) -> None:
        await create_staff(app.state.runtime.db, "nina", hash_password("right-pass-1"), "staff")
        guesses = [asyncio.create_task(_staff_login(client, "nina", f"guess-{n}")) for n in range(GUESSERS)]
        await _until(lambda: verifier.inside == 1)
        await _until(lambda: sum(task.done() for task in guesses) == GUESSERS - 1)
        verifier.gate.set()
        statuses = sorted(answer.status_code for answer in await asyncio.gather(*guesses))
        assert statuses == [401] + [429] * (GUESSERS - 1)
        assert len(verifier.calls) == 1

    async def test_control_without_the_guard_guesses_slip_past_the_backoff(
        self,
        client: httpx.AsyncClient,
        app: Starlette,
        verifier: GatedVerifier,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The test above would catch a missing guard: every guess fired together passes the backoff
        check before the first failure is counted, and all of them are checked."""

        @contextlib.asynccontextmanager
        async def no_guard(*args: object, **options: object) -> AsyncIterator[None]:
            yield

        monkeypatch.setattr(auth_api, "one_at_a_time", no_guard)
        await create_staff(app.state.runtime.db, "omar", hash_password("right-pass-1"), "staff")
        guesses = [asyncio.create_task(_staff_login(client, "omar", f"guess-{n}")) for n in range(GUESSERS)]
        await _until(lambda: verifier.inside == passwords.VERIFY_THREADS)
        verifier.gate.set()
        statuses = [answer.status_code for answer in await asyncio.gather(*guesses)]
        assert statuses == [401] * GUESSERS
        assert len(verifier.calls) == GUESSERS > auth_api.STAFF_FREE_FAILURES
