"""Idempotency keys for money-changing calls, kept in Redis per user for 24 hours.

Same key + same request = the stored answer, replayed (the work runs once); same key + a
different request = 409 ``idempotency_conflict``; a second call while the first still runs =
409 ``idempotency_in_progress``. Answers a client may retry differently (rate limits, server
faults) are not kept, so a retry with the same key runs again.

A running first call is marked with its process's lease (seatcore.orders.lease). When that process
dies (killed, crashed) its lease lapses within seconds, and the next retry takes the key over at
once: it runs ``resume`` (or the call again), which must find what the dead call did and answer
as it would have. Taking over compares and sets, so of many retries exactly one runs; the entry's
own time to live (``running_s``) is only the backstop for entries that name no owner.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import redis.asyncio as aioredis

from seatcore import keys
from seatcore.errors import BadRequest, Conflict, RateLimited, SeatcoreError
from seatcore.orders.lease import ProcessLease, living

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
KEEP_S = 24 * 3600
RUNNING_S = 60  # backstop only: a running entry whose owner's lease is gone is taken over at once
MAX_KEY_CHARS = 255

Call = Callable[[], Awaitable["Answer"]]

# KEYS[1] the idempotency entry; ARGV[1] the value it must still hold, ARGV[2] its replacement
# ("" deletes it), ARGV[3] the replacement's time to live (ms). Answers 1 when it was replaced.
_REPLACE_IF = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1])
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
"""


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
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        keep_s: int = KEEP_S,
        running_s: int = RUNNING_S,
        lease: ProcessLease | None = None,
    ) -> None:
        self._redis = redis
        self.keep_s = keep_s
        self.running_s = running_s
        self.lease = lease or ProcessLease(redis)
        self._replace_if = redis.register_script(_REPLACE_IF)

    async def run(
        self,
        user_id: int,
        key: str,
        request_fingerprint: str,
        call: Call,
        *,
        resume: Call | None = None,
    ) -> Answer:
        """The answer for this key: ``call``'s, run at most once per key, or the stored one.

        ``resume`` answers instead of ``call`` when the first call's process died before it had
        stored its answer: it should find what that call did (it may have done all of it)."""
        redis_key = keys.idempotency(user_id, key)
        await self.lease.keep_alive()
        mine = orjson.dumps(
            {
                "fp": request_fingerprint,
                "state": "running",
                "owner": self.lease.owner,
                "run": secrets.token_hex(8),
            }
        ).decode()
        while True:
            if await self._redis.set(redis_key, mine, nx=True, ex=self.running_s):
                return await self._first_call(redis_key, mine, request_fingerprint, call)
            raw = await self._redis.get(redis_key)
            if raw is None:
                continue  # the entry expired between SET NX and GET: try to take it again
            stored = orjson.loads(raw)
            answer = _replay(stored, request_fingerprint)
            if answer is not None:
                return answer
            if not await self._owner_died(stored):
                raise _in_progress()
            if await self._replace_if(keys=[redis_key], args=[raw, mine, self.running_s * 1000]):
                log.warning(
                    "Idempotency-Key of user %s: its first call died with process %s; the retry answers",
                    user_id,
                    stored["owner"],
                )
                return await self._first_call(redis_key, mine, request_fingerprint, resume or call)
            # Another retry took it over first: look again (it is running now, or done).

    async def _owner_died(self, stored: dict[str, Any]) -> bool:
        owner = stored.get("owner")
        if not isinstance(owner, str):
            return False  # an entry written before leases: it waits for its time to live
        if owner == self.lease.owner:
            return False  # running in this very process
        return owner not in await living(self._redis, [owner])

    async def _first_call(self, redis_key: str, mine: str, request_fingerprint: str, call: Call) -> Answer:
        try:
            answer = await call()
        except SeatcoreError as exc:
            if exc.status >= 500 or isinstance(exc, RateLimited):
                await self._replace_if(keys=[redis_key], args=[mine, "", 0])
                raise
            answer = Answer(exc.status, exc.to_dict())
        except BaseException:
            await self._replace_if(keys=[redis_key], args=[mine, "", 0])
            raise
        done = {"fp": request_fingerprint, "state": "done", "status": answer.status, "body": answer.body}
        if not await self._replace_if(keys=[redis_key], args=[mine, orjson.dumps(done), self.keep_s * 1000]):
            # Our lease lapsed while we ran and a retry took the key over: its answer is kept.
            log.warning("an Idempotency-Key was taken over while its first call still ran")
        return answer


def _replay(stored: dict[str, Any], request_fingerprint: str) -> Answer | None:
    """The stored answer; None while the first call runs; 409 for another request."""
    if stored["fp"] != request_fingerprint:
        raise Conflict(
            f"this {HEADER} was already used for a different request",
            code="idempotency_conflict",
        )
    if stored["state"] != "done":
        return None
    return Answer(int(stored["status"]), stored["body"], replayed=True)


def _in_progress() -> Conflict:
    return Conflict(
        f"a request with this {HEADER} is still being processed; retry shortly",
        code="idempotency_in_progress",
        retry_after_s=1,
    )
