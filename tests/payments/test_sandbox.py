"""The demo's sandbox provider, and choosing a provider from settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from seatcore.errors import Conflict, Unauthorized
from seatcore.payments import ProviderMisconfigured, SandboxProvider, WeChatPayProvider, build_provider
from seatcore.payments.base import PaymentNotice
from seatcore.settings import Settings
from tests.payments.fake_wechatpay import WeChatPayKeys
from tests.polling import wait_for

DELAY_MS = 20
SLOW_DELAY_MS = 1500
WAIT_S = 5


class Inbox:
    """Collects the notices a provider hands over, and lets a test wait for them."""

    def __init__(self) -> None:
        self.notices: list[PaymentNotice] = []
        self.failures_left = 0
        self.arrived = asyncio.Event()

    async def __call__(self, notice: PaymentNotice) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("the order pipeline is briefly down")
        self.notices.append(notice)
        self.arrived.set()


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def ledger(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """Where the sandbox records its payments (an empty Redis database of this run)."""
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
async def sandbox(inbox: Inbox, ledger: aioredis.Redis) -> AsyncIterator[SandboxProvider]:
    provider = SandboxProvider(inbox, ledger, delay_ms=DELAY_MS)
    yield provider
    await provider.close()


@pytest.fixture
async def slow_sandbox(inbox: Inbox, ledger: aioredis.Redis) -> AsyncIterator[SandboxProvider]:
    """A sandbox whose confirmation comes late enough that "not paid yet" holds between two calls
    however loaded the machine is."""
    provider = SandboxProvider(inbox, ledger, delay_ms=SLOW_DELAY_MS)
    yield provider
    await provider.close()


async def prepay(provider: SandboxProvider, order_id: str = "SB-ORDER-1") -> dict[str, str]:
    return await provider.prepay(
        order_id=order_id,
        amount_fen=9000,
        description="Two seats",
        openid="dev:alice",
        expires_at=datetime.now(UTC) + timedelta(minutes=15),
    )


async def test_prepay_then_one_confirmation(slow_sandbox: SandboxProvider, inbox: Inbox) -> None:
    sandbox = slow_sandbox
    params = await prepay(sandbox)
    await prepay(sandbox)  # a retried /pay
    assert set(params) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert await sandbox.query("SB-ORDER-1") is None

    await asyncio.wait_for(inbox.arrived.wait(), WAIT_S)
    await sandbox.settled()
    await prepay(sandbox)  # after the payment: nothing new is confirmed
    await sandbox.settled()

    [notice] = inbox.notices
    assert (notice.order_id, notice.status, notice.amount_fen) == ("SB-ORDER-1", "paid", 9000)
    assert notice.paid_at is not None
    assert await sandbox.query("SB-ORDER-1") == notice


async def test_a_failed_delivery_is_tried_again(sandbox: SandboxProvider, inbox: Inbox) -> None:
    inbox.failures_left = 1
    await prepay(sandbox)
    await asyncio.wait_for(sandbox.settled(), WAIT_S)
    assert [notice.order_id for notice in inbox.notices] == ["SB-ORDER-1"]


async def test_close_cancels_pending_confirmations(inbox: Inbox, ledger: aioredis.Redis) -> None:
    provider = SandboxProvider(inbox, ledger, delay_ms=60_000)
    await prepay(provider)
    await provider.close()
    await provider.settled()
    assert inbox.notices == []


async def test_a_payment_outlives_the_process_that_scheduled_its_confirmation(
    inbox: Inbox, ledger: aioredis.Redis
) -> None:
    """The confirmation task dies with its process (here: cancelled before it ran); the payment is
    recorded in Redis, so another provider (a restarted process) answers the query with it."""
    crashed = SandboxProvider(inbox, ledger, delay_ms=DELAY_MS)
    await prepay(crashed)
    await crashed.close()
    restarted = SandboxProvider(Inbox(), ledger, delay_ms=DELAY_MS)

    async def paid() -> bool:
        return await restarted.query("SB-ORDER-1") is not None

    await wait_for(paid)
    notice = await restarted.query("SB-ORDER-1")
    assert notice is not None and (notice.status, notice.amount_fen) == ("paid", 9000)
    assert inbox.notices == []  # no notice ever came: only the query knows


async def test_refunds_succeed_at_once_and_once(sandbox: SandboxProvider) -> None:
    first = await sandbox.refund(
        order_id="SB-ORDER-1", refund_id="RF-1", amount_fen=9000, total_fen=9000, reason=""
    )
    again = await sandbox.refund(
        order_id="SB-ORDER-1", refund_id="RF-1", amount_fen=9000, total_fen=9000, reason=""
    )
    assert first.status == "succeeded"
    assert again == first

    with pytest.raises(Conflict) as refused:
        await sandbox.refund(
            order_id="SB-ORDER-1", refund_id="RF-2", amount_fen=9001, total_fen=9000, reason=""
        )
    assert refused.value.code == "payment_refused"


async def test_the_sandbox_believes_no_http_notice(sandbox: SandboxProvider) -> None:
    with pytest.raises(Unauthorized) as refused:
        await sandbox.parse_notification({}, b"{}")
    assert refused.value.code == "notification_invalid"


async def test_build_provider_follows_the_settings(
    inbox: Inbox, ledger: aioredis.Redis, wechatpay_keys: WeChatPayKeys, tmp_path: Path
) -> None:
    sandbox = build_provider(
        Settings(payment_provider="sandbox", sandbox_pay_delay_ms=DELAY_MS), inbox, ledger
    )
    overrides = wechatpay_keys.settings_overrides(
        tmp_path, "http://127.0.0.1:9", "https://seatcore.test/notify"
    )
    wechatpay = build_provider(Settings(**overrides), inbox, ledger)
    try:
        assert isinstance(sandbox, SandboxProvider) and sandbox.name == "sandbox"
        assert isinstance(wechatpay, WeChatPayProvider) and wechatpay.name == "wechatpay"
    finally:
        await sandbox.close()
        await wechatpay.close()


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"wechatpay_mchid": "", "wechatpay_apiv3_key": ""}, "wechatpay_mchid, wechatpay_apiv3_key"),
        ({"wechatpay_private_key_path": "/nonexistent/apiclient_key.pem"}, "cannot load"),
        ({"wechatpay_platform_public_key_path": "PRIVATE"}, "cannot load"),
        ({"wechatpay_apiv3_key": "too-short"}, "32 bytes"),
    ],
)
async def test_a_misconfigured_wechatpay_says_what_is_wrong(
    inbox: Inbox,
    ledger: aioredis.Redis,
    wechatpay_keys: WeChatPayKeys,
    tmp_path: Path,
    change: dict[str, str],
    complaint: str,
) -> None:
    overrides = wechatpay_keys.settings_overrides(
        tmp_path, "http://127.0.0.1:9", "https://seatcore.test/notify"
    )
    if change.get("wechatpay_platform_public_key_path") == "PRIVATE":
        change = {"wechatpay_platform_public_key_path": overrides["wechatpay_private_key_path"]}
    with pytest.raises(ProviderMisconfigured) as failed:
        build_provider(Settings(**{**overrides, **change}), inbox, ledger)
    assert complaint in failed.value.message
    assert failed.value.code == "config_error"
