"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request

from seatcore.api._http import Answer, Endpoints, JSONResponse

endpoints = Endpoints("operations")


class Health(Answer):
    status: str


class Readiness(Answer):
    status: str
    checks: dict[str, str]


@endpoints.get("/healthz", "Liveness: the process answers", answer=Health)
async def healthz(request: Request) -> Health:
    return Health(status="ok")


@endpoints.get("/readyz", "Readiness: Redis and the database answer", answer=Readiness, errors=(503,))
async def readyz(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    checks: dict[str, str] = {}

    async def check_redis() -> None:
        await runtime.redis.ping()

    async def check_db() -> None:
        async with runtime.db.connect() as conn:
            await conn.execute(text("SELECT 1"))

    for name, probe in (("redis", check_redis), ("database", check_db)):
        try:
            await asyncio.wait_for(probe(), timeout=2.0)
            checks[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason is reported
            checks[name] = f"down: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    body = Readiness(status="ok" if ready else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
