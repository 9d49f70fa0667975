"""Staff passwords, hashed with argon2id.

Checking a password costs about 190 ms of CPU by design. ``check_password`` does it on a small
thread pool (argon2 runs in C and lets go of the GIL), so the event loop keeps serving holds and
seat maps while staff sign in, and at most ``VERIFY_THREADS`` checks run at once: a burst of
sign-ins queues instead of taking every core. An unknown username is checked against a dummy
hash of the same cost, so the answer's timing does not tell which accounts exist.
"""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

VERIFY_THREADS = 2

_hasher = PasswordHasher()
_pool = ThreadPoolExecutor(max_workers=VERIFY_THREADS, thread_name_prefix="argon2")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash no password matches, made with this hasher's parameters (so it costs the same)."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _check(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(password_hash, password)


async def check_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (None: an unknown account, never a match),
    verified off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, _check, password_hash, password)
