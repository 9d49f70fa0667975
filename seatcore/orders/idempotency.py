"""Idempotency keys for money-changing calls, kept in Redis per user for 24 hours.

Same key + same request = the stored answer, replayed (the work runs once); same key + a
different request = 409 ``idempotency_conflict``; a second call while the first still runs =
409 ``idempotency_in_progress``. Answers a client may retry differently (rate limits, server
faults) are not kept, so a retry with the same key runs again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import redis.asyncio as aioredis

from seatcore import keys
from seatcore.errors import BadRequest, Conflict, RateLimited, SeatcoreError

HEADER = "Idempotency-Key"
KEEP_S = 24 * 3600
RUNNING_S = 60  # how long a crashed first call blocks its key
MAX_KEY_CHARS = 255


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


def check_key(raw: str | None) -> str:
    """The header's value, or BadRequest when it is missing or not a short printable token."""
    if raw is None or not raw.strip():
        raise BadRequest(
            f"send an {HEADER} header (a unique token per attempt, reused on retries)",
            code="idempotency_key_required",
        )
    key = raw.strip()
    if len(key) > MAX_KEY_CHARS or not key.isascii() or not key.isprintable():
        raise BadRequest(
            f"{HEADER} must be at most {MAX_KEY_CHARS} printable ASCII characters",
            code="idempotency_key_invalid",
        )
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same": method, path and body (JSON normalised when it is JSON)."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(self, redis: aioredis.Redis, *, keep_s: int = KEEP_S, running_s: int = RUNNING_S) -> None:
        self._redis = redis
        self.keep_s = keep_s
        self.running_s = running_s

    async def run(
        self, user_id: int, key: str, request_fingerprint: str, call: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        """The answer for this key: ``call``'s, run at most once per key, or the stored one."""
        redis_key = keys.idempotency(user_id, key)
        running = orjson.dumps({"fp": request_fingerprint, "state": "running"})
        while True:
            if await self._redis.set(redis_key, running, nx=True, ex=self.running_s):
                return await self._first_call(redis_key, request_fingerprint, call)
            stored = await self._redis.get(redis_key)
            if stored is not None:
                return _replay(orjson.loads(stored), request_fingerprint)
            # The entry expired between SET NX and GET: try to take it again.

    async def _first_call(
        self, redis_key: str, request_fingerprint: str, call: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        try:
            answer = await call()
        except SeatcoreError as exc:
            if exc.status >= 500 or isinstance(exc, RateLimited):
                await self._redis.delete(redis_key)
                raise
            answer = Answer(exc.status, exc.to_dict())
        except BaseException:
            await self._redis.delete(redis_key)
            raise
        done = {"fp": request_fingerprint, "state": "done", "status": answer.status, "body": answer.body}
        await self._redis.set(redis_key, orjson.dumps(done), ex=self.keep_s)
        return answer


def _replay(stored: dict[str, Any], request_fingerprint: str) -> Answer:
    if stored["fp"] != request_fingerprint:
        raise Conflict(
            f"this {HEADER} was already used for a different request",
            code="idempotency_conflict",
        )
    if stored["state"] != "done":
        raise Conflict(
            f"a request with this {HEADER} is still being processed; retry shortly",
            code="idempotency_in_progress",
            retry_after_s=1,
        )
    return Answer(int(stored["status"]), stored["body"], replayed=True)
