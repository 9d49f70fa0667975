"""The provider while payments are off (``payment_provider = "none"``, the default).

A service started without a payment provider must never sell tickets for free: it serves
everything else, and every attempt to pay answers 503 ``payments_unavailable`` naming the setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from seatcore.errors import UpstreamUnavailable
from seatcore.payments.base import PaymentNotice, RefundResult, notification_invalid

MESSAGE = (
    "payments are off on this service: set payment_provider (wechatpay in production; "
    "sandbox for the demo and tests)"
)


def payments_unavailable() -> UpstreamUnavailable:
    return UpstreamUnavailable(MESSAGE, code="payments_unavailable")


class PaymentsOff:
    name = "none"

    async def prepay(
        self, *, order_id: str, amount_fen: int, description: str, openid: str, expires_at: datetime
    ) -> dict[str, str]:
        raise payments_unavailable()

    async def parse_notification(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        raise notification_invalid("payments are off on this service", "payments_off")

    async def query(self, order_id: str) -> PaymentNotice | None:
        return None  # nothing was ever paid through this provider

    async def refund(
        self, *, order_id: str, refund_id: str, amount_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        raise payments_unavailable()

    async def close(self) -> None:
        return None
