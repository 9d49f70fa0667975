"""Stopping background tasks for sure.

A task cancelled while a library call is in flight can have that one CancelledError turned into a
library error and caught by a retry loop (seen with redis-py's pools), and then it never stops.
``stop_tasks`` cancels again until every task has ended, so shutdown cannot hang.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

RECANCEL_EVERY_S = 0.5


async def stop_tasks(tasks: Iterable[asyncio.Task[object]], grace_s: float = 0.0) -> None:
    """Let the tasks finish for ``grace_s``, then cancel them, again and again, until all have ended."""
    tasks = list(tasks)
    pending = {task for task in tasks if not task.done()}
    if pending and grace_s > 0:
        _, pending = await asyncio.wait(pending, timeout=grace_s)
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=RECANCEL_EVERY_S)
    for task in tasks:
        if not task.cancelled():
            with contextlib.suppress(Exception):
                task.result()
