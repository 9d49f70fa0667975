"""Reading WeChat Pay's documents: transactions, refunds and error answers, in seatcore's terms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from seatcore.errors import Conflict, UpstreamUnavailable
from seatcore.payments.base import PaymentNotice, PaymentStatus, RefundResult, RefundStatus

# Final trade states only: NOTPAY and USERPAYING mean "nothing to act on yet".
_TRADE_STATES: dict[str, PaymentStatus] = {
    "SUCCESS": "paid",
    "REFUND": "paid",  # paid, then (partly) refunded: refunds are tracked on their own
    "PAYERROR": "failed",
    "CLOSED": "closed",
    "REVOKED": "closed",
}
_REFUND_STATES: dict[str, RefundStatus] = {
    "SUCCESS": "succeeded",
    "PROCESSING": "processing",
    "CLOSED": "failed",
    "ABNORMAL": "failed",
}


def raise_for_status(status: int, data: dict[str, Any]) -> None:
    """Nothing for a 2xx; otherwise the seatcore error a caller can act on: WeChat Pay cannot serve
    us now (5xx, rate limit, our credentials refused) or it refuses this request (other 4xx)."""
    if 200 <= status < 300:
        return
    provider_code = str(data.get("code", ""))
    message = str(data.get("message", "")) or f"HTTP {status}"
    if status >= 500 or status in (401, 429):
        raise UpstreamUnavailable(
            f"WeChat Pay cannot take the request now: {message}",
            provider_code=provider_code,
            provider_status=status,
        )
    raise Conflict(
        f"WeChat Pay refused the request: {message}",
        code="payment_refused",
        provider_code=provider_code,
        provider_status=status,
    )


def transaction_notice(transaction: dict[str, Any]) -> PaymentNotice | None:
    """The notice for a transaction in a final state, None while it is not; raises KeyError,
    TypeError or ValueError for a malformed document."""
    status = _TRADE_STATES.get(transaction["trade_state"])
    if status is None:
        return None
    total = transaction["amount"]["total"]
    if not isinstance(total, int):
        raise TypeError("amount.total must be an integer")
    success_time = transaction.get("success_time")
    return PaymentNotice(
        order_id=str(transaction["out_trade_no"]),
        transaction_id=str(transaction.get("transaction_id", "")),
        amount_fen=total,
        status=status,
        paid_at=datetime.fromisoformat(success_time) if status == "paid" and success_time else None,
        raw=transaction,
    )


def refund_result(refund: dict[str, Any], *, refund_key: str) -> RefundResult:
    """A refund answer (status under ``status``) or refund callback (under ``refund_status``)."""
    return RefundResult(
        refund_id=str(refund["out_refund_no"]),
        provider_refund_id=str(refund["refund_id"]),
        status=_REFUND_STATES[refund[refund_key]],
    )
