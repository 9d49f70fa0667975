"""The ticket's QR image shows the signed text the door scans, not the bare code."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from tests.door.conftest import Door
from tests.orders.conftest import Shop, shop  # noqa: F401
from tests.orders.conftest import settings as settings


async def test_the_qr_image_carries_the_signed_pass(door: Door, shop: Shop) -> None:  # noqa: F811
    soon = await shop.show(starts_in=timedelta(minutes=30))
    alice = await shop.login("alice")
    hold = await shop.hold(alice, soon.showtime_id, ["B-1"])
    order = await shop.order(alice, hold["id"])
    await shop.pay(alice, order["id"])
    (ticket,) = (await shop.wait_status(alice, order["id"], "ticketed"))["tickets"]
    image = await door.client.get(ticket["qr_url"], headers=alice)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    # A pass of about 210 characters needs a QR code of version 10 (57 modules): far more than the
    # 16-character code alone (version 2, 25 modules).
    side = Image.open(io.BytesIO(image.content)).width // 8 - 4
    assert side >= 53, side
    assert ticket["qr"].startswith("SC1.")
