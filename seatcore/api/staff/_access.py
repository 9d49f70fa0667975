"""Who may do what in the staff API.

Every endpoint here is declared ``auth="staff"``, so a moviegoer's token is refused with 403
before a handler runs. Inside, ``staff_scope`` reads the caller's account afresh on each request
(a removed account or a changed role takes effect at once):

- a platform admin may read and change everything, and alone may create cinemas and change movies;
- cinema staff read every movie, and read and change only the cinemas listed for them in
  ``staff_cinemas``, with those cinemas' halls, showtimes, orders, figures and audit entries.

Anything in a cinema outside the caller's scope answers 404 ``not_found``, the same as something
that does not exist, so staff cannot probe other cinemas' ids. Chain-wide actions that the caller's
role does not allow answer 403 ``forbidden``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from starlette.requests import Request

from seatcore.auth.principal import Principal
from seatcore.errors import Forbidden, NotFound, Unauthorized
from seatcore.runtime import Runtime
from seatcore.store import users
from seatcore.store.audit import Actor


@dataclass(frozen=True, slots=True)
class Scope:
    """The caller and the cinemas they may see; ``cinema_ids`` None means every cinema."""

    actor: Actor
    role: str
    cinema_ids: frozenset[int] | None

    @property
    def is_admin(self) -> bool:
        return self.cinema_ids is None

    def can_see(self, cinema_id: int) -> bool:
        return self.cinema_ids is None or cinema_id in self.cinema_ids

    def require_cinema(self, cinema_id: int, what: str = "cinema") -> None:
        """NotFound unless the cinema is in the caller's scope (outside it looks like nothing)."""
        if not self.can_see(cinema_id):
            raise NotFound(f"no such {what}")

    def require_admin(self, action: str) -> None:
        if not self.is_admin:
            raise Forbidden(f"only a platform admin may {action}")

    def narrowed(self, cinema_id: int | None) -> Collection[int] | None:
        """The cinemas a report or search covers: one asked-for cinema (checked) or the whole scope."""
        if cinema_id is not None:
            self.require_cinema(cinema_id)
            return (cinema_id,)
        return self.cinema_ids


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def staff_scope(request: Request, principal: Principal) -> Scope:
    member = await users.find_staff(runtime_of(request).db, staff_id=principal.id)
    if member is None:
        raise Unauthorized("this staff account no longer exists", code="token_invalid")
    cinema_ids = None if member.role == "admin" else frozenset(member.cinema_ids)
    return Scope(actor=Actor(member.id, member.username), role=member.role, cinema_ids=cinema_ids)
