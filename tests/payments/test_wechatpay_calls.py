"""The WeChat Pay provider's outgoing calls against the fake: signed both ways, idempotent, refundable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from seatcore.errors import Conflict, UpstreamUnavailable
from seatcore.payments import wechatpay_crypto as crypto
from seatcore.payments.wechatpay import WeChatPayProvider
from seatcore.settings import Settings
from tests.payments.conftest import NOTIFY_URL, REFUND_NOTIFY_URL
from tests.payments.fake_wechatpay import FakeWeChatPay, WeChatPayKeys, generate_key, rsa_verifies

ORDER = "SC20250101120000AB12"


async def prepay(
    provider: WeChatPayProvider, order_id: str = ORDER, amount_fen: int = 9000
) -> dict[str, str]:
    return await provider.prepay(
        order_id=order_id,
        amount_fen=amount_fen,
        description="Dune: Part Two · 2 seats",
        openid="o-moviegoer-1",
        expires_at=datetime.now(UTC) + timedelta(minutes=15),
    )


async def test_prepay_round_trip(wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay) -> None:
    params = await prepay(wechatpay)

    assert set(params) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert params["package"] == f"prepay_id={fake_wechatpay.orders[ORDER].prepay_id}"
    assert params["signType"] == "RSA"
    method, path, sent = fake_wechatpay.requests[-1]
    assert (method, path) == ("POST", "/v3/pay/transactions/jsapi")
    assert sent["out_trade_no"] == ORDER
    assert sent["amount"] == {"total": 9000, "currency": "CNY"}
    assert sent["payer"] == {"openid": "o-moviegoer-1"}
    assert sent["notify_url"] == NOTIFY_URL
    assert (sent["appid"], sent["mchid"]) == (fake_wechatpay.keys.appid, fake_wechatpay.keys.mchid)
    assert datetime.fromisoformat(sent["time_expire"]) > datetime.now(UTC)


async def test_pay_sign_verifies_with_the_merchant_public_key(
    wechatpay: WeChatPayProvider, wechatpay_keys: WeChatPayKeys
) -> None:
    params = await prepay(wechatpay)
    public_key = wechatpay_keys.merchant_key.public_key()

    def message(package: str) -> bytes:
        return f"{wechatpay_keys.appid}\n{params['timeStamp']}\n{params['nonceStr']}\n{package}\n".encode()

    assert rsa_verifies(public_key, message(params["package"]), params["paySign"])
    assert not rsa_verifies(public_key, message("prepay_id=wx-someone-else"), params["paySign"])


async def test_a_retried_prepay_gets_the_same_prepay_id(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay
) -> None:
    first = await prepay(wechatpay)
    again = await prepay(wechatpay)
    assert again["package"] == first["package"]
    assert len(fake_wechatpay.orders) == 1

    with pytest.raises(Conflict) as refused:
        await prepay(wechatpay, amount_fen=1)
    assert refused.value.code == "payment_refused"
    assert refused.value.details["provider_code"] == "OUT_TRADE_NO_USED"


async def test_the_fake_refuses_a_tampered_request_signature(
    fake_wechatpay: FakeWeChatPay, wechatpay_keys: WeChatPayKeys
) -> None:
    path = "/v3/pay/transactions/out-trade-no/NO-SUCH-ORDER?mchid=" + wechatpay_keys.mchid

    def signed(path_signed: str) -> dict[str, str]:
        return {
            "Authorization": crypto.authorization(
                wechatpay_keys.merchant_key,
                mchid=wechatpay_keys.mchid,
                serial_no=wechatpay_keys.merchant_serial,
                method="GET",
                path_with_query=path_signed,
                body=b"",
            )
        }

    async with httpx.AsyncClient(base_url=fake_wechatpay.base_url) as client:
        honest = await client.get(path, headers=signed(path))
        other_path = await client.get(path, headers=signed(path.replace("NO-SUCH", "ANOTHER")))
        flipped = signed(path)
        flipped["Authorization"] = flipped["Authorization"].replace('signature="', 'signature="A', 1)
        garbled = await client.get(path, headers=flipped)

    assert honest.status_code == 404  # verified, and the order is unknown
    assert honest.json()["code"] == "ORDER_NOT_EXIST"
    for refused in (other_path, garbled):
        assert refused.status_code == 401
        assert refused.json()["code"] == "SIGN_ERROR"


async def test_a_provider_with_the_wrong_merchant_key_is_refused(
    wechatpay_settings: Settings, fake_wechatpay: FakeWeChatPay
) -> None:
    honest = WeChatPayProvider.from_settings(wechatpay_settings)
    impostor = WeChatPayProvider(
        mchid=honest.mchid,
        appid=honest.appid,
        serial_no=wechatpay_settings.wechatpay_serial_no,
        private_key=generate_key(),
        platform_public_key=fake_wechatpay.keys.platform_key.public_key(),
        platform_serial=fake_wechatpay.keys.platform_serial,
        apiv3_key=fake_wechatpay.keys.apiv3_key.encode(),
        base_url=fake_wechatpay.base_url,
        notify_url=NOTIFY_URL,
    )
    try:
        with pytest.raises(UpstreamUnavailable) as refused:
            await prepay(impostor)
        assert refused.value.details["provider_code"] == "SIGN_ERROR"
        assert fake_wechatpay.orders == {}
    finally:
        await impostor.close()
        await honest.close()


@pytest.mark.parametrize(
    ("knob", "reason"),
    [("tamper_responses", "bad_signature"), ("answer_serial", "unknown_serial")],
)
async def test_an_answer_without_a_good_platform_signature_is_refused(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay, knob: str, reason: str
) -> None:
    if knob == "tamper_responses":
        fake_wechatpay.tamper_responses = True
    else:
        fake_wechatpay.answer_serial = "PUB_KEY_ID_SOMEONE_ELSE"

    with pytest.raises(UpstreamUnavailable) as refused:
        await prepay(wechatpay)
    assert refused.value.code == "payment_response_invalid"
    assert refused.value.details["reason"] == reason
    with pytest.raises(UpstreamUnavailable):
        await wechatpay.query(ORDER)  # a signed "no such order" is acted upon, so it is checked too


async def test_query_reports_only_final_states(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay
) -> None:
    assert await wechatpay.query(ORDER) is None  # unknown to WeChat Pay
    await prepay(wechatpay)
    assert await wechatpay.query(ORDER) is None  # prepaid, not paid

    transaction = fake_wechatpay.pay(ORDER)
    notice = await wechatpay.query(ORDER)

    assert notice is not None
    assert (notice.order_id, notice.status, notice.amount_fen) == (ORDER, "paid", 9000)
    assert notice.transaction_id == transaction["transaction_id"]
    assert notice.paid_at is not None and notice.paid_at.tzinfo is not None
    assert fake_wechatpay.requests[-1][1] == f"/v3/pay/transactions/out-trade-no/{ORDER}"


async def test_refund_is_idempotent_by_refund_id(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay
) -> None:
    await prepay(wechatpay)
    fake_wechatpay.pay(ORDER)

    result = await wechatpay.refund(
        order_id=ORDER, refund_id="RF-1", amount_fen=9000, total_fen=9000, reason="show cancelled"
    )
    again = await wechatpay.refund(
        order_id=ORDER, refund_id="RF-1", amount_fen=9000, total_fen=9000, reason="show cancelled"
    )

    assert result.status == "succeeded"
    assert (result.refund_id, again) == ("RF-1", result)
    assert fake_wechatpay.orders[ORDER].refunded_fen == 9000
    sent = fake_wechatpay.requests[-1][2]
    assert sent["amount"] == {"refund": 9000, "total": 9000, "currency": "CNY"}
    assert sent["notify_url"] == REFUND_NOTIFY_URL
    paid_then_refunded = await wechatpay.query(ORDER)
    assert paid_then_refunded is not None and paid_then_refunded.status == "paid"

    with pytest.raises(Conflict) as refused:
        await wechatpay.refund(order_id=ORDER, refund_id="RF-2", amount_fen=1, total_fen=9000, reason="")
    assert refused.value.details["provider_code"] == "INVALID_REQUEST"


async def test_a_refund_in_progress_says_so(
    wechatpay: WeChatPayProvider, fake_wechatpay: FakeWeChatPay
) -> None:
    await prepay(wechatpay)
    fake_wechatpay.pay(ORDER)
    fake_wechatpay.refund_status = "PROCESSING"

    result = await wechatpay.refund(
        order_id=ORDER, refund_id="RF-1", amount_fen=4500, total_fen=9000, reason=""
    )

    assert result.status == "processing"
    assert result.provider_refund_id == fake_wechatpay.refunds["RF-1"]["refund_id"]


async def test_an_unreachable_service_is_upstream_unavailable(wechatpay_settings: Settings) -> None:
    settings = wechatpay_settings.model_copy(update={"wechatpay_base_url": "http://127.0.0.1:9"})
    provider = WeChatPayProvider.from_settings(settings)
    try:
        with pytest.raises(UpstreamUnavailable) as failed:
            await prepay(provider)
        assert failed.value.code == "upstream_unavailable"
    finally:
        await provider.close()


def test_request_signature_message_matches_the_documented_format() -> None:
    message = crypto.request_message(
        "POST", "/v3/pay/transactions/jsapi?x=1", "1554208460", "N0NCE", b'{"a":1}'
    )
    assert message == b'POST\n/v3/pay/transactions/jsapi?x=1\n1554208460\nN0NCE\n{"a":1}\n'
