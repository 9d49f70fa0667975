"""WeChat Pay API v3, JSAPI: the mini-program pays inside WeChat.

Every request is signed with the merchant key; every answer and callback must carry WeChat Pay's
signature (platform public key or certificate, matched by serial) or it is not believed. The base
URL is a setting, so tests point the provider at a local fake that signs like the real service.
``out_trade_no`` is our order id and ``out_refund_no`` our refund id: WeChat Pay treats both as
idempotency keys, so a retried prepay or refund never charges or refunds twice.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from cryptography.hazmat.primitives.asymmetric import rsa

from seatcore.errors import UpstreamUnavailable
from seatcore.payments import wechatpay_crypto as crypto
from seatcore.payments.base import PaymentNotice, ProviderMisconfigured, RefundResult, notification_invalid
from seatcore.payments.wechatpay_documents import raise_for_status, refund_result, transaction_notice
from seatcore.settings import Settings

TIMEOUT_S = 10.0
USER_AGENT = "seatcore-wechatpay/1"
DESCRIPTION_MAX_CHARS = 127
REASON_MAX_CHARS = 80


class WeChatPayProvider:
    name = "wechatpay"

    def __init__(
        self,
        *,
        mchid: str,
        appid: str,
        serial_no: str,
        private_key: rsa.RSAPrivateKey,
        platform_public_key: rsa.RSAPublicKey,
        platform_serial: str,
        apiv3_key: bytes,
        base_url: str,
        notify_url: str,
        refund_notify_url: str = "",
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        if len(apiv3_key) != crypto.APIV3_KEY_BYTES:
            raise ProviderMisconfigured("the WeChat Pay APIv3 key must be 32 bytes")
        self.mchid = mchid
        self.appid = appid
        self._serial_no = serial_no
        self._private_key = private_key
        self._platform_serial = platform_serial
        self._verifier = crypto.PlatformVerifier(platform_public_key, platform_serial)
        self._apiv3_key = apiv3_key
        self._notify_url = notify_url
        self._refund_notify_url = refund_notify_url
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout_s)

    @classmethod
    def from_settings(cls, settings: Settings) -> WeChatPayProvider:
        required = {
            "wechatpay_mchid": settings.wechatpay_mchid,
            "wechatpay_serial_no": settings.wechatpay_serial_no,
            "wechatpay_private_key_path": settings.wechatpay_private_key_path,
            "wechatpay_platform_public_key_path": settings.wechatpay_platform_public_key_path,
            "wechatpay_platform_serial": settings.wechatpay_platform_serial,
            "wechatpay_apiv3_key": settings.wechatpay_apiv3_key,
            "wechatpay_notify_url": settings.wechatpay_notify_url,
        }
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise ProviderMisconfigured(
                "payment_provider is wechatpay but settings are missing: " + ", ".join(missing),
                missing=missing,
            )
        try:
            private_key = crypto.load_private_key(Path(settings.wechatpay_private_key_path))
            platform_key = crypto.load_public_key(Path(settings.wechatpay_platform_public_key_path))
        except (OSError, ValueError) as exc:
            raise ProviderMisconfigured(f"cannot load a WeChat Pay key: {exc}") from None
        return cls(
            mchid=settings.wechatpay_mchid,
            appid=settings.wechatpay_appid or settings.wx_appid,
            serial_no=settings.wechatpay_serial_no,
            private_key=private_key,
            platform_public_key=platform_key,
            platform_serial=settings.wechatpay_platform_serial,
            apiv3_key=settings.wechatpay_apiv3_key.encode(),
            base_url=settings.wechatpay_base_url,
            notify_url=settings.wechatpay_notify_url,
            refund_notify_url=settings.wechatpay_refund_notify_url,
        )

    async def prepay(
        self, *, order_id: str, amount_fen: int, description: str, openid: str, expires_at: datetime
    ) -> dict[str, str]:
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must carry a time zone")
        body = {
            "appid": self.appid,
            "mchid": self.mchid,
            "description": description[:DESCRIPTION_MAX_CHARS] or order_id,
            "out_trade_no": order_id,
            "time_expire": expires_at.isoformat(timespec="seconds"),
            "notify_url": self._notify_url,
            "amount": {"total": amount_fen, "currency": "CNY"},
            "payer": {"openid": openid},
        }
        data = await self._call("POST", "/v3/pay/transactions/jsapi", body=body)
        prepay_id = data.get("prepay_id")
        if not isinstance(prepay_id, str) or not prepay_id:
            raise UpstreamUnavailable(
                "WeChat Pay answered without a prepay_id", code="payment_response_invalid"
            )
        return self.request_payment_params(prepay_id)

    def request_payment_params(self, prepay_id: str) -> dict[str, str]:
        """What ``wx.requestPayment`` takes, signed with the merchant key for this appid."""
        timestamp = str(int(time.time()))
        nonce = crypto.new_nonce()
        message = crypto.pay_sign_message(self.appid, timestamp, nonce, prepay_id)
        return {
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": f"prepay_id={prepay_id}",
            "signType": "RSA",
            "paySign": crypto.sign(self._private_key, message),
        }

    async def parse_notification(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        transaction = self._open_notification(headers, body, "transaction")
        try:
            notice = transaction_notice(transaction)
        except (KeyError, TypeError, ValueError):
            raise notification_invalid("the payment notice is malformed", "malformed_resource") from None
        if notice is None:
            raise notification_invalid("the payment notice is not in a final state", "not_final")
        return notice

    def parse_refund_notification(self, headers: Mapping[str, str], body: bytes) -> RefundResult:
        """A verified refund result from a ``REFUND.*`` callback (sent to the refund notify URL)."""
        refund = self._open_notification(headers, body, "refund")
        try:
            return refund_result(refund, refund_key="refund_status")
        except (KeyError, TypeError, ValueError):
            raise notification_invalid("the refund notice is malformed", "malformed_resource") from None

    async def query(self, order_id: str) -> PaymentNotice | None:
        status, data = await self._send(
            "GET",
            f"/v3/pay/transactions/out-trade-no/{quote(order_id, safe='')}",
            params={"mchid": self.mchid},
        )
        if status == 404:
            return None
        raise_for_status(status, data)
        try:
            return transaction_notice(data)
        except (KeyError, TypeError, ValueError):
            raise UpstreamUnavailable(
                "WeChat Pay answered the query with a malformed transaction", code="payment_response_invalid"
            ) from None

    async def refund(
        self, *, order_id: str, refund_id: str, amount_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        body: dict[str, Any] = {
            "out_trade_no": order_id,
            "out_refund_no": refund_id,
            "amount": {"refund": amount_fen, "total": total_fen, "currency": "CNY"},
        }
        if reason:
            body["reason"] = reason[:REASON_MAX_CHARS]
        if self._refund_notify_url:
            body["notify_url"] = self._refund_notify_url
        data = await self._call("POST", "/v3/refund/domestic/refunds", body=body)
        try:
            return refund_result(data, refund_key="status")
        except (KeyError, TypeError, ValueError):
            raise UpstreamUnavailable(
                "WeChat Pay answered the refund with a malformed document", code="payment_response_invalid"
            ) from None

    async def close(self) -> None:
        await self._client.aclose()

    def _open_notification(self, headers: Mapping[str, str], body: bytes, original_type: str) -> Any:
        """The decrypted resource of a verified callback of the given kind."""
        try:
            self._verifier.verify(headers, body)
        except crypto.SignatureInvalid as exc:
            raise notification_invalid("the notice's signature does not verify", exc.reason) from None
        try:
            document = orjson.loads(body)
            resource = document["resource"]
            if resource["algorithm"] != "AEAD_AES_256_GCM" or resource["original_type"] != original_type:
                raise ValueError("unexpected resource kind")
            plaintext = crypto.decrypt_resource(
                self._apiv3_key,
                nonce=resource["nonce"],
                ciphertext=resource["ciphertext"],
                associated_data=resource.get("associated_data") or "",
            )
            content = orjson.loads(plaintext)
        except crypto.SignatureInvalid as exc:
            raise notification_invalid("the notice's resource does not decrypt", exc.reason) from None
        except (KeyError, TypeError, ValueError):
            raise notification_invalid("the notice is malformed", "malformed_notice") from None
        if not isinstance(content, dict) or content.get("mchid") != self.mchid:
            raise notification_invalid("the notice is for another merchant", "foreign_merchant")
        return content

    async def _call(self, method: str, path: str, *, body: dict[str, Any]) -> dict[str, Any]:
        status, data = await self._send(method, path, body=body)
        raise_for_status(status, data)
        return data

    async def _send(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Sends a signed request; answers the status and the verified JSON document."""
        content = orjson.dumps(body) if body is not None else b""
        request = self._client.build_request(
            method,
            path,
            params=params,
            content=content or None,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Wechatpay-Serial": self._platform_serial,
            },
        )
        request.headers["Authorization"] = crypto.authorization(
            self._private_key,
            mchid=self.mchid,
            serial_no=self._serial_no,
            method=method,
            path_with_query=request.url.raw_path.decode(),
            body=content,
        )
        try:
            response = await self._client.send(request)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(
                "WeChat Pay is not reachable, try again", cause=type(exc).__name__
            ) from None
        # An answer acted upon (success, or "no such order") must be signed; another error without
        # a signature is still an error, only not trusted beyond its status.
        acted_upon = response.is_success or response.status_code == 404
        if acted_upon or "wechatpay-signature" in response.headers:
            try:
                self._verifier.verify(response.headers, response.content)
            except crypto.SignatureInvalid as exc:
                raise UpstreamUnavailable(
                    "WeChat Pay's answer failed signature verification",
                    code="payment_response_invalid",
                    reason=exc.reason,
                ) from None
        try:
            data = orjson.loads(response.content) if response.content else {}
        except orjson.JSONDecodeError:
            data = {}
        return response.status_code, data if isinstance(data, dict) else {}
