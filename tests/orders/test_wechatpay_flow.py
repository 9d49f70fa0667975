"""The whole path over real HTTP: sign in, hold, order, pay through the fake WeChat Pay, its
signed callback into the app, tickets, history, refund, seats free again; and notices that must
change nothing (forged, stale, replayed, wrong amount, unknown order)."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import func, select

from seatcore.db.schema import payments, tickets
from tests.orders.conftest import LiveShop, key, runtime_of
from tests.payments.fake_wechatpay import generate_key


async def _count(shop: LiveShop, table: object, order_id: str) -> int:
    column = table.c.order_id  # type: ignore[attr-defined]
    async with runtime_of(shop.app).db.connect() as conn:
        return int((await conn.execute(select(func.count()).where(column == order_id))).scalar_one())


async def test_full_flow_over_http(live_shop: LiveShop) -> None:
    shop = live_shop
    show = await shop.show()
    alice = await shop.login("alice")
    hold = await shop.hold(alice, show.showtime_id, ["A-1", "A-2"])
    order = await shop.order(alice, hold["id"])
    assert order["status"] == "pending_payment" and order["amount_fen"] == 9000
    assert order["showtime"]["movie_title"] == "Test Movie" and order["expires_at"]

    paying = await shop.pay(alice, order["id"])
    assert paying["provider"] == "wechatpay" and paying["amount_fen"] == 9000
    params = paying["params"]
    assert set(params) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    prepaid = shop.fake.orders[order["id"]].request
    assert prepaid["amount"]["total"] == 9000 and prepaid["payer"]["openid"] == "dev:alice"
    assert params["package"] == f"prepay_id={shop.fake.orders[order['id']].prepay_id}"

    callback = await shop.fake.notify_payment(order["id"])  # WeChat Pay calls the app's notify URL
    assert callback.status_code == 204, callback.text
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    assert ticketed["paid_at"] and ticketed["refundable_until"]
    codes = [t["code"] for t in ticketed["tickets"]]
    assert [t["seat"] for t in ticketed["tickets"]] == ["A-1", "A-2"] and len(set(codes)) == 2
    assert (await shop.states(show.showtime_id))["A-1"] == "sold"

    qr = await shop.client.get(ticketed["tickets"][0]["qr_url"], headers=alice)
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(qr.content)).size[0] > 100
    bob = await shop.login("bob")
    assert (await shop.client.get(ticketed["tickets"][0]["qr_url"], headers=bob)).status_code == 404
    assert (await shop.client.get(f"/api/v1/orders/{order['id']}", headers=bob)).status_code == 404

    history = (await shop.client.get("/api/v1/me/orders", headers=alice)).json()
    assert [item["id"] for item in history["items"]] == [order["id"]] and history["next_cursor"] is None

    refunded = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert refunded.status_code == 200, refunded.text
    body = refunded.json()
    assert body["status"] == "refunded" and body["refund"]["status"] == "succeeded"
    assert body["refund"]["reason"] == "requested" and body["refund"]["amount_fen"] == 9000
    assert not any(t["live"] for t in body["tickets"])
    assert shop.fake.refunds[f"{order['id']}-R"]["amount"]["refund"] == 9000
    states = await shop.states(show.showtime_id)
    assert states["A-1"] == states["A-2"] == "free"
    assert (await shop.client.get(ticketed["tickets"][0]["qr_url"], headers=alice)).status_code == 409
    history = (await shop.client.get("/api/v1/me/orders", headers=alice)).json()
    assert history["items"][0]["status"] == "refunded"

    again = await shop.client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice | key())
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    # The seats sell again to someone else.
    bob_hold = await shop.hold(bob, show.showtime_id, ["A-1", "A-2"])
    assert bob_hold["seats"] == ["A-1", "A-2"]


async def test_forged_stale_and_replayed_notices_change_nothing(live_shop: LiveShop) -> None:
    shop = live_shop
    show = await shop.show()
    alice = await shop.login("alice")
    order = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["B-1"]))["id"])
    await shop.pay(alice, order["id"])
    notify_url = shop.base_url + "/api/v1/payments/wechatpay/notify"

    forged = shop.fake.payment_notification(order["id"], key=generate_key())
    answer = await shop.fake.send(forged, notify_url)
    assert answer.status_code == 401 and answer.json()["code"] == "FAIL"
    stale = shop.fake.payment_notification(order["id"], timestamp=1_600_000_000)
    assert (await shop.fake.send(stale, notify_url)).status_code == 401
    garbled = shop.fake.signed(b'{"resource": "nonsense"}')
    assert (await shop.fake.send(garbled, notify_url)).status_code == 401
    assert (await shop.get(alice, order["id"]))["status"] == "pending_payment"
    assert (await shop.states(show.showtime_id))["B-1"] == "held"

    genuine = shop.fake.payment_notification(order["id"])
    # WeChat Pay sends again whenever it is unsure we got it, even while we are still at it.
    answers = await asyncio.gather(*(shop.fake.send(genuine, notify_url) for _ in range(5)))
    assert [a.status_code for a in answers] == [204] * 5
    ticketed = await shop.wait_status(alice, order["id"], "ticketed")
    assert (await shop.fake.send(genuine, notify_url)).status_code == 204  # after landing too
    assert (await shop.get(alice, order["id"]))["tickets"] == ticketed["tickets"]
    assert await _count(shop, tickets, order["id"]) == 1
    assert await _count(shop, payments, order["id"]) == 1


async def test_wrong_amount_and_unknown_order_are_refused(live_shop: LiveShop) -> None:
    shop = live_shop
    show = await shop.show()
    alice = await shop.login("alice")
    order = await shop.order(alice, (await shop.hold(alice, show.showtime_id, ["C-1"]))["id"])
    await shop.pay(alice, order["id"])

    cheap = await shop.fake.notify_payment(order["id"], amount_fen=1)
    assert cheap.status_code == 409 and "amount_mismatch" in cheap.json()["message"]
    assert (await shop.get(alice, order["id"]))["status"] == "pending_payment"

    stranger = f"{show.showtime_id}-0123456789abcd"  # well formed, but never ordered here
    await shop.orders.provider.prepay(
        order_id=stranger,
        amount_fen=100,
        description="not ours",
        openid="dev:alice",
        expires_at=datetime.now(UTC) + timedelta(minutes=10),
    )
    unknown = await shop.fake.notify_payment(stranger)
    assert unknown.status_code == 404 and "order_unknown" in unknown.json()["message"]
    assert await shop.orders.inflight.get(stranger) is None

    right = await shop.fake.notify_payment(order["id"])
    assert right.status_code == 204
    await shop.wait_status(alice, order["id"], "ticketed")
