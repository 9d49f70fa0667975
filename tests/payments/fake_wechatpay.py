"""A local fake of WeChat Pay API v3 (JSAPI prepay, query, refund, callbacks) that signs like the real one.

It is written apart from seatcore.payments (its own signing and encryption code), so a mistake in the
provider is not mirrored here. It checks every request's ``Authorization`` signature with the
merchant public key, signs every answer with a platform key generated for the test, and sends
payment and refund callbacks (AES-256-GCM resource + platform signature) to any URL.

Use from any test::

    keys = WeChatPayKeys.generate()
    async with running_fake(keys) as fake:
        settings = Settings(**base, **keys.settings_overrides(tmp_path, fake.base_url, notify_url))
        ...  # the service prepays order X through the fake
        await fake.notify_payment("X")  # or notify_payment("X", url, client=asgi_client)
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import re
import secrets
import socket
import string
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

CHINA = timezone(timedelta(hours=8))
OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-|*]{6,32}$")
AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
SCHEME = "WECHATPAY2-SHA256-RSA2048 "
Action = Callable[[Request, dict[str, Any]], tuple[int, dict[str, Any]]]


def generate_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verifies(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def _now_iso() -> str:
    return datetime.now(CHINA).isoformat(timespec="seconds")


@dataclass(frozen=True)
class WeChatPayKeys:
    """A merchant and a platform identity, made fresh for a test run."""

    merchant_key: rsa.RSAPrivateKey
    platform_key: rsa.RSAPrivateKey
    mchid: str = "1900000109"
    appid: str = "wx-test-appid"
    merchant_serial: str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    platform_serial: str = "PUB_KEY_ID_0119000001092025010100000000000001"
    apiv3_key: str = field(default_factory=lambda: secrets.token_hex(16))

    @classmethod
    def generate(cls) -> WeChatPayKeys:
        return cls(merchant_key=generate_key(), platform_key=generate_key())

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Writes the merchant private key and the platform public key as PEM files."""
        directory.mkdir(parents=True, exist_ok=True)
        private_path = directory / "apiclient_key.pem"
        public_path = directory / "pub_key.pem"
        private_path.write_bytes(
            self.merchant_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        public_path.write_bytes(
            self.platform_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return private_path, public_path

    def settings_overrides(
        self, directory: Path, base_url: str, notify_url: str, refund_notify_url: str = ""
    ) -> dict[str, Any]:
        """Settings fields that point seatcore's WeChat Pay provider at a fake using these keys."""
        private_path, public_path = self.write(directory)
        return {
            "payment_provider": "wechatpay",
            "wechatpay_mchid": self.mchid,
            "wechatpay_appid": self.appid,
            "wechatpay_serial_no": self.merchant_serial,
            "wechatpay_private_key_path": str(private_path),
            "wechatpay_platform_public_key_path": str(public_path),
            "wechatpay_platform_serial": self.platform_serial,
            "wechatpay_apiv3_key": self.apiv3_key,
            "wechatpay_base_url": base_url,
            "wechatpay_notify_url": notify_url,
            "wechatpay_refund_notify_url": refund_notify_url,
        }


@dataclass(frozen=True)
class Notification:
    """One callback as WeChat Pay would POST it."""

    headers: dict[str, str]
    body: bytes

    def document(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(self.body)
        return data


@dataclass
class FakeOrder:
    request: dict[str, Any]
    prepay_id: str
    trade_state: str = "NOTPAY"
    transaction_id: str = ""
    success_time: str = ""
    refunded_fen: int = 0


class WeChatPayError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class FakeWeChatPay:
    """The fake service's state and routes. Knobs: ``tamper_responses``, ``answer_serial``,
    ``refund_status``; records: ``requests`` (verified ones), ``orders``, ``refunds``."""

    def __init__(self, keys: WeChatPayKeys) -> None:
        self.keys = keys
        self.base_url = ""
        self.tamper_responses = False
        self.answer_serial = keys.platform_serial
        self.refund_status = "SUCCESS"
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.orders: dict[str, FakeOrder] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.app = Starlette(
            routes=[
                Route("/v3/pay/transactions/jsapi", self._jsapi, methods=["POST"]),
                Route("/v3/pay/transactions/out-trade-no/{out_trade_no}", self._query, methods=["GET"]),
                Route("/v3/refund/domestic/refunds", self._refund, methods=["POST"]),
            ]
        )

    # -- what a test does as the payer or as WeChat Pay --------------------------------------

    def pay(self, order_id: str) -> dict[str, Any]:
        """The moviegoer pays the prepaid order; answers the transaction document."""
        order = self.orders[order_id]
        if order.trade_state == "NOTPAY":
            order.trade_state = "SUCCESS"
            order.transaction_id = "4200" + secrets.token_hex(12)
            order.success_time = _now_iso()
        return self.transaction(order_id)

    def transaction(self, order_id: str) -> dict[str, Any]:
        order = self.orders[order_id]
        total = order.request["amount"]["total"]
        document: dict[str, Any] = {
            "appid": order.request["appid"],
            "mchid": order.request["mchid"],
            "out_trade_no": order_id,
            "trade_type": "JSAPI",
            "trade_state": order.trade_state,
            "trade_state_desc": order.trade_state,
            "attach": "",
            "payer": {"openid": order.request["payer"]["openid"]},
            "amount": {"total": total, "currency": "CNY", "payer_currency": "CNY"},
        }
        if order.trade_state != "NOTPAY":
            document["transaction_id"] = order.transaction_id
            document["bank_type"] = "OTHERS"
            document["success_time"] = order.success_time
            document["amount"]["payer_total"] = total
        return document

    def payment_notification(
        self,
        order_id: str,
        *,
        amount_fen: int | None = None,
        changes: Mapping[str, Any] | None = None,
        **signing: Any,
    ) -> Notification:
        """A TRANSACTION.SUCCESS callback for a paid (now, if not yet) order. ``amount_fen`` and
        ``changes`` alter what the notice claims; ``signing`` goes to :meth:`signed`."""
        transaction = copy.deepcopy(self.pay(order_id))
        if amount_fen is not None:
            transaction["amount"]["total"] = transaction["amount"]["payer_total"] = amount_fen
        transaction.update(changes or {})
        return self._notification("TRANSACTION.SUCCESS", "支付成功", "transaction", transaction, **signing)

    def refund_notification(self, refund_id: str, **signing: Any) -> Notification:
        refund = self.refunds[refund_id]
        resource = {
            "mchid": self.keys.mchid,
            "out_trade_no": refund["out_trade_no"],
            "transaction_id": refund["transaction_id"],
            "out_refund_no": refund_id,
            "refund_id": refund["refund_id"],
            "refund_status": refund["status"],
            "success_time": refund.get("success_time", ""),
            "user_received_account": refund["user_received_account"],
            "amount": {k: refund["amount"][k] for k in ("total", "refund", "payer_total", "payer_refund")},
        }
        return self._notification(f"REFUND.{refund['status']}", "退款状态", "refund", resource, **signing)

    def settle_refund(self, refund_id: str, status: str = "SUCCESS") -> None:
        """A PROCESSING refund reaches its final status (SUCCESS, CLOSED or ABNORMAL)."""
        refund = self.refunds[refund_id]
        refund["status"] = status
        if status == "SUCCESS":
            refund["success_time"] = _now_iso()
            self.orders[refund["out_trade_no"]].trade_state = "REFUND"

    def signed(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        serial: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> Notification:
        """``body`` with platform signature headers; the keywords make a stale, foreign or forged one."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
        headers = {
            "Content-Type": "application/json",
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": rsa_sign(key or self.keys.platform_key, message),
            "Wechatpay-Serial": self.keys.platform_serial if serial is None else serial,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }
        return Notification(headers, body)

    async def send(
        self, notification: Notification, url: str, *, client: httpx.AsyncClient | None = None
    ) -> httpx.Response:
        """POSTs a callback to ``url``; ``client`` lets a test reach an in-process (ASGI) app."""
        if client is not None:
            return await client.post(url, content=notification.body, headers=notification.headers)
        async with httpx.AsyncClient(timeout=10) as own:
            return await own.post(url, content=notification.body, headers=notification.headers)

    async def notify_payment(
        self,
        order_id: str,
        url: str | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        **options: Any,
    ) -> httpx.Response:
        """Pays order ``order_id`` and sends its callback to ``url`` (default: the prepay's notify_url)."""
        notification = self.payment_notification(order_id, **options)
        return await self.send(
            notification, url or self.orders[order_id].request["notify_url"], client=client
        )

    async def notify_refund(
        self, refund_id: str, url: str | None = None, *, client: httpx.AsyncClient | None = None
    ) -> httpx.Response:
        target = url or self.refunds[refund_id].get("notify_url", "")
        return await self.send(self.refund_notification(refund_id), target, client=client)

    def _notification(
        self, event_type: str, summary: str, original_type: str, resource: dict[str, Any], **signing: Any
    ) -> Notification:
        nonce = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
        ciphertext = AESGCM(self.keys.apiv3_key.encode()).encrypt(
            nonce.encode(), orjson.dumps(resource), original_type.encode()
        )
        document = {
            "id": str(uuid.uuid4()),
            "create_time": _now_iso(),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": original_type,
                "nonce": nonce,
            },
        }
        return self.signed(orjson.dumps(document), **signing)

    # -- the service side ----------------------------------------------------------------------

    async def _jsapi(self, request: Request) -> Response:
        return await self._handle(request, self._create_prepay)

    async def _query(self, request: Request) -> Response:
        return await self._handle(request, self._find_transaction)

    async def _refund(self, request: Request) -> Response:
        return await self._handle(request, self._create_refund)

    async def _handle(self, request: Request, action: Action) -> Response:
        body = await request.body()
        try:
            self._check_signature(request, body)
            document = orjson.loads(body) if body else {}
            self.requests.append((request.method, request.url.path, document))
            status, answer = action(request, document)
        except WeChatPayError as exc:
            status, answer = exc.status, {"code": exc.code, "message": exc.message}
        except (ValueError, KeyError, TypeError):
            status, answer = 400, {"code": "PARAM_ERROR", "message": "malformed request"}
        return self._answer(status, answer)

    def _check_signature(self, request: Request, body: bytes) -> None:
        header = request.headers.get("authorization", "")
        if not header.startswith(SCHEME):
            raise WeChatPayError(401, "SIGN_ERROR", "missing or unknown Authorization scheme")
        params = dict(AUTH_PARAM.findall(header[len(SCHEME) :]))
        if params.get("mchid") != self.keys.mchid or params.get("serial_no") != self.keys.merchant_serial:
            raise WeChatPayError(401, "SIGN_ERROR", "unknown merchant or certificate serial")
        stamp = params.get("timestamp", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
            raise WeChatPayError(401, "SIGN_ERROR", "stale timestamp")
        target = request.scope["raw_path"].decode()
        if request.scope["query_string"]:
            target += "?" + request.scope["query_string"].decode()
        message = f"{request.method}\n{target}\n{stamp}\n{params.get('nonce_str', '')}\n".encode()
        message += body + b"\n"
        if not rsa_verifies(self.keys.merchant_key.public_key(), message, params.get("signature", "")):
            raise WeChatPayError(401, "SIGN_ERROR", "signature does not verify")

    def _answer(self, status: int, document: dict[str, Any]) -> Response:
        body = orjson.dumps(document)
        headers = self.signed(body, serial=self.answer_serial).headers
        if self.tamper_responses:
            body = body.replace(b"}", b',"tampered":true}', 1) if body.endswith(b"}") else body + b" "
        headers["Request-ID"] = secrets.token_hex(16)
        return Response(body, status_code=status, headers=headers)

    def _create_prepay(self, request: Request, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        out_trade_no = document["out_trade_no"]
        valid = (
            document["appid"] == self.keys.appid
            and document["mchid"] == self.keys.mchid
            and isinstance(out_trade_no, str)
            and OUT_TRADE_NO.match(out_trade_no)
            and 1 <= len(document["description"]) <= 127
            and isinstance(document["amount"]["total"], int)
            and document["amount"]["total"] > 0
            and document["amount"].get("currency", "CNY") == "CNY"
            and document["payer"]["openid"]
            and document["notify_url"].startswith(("http://", "https://"))
        )
        if "time_expire" in document:
            datetime.fromisoformat(document["time_expire"])  # a bad one is a PARAM_ERROR (ValueError)
        if not valid:
            raise WeChatPayError(400, "PARAM_ERROR", "parameter error")
        existing = self.orders.get(out_trade_no)
        if existing is not None:
            if existing.trade_state != "NOTPAY":
                raise WeChatPayError(403, "ORDERPAID", "order already paid")
            if existing.request != document:
                raise WeChatPayError(403, "OUT_TRADE_NO_USED", "out_trade_no used with other parameters")
            return 200, {"prepay_id": existing.prepay_id}
        order = FakeOrder(request=document, prepay_id="wx" + secrets.token_hex(16))
        self.orders[out_trade_no] = order
        return 200, {"prepay_id": order.prepay_id}

    def _find_transaction(self, request: Request, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if request.query_params.get("mchid") != self.keys.mchid:
            raise WeChatPayError(400, "PARAM_ERROR", "mchid does not match")
        out_trade_no = request.path_params["out_trade_no"]
        if out_trade_no not in self.orders:
            raise WeChatPayError(404, "ORDER_NOT_EXIST", "no such order")
        return 200, self.transaction(out_trade_no)

    def _create_refund(self, request: Request, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        out_refund_no = document["out_refund_no"]
        if out_refund_no in self.refunds:
            return 200, _public(self.refunds[out_refund_no])
        order = self.orders.get(document["out_trade_no"])
        if order is None:
            raise WeChatPayError(404, "RESOURCE_NOT_EXISTS", "no such order")
        if order.trade_state not in ("SUCCESS", "REFUND"):
            raise WeChatPayError(400, "INVALID_REQUEST", "the order is not paid")
        amount = document["amount"]
        total = order.request["amount"]["total"]
        if amount["total"] != total:
            raise WeChatPayError(400, "PARAM_ERROR", "amount.total does not match the order")
        if not 0 < amount["refund"] <= total - order.refunded_fen:
            raise WeChatPayError(400, "INVALID_REQUEST", "refund exceeds the refundable amount")
        order.refunded_fen += amount["refund"]
        refund: dict[str, Any] = {
            "refund_id": "50" + secrets.token_hex(14),
            "out_refund_no": out_refund_no,
            "transaction_id": order.transaction_id,
            "out_trade_no": document["out_trade_no"],
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": _now_iso(),
            "status": "PROCESSING",
            "funds_account": "AVAILABLE",
            "amount": {
                "total": total,
                "refund": amount["refund"],
                "payer_total": total,
                "payer_refund": amount["refund"],
                "currency": "CNY",
            },
        }
        if "notify_url" in document:
            refund["notify_url"] = document["notify_url"]
        self.refunds[out_refund_no] = refund
        if self.refund_status != "PROCESSING":
            self.settle_refund(out_refund_no, self.refund_status)
        return 200, _public(refund)


def _public(refund: dict[str, Any]) -> dict[str, Any]:
    """A refund as the API answers it (the notify URL is ours to remember, not to tell)."""
    return {key: value for key, value in refund.items() if key != "notify_url"}


@contextlib.asynccontextmanager
async def serve_app(app: Starlette) -> AsyncIterator[str]:
    """Serves ``app`` with uvicorn on a free 127.0.0.1 port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the server stopped while starting")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextlib.asynccontextmanager
async def running_fake(keys: WeChatPayKeys) -> AsyncIterator[FakeWeChatPay]:
    """The fake WeChat Pay service, served on a free 127.0.0.1 port for the length of the block."""
    fake = FakeWeChatPay(keys)
    async with serve_app(fake.app) as base_url:
        fake.base_url = base_url
        yield fake
