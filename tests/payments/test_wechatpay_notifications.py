"""Callbacks: only a fresh, platform-signed, decryptable notice for our merchant is believed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from seatcore.errors import Unauthorized
from seatcore.payments.base import PaymentNotice
from seatcore.payments.wechatpay import WeChatPayProvider
from tests.payments.fake_wechatpay import FakeWeChatPay, Notification, serve_app

ORDER = "SC20250101120000CD34"


@pytest.fixture
async def prepaid(wechatpay: WeChatPayProvider) -> str:
    await wechatpay.prepay(
        order_id=ORDER,
        amount_fen=4500,
        description="One seat",
        openid="o-moviegoer-2",
        expires_at=datetime.now(UTC) + timedelta(minutes=15),
    )
    return ORDER


async def test_a_genuine_notice_is_verified_and_decrypted(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay, prepaid: str
) -> None:
    notification = fake_wechatpay.payment_notification(prepaid)

    notice = await wechatpay.parse_notification(notification.headers, notification.body)

    transaction = fake_wechatpay.transaction(prepaid)
    assert notice.order_id == prepaid
    assert notice.status == "paid"
    assert notice.amount_fen == 4500
    assert notice.transaction_id == transaction["transaction_id"]
    assert notice.paid_at == datetime.fromisoformat(transaction["success_time"])
    assert notice.raw["payer"] == {"openid": "o-moviegoer-2"}
    lowered = {name.lower(): value for name, value in notification.headers.items()}
    assert (await wechatpay.parse_notification(lowered, notification.body)) == notice


def _reencrypted_with_flipped_byte(fake: FakeWeChatPay, notification: Notification) -> Notification:
    document = notification.document()
    ciphertext = document["resource"]["ciphertext"]
    document["resource"]["ciphertext"] = ("B" if ciphertext[0] != "B" else "C") + ciphertext[1:]
    return fake.signed(orjson.dumps(document))


def _with_document(fake: FakeWeChatPay, notification: Notification, **resource: str) -> Notification:
    document = notification.document()
    document["resource"].update(resource)
    return fake.signed(orjson.dumps(document))


def _body_changed(notification: Notification) -> Notification:
    return Notification(notification.headers, notification.body.replace(b"TRANSACTION", b"TRANSACTIOM"))


Forgery = Callable[[FakeWeChatPay, str], Notification]
FORGERIES: dict[str, tuple[Forgery, str]] = {
    "signed by another key": (
        lambda fake, order: fake.payment_notification(order, key=fake.keys.merchant_key),
        "bad_signature",
    ),
    "body changed after signing": (
        lambda fake, order: _body_changed(fake.payment_notification(order)),
        "bad_signature",
    ),
    "tampered ciphertext": (
        lambda fake, order: _reencrypted_with_flipped_byte(fake, fake.payment_notification(order)),
        "undecryptable_resource",
    ),
    "other associated data": (
        lambda fake, order: _with_document(fake, fake.payment_notification(order), associated_data="refund"),
        "undecryptable_resource",
    ),
    "stale timestamp": (
        lambda fake, order: fake.payment_notification(order, timestamp=int(time.time()) - 301),
        "stale_timestamp",
    ),
    "wrong serial": (
        lambda fake, order: fake.payment_notification(order, serial="PUB_KEY_ID_SOMEONE_ELSE"),
        "unknown_serial",
    ),
    "no signature headers": (
        lambda fake, order: Notification({}, fake.payment_notification(order).body),
        "missing_signature_headers",
    ),
    "signed garbage": (lambda fake, order: fake.signed(b"not json"), "malformed_notice"),
    "a refund passed off as a payment": (
        lambda fake, order: _with_document(fake, fake.payment_notification(order), original_type="refund"),
        "malformed_notice",
    ),
    "another merchant's payment": (
        lambda fake, order: fake.payment_notification(order, changes={"mchid": "1900000999"}),
        "foreign_merchant",
    ),
    "not yet paid": (
        lambda fake, order: fake.payment_notification(order, changes={"trade_state": "NOTPAY"}),
        "not_final",
    ),
}


@pytest.mark.parametrize("name", list(FORGERIES))
async def test_a_bad_notice_is_refused(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay, prepaid: str, name: str
) -> None:
    forge, reason = FORGERIES[name]
    notification = forge(fake_wechatpay, prepaid)

    with pytest.raises(Unauthorized) as refused:
        await wechatpay.parse_notification(notification.headers, notification.body)

    assert refused.value.code == "notification_invalid"
    assert refused.value.details["reason"] == reason


async def test_a_wrong_amount_is_reported_as_claimed(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay, prepaid: str
) -> None:
    """The provider proves who sent the notice; matching it to the order is the order's job."""
    notification = fake_wechatpay.payment_notification(prepaid, amount_fen=1)
    notice = await wechatpay.parse_notification(notification.headers, notification.body)
    assert notice.amount_fen == 1


async def test_a_refund_notice_is_verified_and_decrypted(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay, prepaid: str
) -> None:
    fake_wechatpay.pay(prepaid)
    fake_wechatpay.refund_status = "PROCESSING"
    pending = await wechatpay.refund(
        order_id=prepaid, refund_id="RF-9", amount_fen=4500, total_fen=4500, reason=""
    )
    fake_wechatpay.settle_refund("RF-9")
    notification = fake_wechatpay.refund_notification("RF-9")

    result = wechatpay.parse_refund_notification(notification.headers, notification.body)

    assert pending.status == "processing"
    assert (result.refund_id, result.provider_refund_id) == ("RF-9", pending.provider_refund_id)
    assert result.status == "succeeded"
    with pytest.raises(Unauthorized):
        await wechatpay.parse_notification(notification.headers, notification.body)


async def test_the_fake_delivers_a_notice_over_http(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay, prepaid: str
) -> None:
    received: list[PaymentNotice] = []

    async def notify(request: Request) -> Response:
        try:
            received.append(await wechatpay.parse_notification(request.headers, await request.body()))
        except Unauthorized as exc:
            return JSONResponse({"code": "FAIL", "message": exc.message}, status_code=401)
        return Response(status_code=204)

    receiver = Starlette(routes=[Route("/notify", notify, methods=["POST"])])
    async with serve_app(receiver) as base_url:
        delivered = await fake_wechatpay.notify_payment(prepaid, f"{base_url}/notify")
        forged = await fake_wechatpay.notify_payment(
            prepaid, f"{base_url}/notify", key=fake_wechatpay.keys.merchant_key
        )

    assert delivered.status_code == 204
    assert forged.status_code == 401
    assert [notice.order_id for notice in received] == [prepaid]
