"""A pretend provider for the demo: every prepaid order is paid a moment later, refunds succeed at once.

Nothing leaves the process. ``prepay`` schedules the confirmation; after ``delay_ms`` the provider
hands a paid notice to the ``on_notice`` callback it was built with, as WeChat Pay's callback would.
A second prepay for the same order (a retried ``/pay``) confirms nothing twice. Payments live in
memory, so ``query`` only knows what this process confirmed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from seatcore.errors import Conflict
from seatcore.payments.base import NoticeHandler, PaymentNotice, RefundResult, notification_invalid

log = logging.getLogger("seatcore.payments.sandbox")
DEFAULT_DELAY_MS = 300
NOTICE_ATTEMPTS = 3  # like WeChat Pay, a callback that fails is tried again


class SandboxProvider:
    name = "sandbox"

    def __init__(self, on_notice: NoticeHandler, *, delay_ms: int = DEFAULT_DELAY_MS) -> None:
        self._on_notice = on_notice
        self._delay_s = delay_ms / 1000
        self._paid: dict[str, PaymentNotice] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._refunds: dict[str, RefundResult] = {}

    async def prepay(
        self, *, order_id: str, amount_fen: int, description: str, openid: str, expires_at: datetime
    ) -> dict[str, str]:
        if order_id not in self._paid and order_id not in self._pending:
            task = asyncio.create_task(self._confirm(order_id, amount_fen, openid))
            self._pending[order_id] = task
            # A done callback, unlike a finally, also runs for a task cancelled before it started.
            task.add_done_callback(lambda _: self._pending.pop(order_id, None))
        return {
            "timeStamp": str(int(time.time())),
            "nonceStr": secrets.token_hex(16),
            "package": f"prepay_id=sandbox-{order_id}",
            "signType": "RSA",
            "paySign": base64.b64encode(secrets.token_bytes(256)).decode(),
        }

    async def parse_notification(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        raise notification_invalid("the sandbox provider sends no HTTP notifications", "sandbox")

    async def query(self, order_id: str) -> PaymentNotice | None:
        return self._paid.get(order_id)

    async def refund(
        self, *, order_id: str, refund_id: str, amount_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        if refund_id in self._refunds:
            return self._refunds[refund_id]
        if not 0 < amount_fen <= total_fen:
            raise Conflict(
                "the refund amount must be positive and at most the order total",
                code="payment_refused",
                amount_fen=amount_fen,
                total_fen=total_fen,
            )
        result = RefundResult(refund_id, f"sandbox-refund-{secrets.token_hex(8)}", "succeeded")
        self._refunds[refund_id] = result
        return result

    async def settled(self) -> None:
        """Waits until every scheduled confirmation has been handed to ``on_notice``."""
        while self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)
            await asyncio.sleep(0)  # let the done callbacks forget the finished tasks

    async def close(self) -> None:
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _confirm(self, order_id: str, amount_fen: int, openid: str) -> None:
        await asyncio.sleep(self._delay_s)
        now = datetime.now(UTC)
        transaction_id = f"sandbox-{secrets.token_hex(12)}"
        notice = PaymentNotice(
            order_id=order_id,
            transaction_id=transaction_id,
            amount_fen=amount_fen,
            status="paid",
            paid_at=now,
            raw={
                "out_trade_no": order_id,
                "transaction_id": transaction_id,
                "trade_state": "SUCCESS",
                "amount": {"total": amount_fen, "payer_total": amount_fen, "currency": "CNY"},
                "success_time": now.isoformat(timespec="seconds"),
                "payer": {"openid": openid},
            },
        )
        self._paid[order_id] = notice
        await self._deliver(notice)

    async def _deliver(self, notice: PaymentNotice) -> None:
        for attempt in range(1, NOTICE_ATTEMPTS + 1):
            try:
                await self._on_notice(notice)
                return
            except Exception:
                log.exception("sandbox payment notice failed", extra={"order_id": notice.order_id})
                if attempt < NOTICE_ATTEMPTS:
                    await asyncio.sleep(self._delay_s)
