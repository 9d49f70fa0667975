"""The engine's Lua scripts, read once from ``lua/`` and called by SHA.

Showtime scripts get the shared head ``lua/_showtime.lua`` put in front of them, so they share one
description of the keys and one implementation of liveness, change records and the stranded rule.
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
    def showtime(cls, name: str) -> Script:
        return cls(name, _source("_showtime") + "\n" + _source(name))

    @classmethod
    def plain(cls, name: str) -> Script:
        return cls(name, _source(name))

    async def __call__(self, redis: RedisClient, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            await redis.script_load(self.source)
            return await redis.evalsha(self.sha, len(keys), *keys, *args)


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


HOLD = Script.showtime("hold")
EXTEND = Script.showtime("extend")
RELEASE = Script.showtime("release")
BUY = Script.showtime("buy")
UNSELL = Script.showtime("unsell")
SWEEP = Script.showtime("sweep")
SNAPSHOT = Script.showtime("snapshot")
CHANGES = Script.showtime("changes")
LOAD = Script.showtime("load")
USER_HOLD = Script.plain("user_hold")
ALL = (HOLD, EXTEND, RELEASE, BUY, UNSELL, SWEEP, SNAPSHOT, CHANGES, LOAD, USER_HOLD)
