"""Snacks at the counter: the pickup pass on a paid order, and marking it picked up once.

The pass is signed like a ticket (seatcore.door.keys: ``SC1.KID.PAYLOAD.SIGNATURE``, Ed25519 with
a key id) but its payload names a pickup (``{"p": code, "o": order, "c": cinema}``), so a door
scanner refuses it as a ticket and the counter refuses a ticket as a pickup. Marking is one
conditional UPDATE (seatcore.store.snacks.mark_picked_up): two counters scanning the same code at
once hand the snacks over once; the other is told when it was done and by whom.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import orjson
from cryptography.exceptions import InvalidSignature
from sqlalchemy.ext.asyncio import AsyncEngine

from seatcore.domain.door import PassRejected, join_text, signed_part, split_text
from seatcore.domain.orders import OrderStatus
from seatcore.domain.snacks import SnackLine, normal_pickup_code
from seatcore.door.keys import Keyring
from seatcore.errors import BadRequest, Conflict, NotFound
from seatcore.orders import store as order_store
from seatcore.store import snacks as store
from seatcore.store.snacks import Pickup


class PickupInvalid(BadRequest):
    """Not a pickup pass we signed, or not a pickup code at all."""

    code = "pickup_invalid"
    status = 422


def pickup_qr(keyring: Keyring, *, code: str, order_id: str, cinema_id: int) -> str:
    payload = orjson.dumps({"p": code, "o": order_id, "c": cinema_id})
    signature = keyring.signing_key.sign(signed_part(keyring.signing_id, payload))
    return join_text(keyring.signing_id, payload, signature)


def code_of(keyring: Keyring, qr: str) -> str:
    """The pickup code a pass carries, once its signature is checked."""
    try:
        parts = split_text(qr)
    except PassRejected as exc:
        raise PickupInvalid(str(exc), reason=exc.reason) from None
    key = keyring.public.get(parts.key_id)
    if key is None:
        raise PickupInvalid("signed with a key the counter does not know", reason="unknown_key")
    try:
        key.verify(parts.signature, parts.signed_part)
        code = orjson.loads(parts.payload)["p"]
    except InvalidSignature:
        raise PickupInvalid("the pass's signature does not match", reason="bad_signature") from None
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise PickupInvalid("this is not a snack pickup pass", reason="malformed") from None
    found = normal_pickup_code(code) if isinstance(code, str) else None
    if found is None:
        raise PickupInvalid("this is not a snack pickup pass", reason="malformed")
    return found


@dataclass(frozen=True, slots=True)
class PickedUp:
    order_id: str
    cinema_id: int
    code: str
    snacks: tuple[SnackLine, ...]
    picked_up_at: datetime
    picked_up_by: str


async def _landed(db: AsyncEngine, pickup: Pickup) -> tuple[SnackLine, ...]:
    order = await order_store.get(db, pickup.order_id)
    return order.snacks if order is not None else ()


async def pick_up(db: AsyncEngine, cinema_ids: Collection[int] | None, code: str, by: str) -> PickedUp:
    """Hand over the snacks of the order with pickup ``code`` (cinema staff: their cinemas only).

    Raises NotFound (unknown code, or another cinema's), Conflict ``already_picked_up`` (details
    say when and by whom), ``order_refunded`` and ``order_not_paid``."""
    pickup = await store.find_pickup(db, code)
    if pickup is None or (cinema_ids is not None and pickup.cinema_id not in cinema_ids):
        raise NotFound("no order has this pickup code here", code="not_found")
    status = await store.order_status(db, pickup.order_id)
    if status in (OrderStatus.REFUND_REQUESTED, OrderStatus.REFUNDED):
        raise Conflict("this order was refunded", code="order_refunded", order_id=pickup.order_id)
    if status is not OrderStatus.TICKETED:
        raise Conflict("this order is not paid", code="order_not_paid", order_id=pickup.order_id)
    if not await store.mark_picked_up(db, code, by):
        done = await store.find_pickup(db, code)
        assert done is not None and done.picked_up_at is not None
        raise Conflict(
            "these snacks were picked up already",
            code="already_picked_up",
            picked_up_at=done.picked_up_at.isoformat(),
            picked_up_by=done.picked_up_by,
        )
    done = await store.find_pickup(db, code)
    assert done is not None and done.picked_up_at is not None
    return PickedUp(done.order_id, done.cinema_id, code, await _landed(db, done), done.picked_up_at, by)
