"""What every payment provider offers the order pipeline, and the shapes it answers with.

A provider turns an order into the parameters the mini-program hands to ``wx.requestPayment``,
proves that a payment notification really comes from the provider, and can query and refund.
Order ids and refund ids double as the provider's idempotency keys (WeChat Pay's ``out_trade_no``
and ``out_refund_no``), so a retried call never charges or refunds twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from seatcore.errors import SeatcoreError, Unauthorized

PaymentStatus = Literal["paid", "failed", "closed"]
RefundStatus = Literal["processing", "succeeded", "failed"]


@dataclass(frozen=True)
class PaymentNotice:
    """A verified statement from the provider about one order's payment.

    ``amount_fen`` is the order total the provider charged (before any provider-side coupon), so
    it can be compared with the order's own amount.
    """

    order_id: str
    transaction_id: str
    amount_fen: int
    status: PaymentStatus
    paid_at: datetime | None
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class RefundResult:
    """Where a refund stands: ``refund_id`` is ours, ``provider_refund_id`` the provider's."""

    refund_id: str
    provider_refund_id: str
    status: RefundStatus


NoticeHandler = Callable[[PaymentNotice], Awaitable[None]]


class PaymentProvider(Protocol):
    name: str

    async def prepay(
        self, *, order_id: str, amount_fen: int, description: str, openid: str, expires_at: datetime
    ) -> dict[str, str]:
        """The parameters ``wx.requestPayment`` needs: timeStamp, nonceStr, package, signType, paySign."""
        ...

    async def parse_notification(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        """A verified, decrypted payment notice; raises ``notification_invalid`` for anything else."""
        ...

    async def query(self, order_id: str) -> PaymentNotice | None:
        """The order's final payment state, or None while it is unknown or not yet paid."""
        ...

    async def refund(
        self, *, order_id: str, refund_id: str, amount_fen: int, total_fen: int, reason: str
    ) -> RefundResult: ...

    async def close(self) -> None: ...


class ProviderMisconfigured(SeatcoreError):
    """The configured provider cannot start: a setting or a key file is missing or wrong."""

    code = "config_error"


def notification_invalid(message: str, reason: str) -> Unauthorized:
    """The one error a forged, garbled, stale or foreign notification earns."""
    return Unauthorized(message, code="notification_invalid", reason=reason)
