"""Moviegoers (by openid) and staff accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import staff, staff_cinemas, users
from seatcore.store._time import utcnow


@dataclass(frozen=True, slots=True)
class User:
    id: int
    openid: str
    nickname: str


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    username: str
    password_hash: str
    role: str
    cinema_ids: tuple[int, ...]


async def get_or_create_user(db: AsyncEngine, openid: str, nickname: str = "") -> User:
    """The user with this openid, created on first sign-in (safe when two sign-ins race)."""
    query = select(users.c.id, users.c.openid, users.c.nickname).where(users.c.openid == openid)
    async with db.begin() as conn:
        row = (await conn.execute(query)).first()
        if row is not None:
            return User(row.id, row.openid, row.nickname)
    try:
        async with db.begin() as conn:
            await conn.execute(insert(users).values(openid=openid, nickname=nickname, created_at=utcnow()))
    except IntegrityError:
        pass  # another sign-in created it first
    async with db.begin() as conn:
        row = (await conn.execute(query)).one()
    return User(row.id, row.openid, row.nickname)


async def get_user(db: AsyncEngine, user_id: int) -> User | None:
    query = select(users.c.id, users.c.openid, users.c.nickname).where(users.c.id == user_id)
    async with db.connect() as conn:
        row = (await conn.execute(query)).first()
    return None if row is None else User(row.id, row.openid, row.nickname)


async def find_staff(
    db: AsyncEngine, *, username: str | None = None, staff_id: int | None = None
) -> StaffMember | None:
    query = select(staff)
    query = query.where(staff.c.username == username) if username else query.where(staff.c.id == staff_id)
    async with db.connect() as conn:
        row = (await conn.execute(query)).first()
        if row is None:
            return None
        cinema_rows = await conn.execute(
            select(staff_cinemas.c.cinema_id).where(staff_cinemas.c.staff_id == row.id)
        )
        cinema_ids = tuple(sorted(r.cinema_id for r in cinema_rows))
    return StaffMember(row.id, row.username, row.password_hash, row.role, cinema_ids)


async def create_staff(
    db: AsyncEngine, username: str, password_hash: str, role: str, cinema_ids: tuple[int, ...] = ()
) -> int:
    async with db.begin() as conn:
        result = await conn.execute(
            insert(staff).values(
                username=username, password_hash=password_hash, role=role, created_at=utcnow()
            )
        )
        staff_id = int(result.lastrowid)
        for cinema_id in cinema_ids:
            await conn.execute(insert(staff_cinemas).values(staff_id=staff_id, cinema_id=cinema_id))
    return staff_id
