"""Waiting in tests for what happens asynchronously by design (writers, sweepers, sandbox payments)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def wait_for(check: Callable[[], Awaitable[bool]], *, timeout_s: float = 15.0) -> None:
    """Poll ``check`` until it holds; AssertionError after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("the condition did not come true in time")
        await asyncio.sleep(0.02)
