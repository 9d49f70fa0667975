"""Fixtures for the payment tests: fresh keys, the fake WeChat Pay service and a provider aimed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from seatcore.payments.wechatpay import WeChatPayProvider
from seatcore.settings import Settings
from tests.payments.fake_wechatpay import FakeWeChatPay, WeChatPayKeys, running_fake

NOTIFY_URL = "https://seatcore.test/api/v1/payments/wechatpay/notify"
REFUND_NOTIFY_URL = "https://seatcore.test/api/v1/payments/wechatpay/refund-notify"


@pytest.fixture(scope="session")
def wechatpay_keys() -> WeChatPayKeys:
    return WeChatPayKeys.generate()


@pytest.fixture
async def fake_wechatpay(wechatpay_keys: WeChatPayKeys) -> AsyncIterator[FakeWeChatPay]:
    async with running_fake(wechatpay_keys) as fake:
        yield fake


@pytest.fixture
def wechatpay_settings(
    wechatpay_keys: WeChatPayKeys, fake_wechatpay: FakeWeChatPay, tmp_path: Path
) -> Settings:
    overrides = wechatpay_keys.settings_overrides(
        tmp_path / "keys", fake_wechatpay.base_url, NOTIFY_URL, REFUND_NOTIFY_URL
    )
    return Settings(**overrides)


@pytest.fixture
async def wechatpay(wechatpay_settings: Settings) -> AsyncIterator[WeChatPayProvider]:
    provider = WeChatPayProvider.from_settings(wechatpay_settings)
    yield provider
    await provider.close()
