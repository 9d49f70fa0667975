"""Fixtures for the staff API: staff accounts of each kind and two cinemas to keep apart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from starlette.applications import Starlette

from seatcore.auth.principal import Principal
from seatcore.runtime import Runtime
from seatcore.store import users
from tests.conftest import Login
from tests.factories import ShowFixture, make_show

Headers = dict[str, str]
StaffHeaders = Callable[..., Awaitable[Headers]]


@pytest.fixture
def runtime(app: Starlette) -> Runtime:
    value: Runtime = app.state.runtime
    return value


@pytest.fixture
def staff_headers(runtime: Runtime) -> StaffHeaders:
    """Make a staff account (role, cinemas) and return a bearer header for it."""

    async def make(username: str, *, role: str = "staff", cinemas: tuple[int, ...] = ()) -> Headers:
        staff_id = await users.create_staff(runtime.db, username, "not-a-password-hash", role, cinemas)
        token = runtime.tokens.issue(Principal(kind="staff", id=staff_id, role=role))
        return {"Authorization": f"Bearer {token}"}

    return make


@dataclass
class TwoCinemas:
    a: ShowFixture  # a cinema with one hall and one showtime tomorrow
    b: ShowFixture  # another cinema, same movie
    admin: Headers
    staff_a: Headers  # staff of cinema a only
    staff_b: Headers
    moviegoer: Headers


@pytest.fixture
async def two(runtime: Runtime, staff_headers: StaffHeaders, login: Login) -> TwoCinemas:
    a = await make_show(runtime.db)
    b = await make_show(runtime.db, movie_id=a.movie_id, city="Beijing")
    return TwoCinemas(
        a=a,
        b=b,
        admin=await staff_headers("root", role="admin"),
        staff_a=await staff_headers("anna", cinemas=(a.cinema_id,)),
        staff_b=await staff_headers("bo", cinemas=(b.cinema_id,)),
        moviegoer=await login("mia"),
    )
