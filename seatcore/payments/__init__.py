"""Payment providers behind one interface (``PaymentProvider``), chosen by ``payment_provider``.

``none`` (the default) refuses every payment; ``sandbox`` (turned on by the demo and the tests)
pays every order itself after a short delay; ``wechatpay`` talks to WeChat Pay API v3. See
docs/payments.md for settings, key files and callback verification.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from seatcore.payments.base import (
    NoticeHandler,
    PaymentNotice,
    PaymentProvider,
    ProviderMisconfigured,
    RefundResult,
)
from seatcore.payments.disabled import PaymentsOff
from seatcore.payments.sandbox import SandboxProvider
from seatcore.payments.wechatpay import WeChatPayProvider
from seatcore.settings import Settings

__all__ = [
    "NoticeHandler",
    "PaymentNotice",
    "PaymentProvider",
    "PaymentsOff",
    "ProviderMisconfigured",
    "RefundResult",
    "SandboxProvider",
    "WeChatPayProvider",
    "build_provider",
]


def build_provider(settings: Settings, on_notice: NoticeHandler, redis: aioredis.Redis) -> PaymentProvider:
    """The configured provider. ``on_notice`` receives the sandbox's payments (recorded in
    ``redis``); WeChat Pay's arrive over HTTP at ``wechatpay_notify_url`` and go through
    ``parse_notification`` instead."""
    if settings.payment_provider == "none":
        return PaymentsOff()
    if settings.payment_provider == "sandbox":
        return SandboxProvider(on_notice, redis, delay_ms=settings.sandbox_pay_delay_ms)
    return WeChatPayProvider.from_settings(settings)
