"""A pretend provider for the demo: every prepaid order is paid a moment later, refunds succeed at once.

Nothing leaves the service. ``prepay`` records the payment in Redis as due ``delay_ms`` later (the
moviegoer "paying" at the provider) and schedules its confirmation; when it is due the provider
hands a paid notice to the ``on_notice`` callback it was built with, as WeChat Pay's callback would.
A second prepay for the same order (a retried ``/pay``) confirms nothing twice in one process.
The record in Redis is what makes this durable: ``query`` answers from it, so after a crash that
took the scheduled confirmation with it, the order service's query (a repeated ``/pay``, the
sweeper) finds the payment and settles it, as it would with WeChat Pay after a lost notice.
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

import orjson
import redis.asyncio as aioredis

from seatcore import keys
from seatcore.errors import Conflict
from seatcore.payments.base import NoticeHandler, PaymentNotice, RefundResult, notification_invalid

log = logging.getLogger("seatcore.payments.sandbox")
DEFAULT_DELAY_MS = 300
NOTICE_ATTEMPTS = 3  # like WeChat Pay, a callback that fails is tried again
KEEP_S = 7 * 24 * 3600  # a sandbox payment is remembered as long as an order may stay in flight


class SandboxProvider:
    name = "sandbox"

    def __init__(
        self, on_notice: NoticeHandler, redis: aioredis.Redis, *, delay_ms: int = DEFAULT_DELAY_MS
    ) -> None:
        self._on_notice = on_notice
        self._redis = redis
        self._delay_ms = delay_ms
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._delivered: set[str] = set()  # confirmed by this process: a retried prepay leaves them be
        self._refunds: dict[str, RefundResult] = {}

    async def prepay(
        self, *, order_id: str, amount_fen: int, description: str, openid: str, expires_at: datetime
    ) -> dict[str, str]:
        now_ms = int(time.time() * 1000)
        record = {
            "amount_fen": amount_fen,
            "openid": openid,
            "due_ms": now_ms + self._delay_ms,
            "transaction_id": f"sandbox-{secrets.token_hex(12)}",
        }
        # The first prepay of an order decides when and how it is paid; a retry keeps that.
        await self._redis.set(keys.sandbox_payment(order_id), orjson.dumps(record), nx=True, ex=KEEP_S)
        if order_id not in self._pending and order_id not in self._delivered:
            task = asyncio.create_task(self._confirm(order_id))
            self._pending[order_id] = task
            # A done callback, unlike a finally, also runs for a task cancelled before it started.
            task.add_done_callback(lambda _: self._pending.pop(order_id, None))
        return {
            "timeStamp": str(now_ms // 1000),
            "nonceStr": secrets.token_hex(16),
            "package": f"prepay_id=sandbox-{order_id}",
            "signType": "RSA",
            "paySign": base64.b64encode(secrets.token_bytes(256)).decode(),
        }

    async def parse_notification(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        raise notification_invalid("the sandbox provider sends no HTTP notifications", "sandbox")

    async def query(self, order_id: str) -> PaymentNotice | None:
        """The payment of a prepaid order once it is due, from Redis (so in any process)."""
        raw = await self._redis.get(keys.sandbox_payment(order_id))
        if raw is None:
            return None
        record = orjson.loads(raw)
        amount = record["amount_fen"]
        if int(time.time() * 1000) < record["due_ms"]:
            return None
        paid_at = datetime.fromtimestamp(record["due_ms"] / 1000, UTC)
        return PaymentNotice(
            order_id=order_id,
            transaction_id=record["transaction_id"],
            amount_fen=amount,
            status="paid",
            paid_at=paid_at,
            raw={
                "out_trade_no": order_id,
                "transaction_id": record["transaction_id"],
                "trade_state": "SUCCESS",
                "amount": {"total": amount, "payer_total": amount, "currency": "CNY"},
                "success_time": paid_at.isoformat(timespec="seconds"),
                "payer": {"openid": record["openid"]},
            },
        )

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

    async def _confirm(self, order_id: str) -> None:
        """Hand over the payment when it is due (and it is never due twice: the notice is the
        same every time, and the order service acts on it once)."""
        while True:
            raw = await self._redis.get(keys.sandbox_payment(order_id))
            if raw is None:
                return
            wait_ms = orjson.loads(raw)["due_ms"] - int(time.time() * 1000)
            if wait_ms <= 0:
                break
            await asyncio.sleep(wait_ms / 1000)
        notice = await self.query(order_id)
        if notice is not None:
            self._delivered.add(order_id)
            await self._deliver(notice)

    async def _deliver(self, notice: PaymentNotice) -> None:
        for attempt in range(1, NOTICE_ATTEMPTS + 1):
            try:
                await self._on_notice(notice)
                return
            except Exception:
                log.exception("sandbox payment notice failed", extra={"order_id": notice.order_id})
                if attempt < NOTICE_ATTEMPTS:
                    await asyncio.sleep(self._delay_ms / 1000)
