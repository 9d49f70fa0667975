"""The engine's Lua scripts, read once from ``lua/`` and called by SHA.

A script is its own file with shared heads put in front of it: ``lua/_clock.lua`` (the clock) for
every one, ``lua/_showtime.lua`` for the showtime scripts, so they share one description of the keys
and one implementation of liveness, change records and the stranded rule, and ``lua/_user.lua``
(a user's hold rate and cap) for the two scripts that count holds.
A server that has not seen a script yet (restarted, flushed, a new cluster node) answers NOSCRIPT;
the call then loads it (on every primary of a cluster) and tries once more.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from importlib import resources
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError

RedisClient = Redis | RedisCluster
Arg = str | int


def _source(name: str) -> str:
    return (
        resources.files("seatcore.engine").joinpath("lua").joinpath(f"{name}.lua").read_text(encoding="utf-8")
    )


class Script:
    def __init__(self, name: str, source: str) -> None:
        self.name = name
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    @classmethod
    def composed(cls, name: str, *heads: str) -> Script:
        """The script ``name`` with the clock and ``heads`` (e.g. "_showtime") in front of it."""
        return cls(name, "\n".join(_source(part) for part in ("_clock", *heads, name)))

    async def __call__(self, redis: RedisClient, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        # execute_command rather than evalsha(): the same command without redis-py's wrappers.
        try:
            return await redis.execute_command("EVALSHA", self.sha, len(keys), *keys, *args)
        except NoScriptError:
            await redis.script_load(self.source)
            return await redis.execute_command("EVALSHA", self.sha, len(keys), *keys, *args)


async def with_commands(
    redis: RedisClient, script: Script, keys: Sequence[str], args: Sequence[Arg], *commands: Sequence[Arg]
) -> tuple[Any, list[Any]]:
    """Run ``script`` and plain ``commands`` in one round trip: a pipeline (no transaction: each is
    atomic by itself) on one Redis; concurrent calls on a cluster, whose pipelines refuse scripts.
    Returns the script's answer and the commands' replies; errors are raised."""
    if isinstance(redis, RedisCluster):
        replies = await asyncio.gather(
            script(redis, keys, args), *(redis.execute_command(*c) for c in commands)
        )
        return replies[0], list(replies[1:])
    for attempt in (1, 2):
        async with redis.pipeline(transaction=False) as pipe:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
            for command in commands:
                pipe.execute_command(*command)
            replies = await pipe.execute(raise_on_error=False)
        if attempt == 1 and isinstance(replies[0], NoScriptError):
            await redis.script_load(script.source)  # the commands are run again: they must bear it
            continue
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return replies[0], list(replies[1:])
    raise AssertionError("unreachable")


HOLD = Script.composed("hold", "_showtime", "_user")
EXTEND = Script.composed("extend", "_showtime")
RELEASE = Script.composed("release", "_showtime")
BUY = Script.composed("buy", "_showtime")
CLOSE = Script.composed("close", "_showtime")
UNSELL = Script.composed("unsell", "_showtime")
SWEEP = Script.composed("sweep", "_showtime")
SNAPSHOT = Script.composed("snapshot", "_showtime")
CHANGES = Script.composed("changes", "_showtime")
LOAD = Script.composed("load", "_showtime")
RELAYOUT = Script.composed("relayout", "_showtime")
USER_HOLD = Script.composed("user_hold", "_user")
ALL = (HOLD, EXTEND, RELEASE, BUY, CLOSE, UNSELL, SWEEP, SNAPSHOT, CHANGES, LOAD, RELAYOUT, USER_HOLD)
