"""Background loops log an outage once, with a count, not once per retry: the order sweeper through
a Redis outage of many rounds writes one error line and one line when it recovers."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from seatcore.orders import recovery
from seatcore.outage_log import OutageLog

log = logging.getLogger("seatcore.test.outage")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == log.name]


def test_one_error_line_per_outage_and_one_when_it_recovers(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    outage = OutageLog(log, "the loop", remind_every_s=60, clock=clock)
    with caplog.at_level(logging.INFO, logger=log.name):
        outage.succeeded()  # no outage: nothing to say
        for _ in range(50):  # fifty rounds, one a second
            outage.failed(RedisConnectionError("Error 111 connecting to redis:6379"))
            clock.now += 1
        outage.succeeded()
        outage.succeeded()
    records = lines(caplog)
    assert [r.levelno for r in records] == [logging.ERROR, logging.WARNING]
    assert "the loop is failing" in records[0].getMessage() and "Error 111" in records[0].getMessage()
    assert records[0].exc_info is None  # a dependency away: its message says it all
    assert records[1].getMessage() == "the loop recovered after 50 failed tries over 50 s"

    caplog.clear()
    with caplog.at_level(logging.INFO, logger=log.name):  # a second outage is reported again
        outage.failed(RedisConnectionError("again"))
    assert len(lines(caplog)) == 1 and outage.failures == 1


def test_a_long_outage_gets_a_reminder_a_minute_and_a_bug_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    outage = OutageLog(log, "the loop", remind_every_s=60, clock=clock)
    with caplog.at_level(logging.INFO, logger=log.name):
        for _ in range(300):  # five minutes
            outage.failed(KeyError("order"))
            clock.now += 1
    records = lines(caplog)
    assert [r.levelno for r in records] == [logging.ERROR] + [logging.WARNING] * 4
    assert records[0].exc_info is not None  # not a dependency: a bug, worth its traceback
    assert "still failing: 61 failed tries over 60 s" in records[1].getMessage()


async def test_the_order_sweeper_logs_a_redis_outage_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rounds = 0
    stopping = asyncio.Event()

    async def recover(service: object) -> recovery.Recovery:
        return recovery.Recovery(0, 0)

    async def sweep_once(service: object) -> int:
        nonlocal rounds
        rounds += 1
        if rounds <= 30:
            raise RedisConnectionError("Connection refused")
        if rounds == 32:
            stopping.set()
        return 0

    async def release(service: object, lookback: object) -> int:
        return 0

    monkeypatch.setattr(recovery, "recover", recover)
    monkeypatch.setattr(recovery, "sweep_once", sweep_once)
    monkeypatch.setattr(recovery, "release_refunded_seats", release)
    monkeypatch.setattr(recovery, "SWEEP_EVERY_S", 0.001)
    async def finish_pending() -> int:
        return 0

    service = SimpleNamespace(exchanges=SimpleNamespace(finish_pending=finish_pending))
    with caplog.at_level(logging.INFO, logger="seatcore.orders.recovery"):
        await recovery.run(service, stopping)  # type: ignore[arg-type]
    records = [r for r in caplog.records if r.name == "seatcore.orders.recovery"]
    assert [r.levelno for r in records] == [logging.ERROR, logging.WARNING]
    assert "order sweeper is failing" in records[0].getMessage() and records[0].exc_info is None
    assert "order sweeper recovered after 30 failed tries" in records[1].getMessage()
