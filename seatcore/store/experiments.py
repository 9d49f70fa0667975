"""Experiments in SQL: their definitions and status. Assignments are never stored (hashing gives
them, seatcore.domain.experiments); exposures and conversions are events (the event store)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.db.schema import experiments
from seatcore.errors import Conflict, NotFound
from seatcore.store import audit
from seatcore.store._time import utcnow
from seatcore.store.audit import Actor

DRAFT, RUNNING, STOPPED = "draft", "running", "stopped"


@dataclass(frozen=True, slots=True)
class Experiment:
    id: int
    key: str
    name: str
    status: str
    variants: tuple[tuple[str, float], ...]  # (key, weight); the first is the control
    channels: tuple[str, ...]  # empty: every channel
    signed_in: bool  # only signed-in moviegoers take part
    metric_from: str
    metric_to: str
    guardrail: str
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def weights(self) -> list[float]:
        return [weight for _key, weight in self.variants]


def _experiment(row: RowMapping) -> Experiment:
    eligibility = orjson.loads(row["eligibility"])
    return Experiment(
        id=int(row["id"]),
        key=row["key"],
        name=row["name"],
        status=row["status"],
        variants=tuple((str(v["key"]), float(v["weight"])) for v in orjson.loads(row["variants"])),
        channels=tuple(eligibility.get("channels") or ()),
        signed_in=bool(eligibility.get("signed_in")),
        metric_from=row["metric_from"],
        metric_to=row["metric_to"],
        guardrail=row["guardrail"],
        started_at=row["started_at"],
        stopped_at=row["stopped_at"],
        created_at=row["created_at"],
    )


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "variants" in out:
        out["variants"] = orjson.dumps([{"key": k, "weight": w} for k, w in out["variants"]]).decode()
    if "channels" in out or "signed_in" in out:
        eligibility = {
            "channels": list(out.pop("channels", ())),
            "signed_in": bool(out.pop("signed_in", False)),
        }
        out["eligibility"] = orjson.dumps(eligibility).decode()
    return out


async def create(db: AsyncEngine, actor: Actor | None, values: dict[str, Any], *, status: str = DRAFT) -> int:
    """A new experiment (a draft unless told); Conflict when its key is taken."""
    now = utcnow()
    columns = {"status": status, "created_at": now, "updated_at": now, **_columns(values)}
    if status != DRAFT:
        columns.setdefault("started_at", now)
    try:
        async with db.begin() as conn:
            found = await conn.execute(insert(experiments).values(**columns))
            experiment_id = int(found.inserted_primary_key[0])  # type: ignore[index]
            if actor is not None:
                await audit.record(
                    conn,
                    actor,
                    "experiment.create",
                    target_type="experiment",
                    target_id=experiment_id,
                    details={"key": values.get("key")},
                )
    except IntegrityError as exc:
        raise Conflict("an experiment with that key exists", key=values.get("key")) from exc
    return experiment_id


async def get(db: AsyncEngine, experiment_id: int) -> Experiment:
    async with db.connect() as conn:
        row = (
            (await conn.execute(select(experiments).where(experiments.c.id == experiment_id)))
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound("no such experiment", experiment_id=experiment_id)
    return _experiment(row)


async def by_key(db: AsyncEngine, key: str) -> Experiment | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(experiments).where(experiments.c.key == key))).mappings().first()
    return None if row is None else _experiment(row)


async def all_experiments(db: AsyncEngine, *, status: str | None = None) -> list[Experiment]:
    """Newest first."""
    query = select(experiments).order_by(experiments.c.id.desc())
    if status is not None:
        query = query.where(experiments.c.status == status)
    async with db.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return [_experiment(row) for row in rows]


# draft -> running -> stopped, never back: a restarted experiment would mix two populations.
NEXT = {DRAFT: RUNNING, RUNNING: STOPPED}


async def move(db: AsyncEngine, actor: Actor, experiment_id: int, to: str) -> Experiment:
    """Start a draft or stop a running experiment; Conflict for any other move."""
    now = utcnow()
    async with db.begin() as conn:
        row = (
            (
                await conn.execute(
                    select(experiments).where(experiments.c.id == experiment_id).with_for_update()
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound("no such experiment", experiment_id=experiment_id)
        if NEXT.get(row["status"]) != to:
            raise Conflict(f"a {row['status']} experiment cannot become {to}", status=row["status"])
        stamp = {"started_at": now} if to == RUNNING else {"stopped_at": now}
        await conn.execute(
            update(experiments)
            .where(experiments.c.id == experiment_id)
            .values(status=to, updated_at=now, **stamp)
        )
        await audit.record(conn, actor, f"experiment.{to}", target_type="experiment", target_id=experiment_id)
    return await get(db, experiment_id)
