"""The order as one document: kept in Redis while in flight, carried by the stream, landed in MySQL.

The same ``Order`` value describes an order wherever it is, so the writer lands exactly what the
moviegoer was shown, and a message replayed after a crash lands the same rows (same ticket codes).
Times are aware UTC datetimes; ``created_at`` is a whole second (MySQL DATETIME keeps no fraction,
and history pages are ordered by it in both stores).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from seatcore.domain.orders import OrderStatus, Reason
from seatcore.domain.pricing import Breakdown
from seatcore.domain.snacks import SnackLine

RefundState = Literal["pending", "processing", "succeeded", "failed"]


@dataclass(frozen=True, slots=True)
class Ticket:
    code: str
    seat_id: str
    price_fen: int
    live: bool


@dataclass(frozen=True, slots=True)
class Payment:
    provider: str
    transaction_id: str
    amount_fen: int
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class Refund:
    refund_id: str
    status: RefundState
    amount_fen: int
    reason: Reason
    created_by: str
    provider_refund_id: str = ""


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    user_id: int
    showtime_id: int | None  # None: an order of snacks alone (its cinema_id says where)
    hold_id: str  # "" for an order of snacks alone
    status: OrderStatus
    seats: Mapping[str, int]  # seat id -> price in fen, in the order they were held
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None  # while unpaid: when its hold ends (snacks alone: its own end)
    reason: Reason | None = None  # why it left the happy path (expired, late payment, refund...)
    payment: Payment | None = None
    tickets: tuple[Ticket, ...] = ()
    refund: Refund | None = None
    # The price through the pipeline (seatcore.domain.pricing); None: the seats' list prices.
    price: Breakdown | None = None
    coupon_id: int | None = None  # the coupon the order reserved
    # Snacks (seatcore.domain.snacks): the lines bought, their cinema, the counter's pickup code
    # (shown once paid) and when they were handed over (landed orders only).
    snacks: tuple[SnackLine, ...] = ()
    cinema_id: int | None = None
    pickup_code: str | None = None
    picked_up_at: datetime | None = None
    prepay: Mapping[str, str] | None = field(default=None, compare=False)  # wx.requestPayment's
    stream_id: str | None = field(default=None, compare=False)  # its last entry on the order stream

    @property
    def amount_fen(self) -> int:
        """What is paid: the price after member price, coupon and points."""
        return self.price.paid_fen if self.price is not None else sum(self.seats.values())

    @property
    def breakdown(self) -> Breakdown:
        list_fen = sum(self.seats.values())
        return self.price if self.price is not None else Breakdown(list_fen, 0, 0, 0, 0)

    @property
    def snacks_only(self) -> bool:
        """An order of snacks alone: no showtime, no seats, no hold."""
        return self.showtime_id is None

    @property
    def snack_qty(self) -> dict[int, int]:
        """Snack id -> qty: what the order took from its cinema's stock."""
        return {line.id: line.qty for line in self.snacks}

    def but(self, **changes: Any) -> Order:
        """A copy with ``changes`` and a fresh ``updated_at``."""
        changes.setdefault("updated_at", now_utc())
        return replace(self, **changes)

    def to_json(self) -> bytes:
        return orjson.dumps(_encode(self))

    @classmethod
    def from_json(cls, raw: bytes | str) -> Order:
        return _decode(orjson.loads(raw))


def now_utc() -> datetime:
    return datetime.now(UTC)


def whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _encode(order: Order) -> dict[str, Any]:
    payment = order.payment
    refund = order.refund
    return {
        "id": order.id,
        "user_id": order.user_id,
        "showtime_id": order.showtime_id,
        "hold_id": order.hold_id,
        "status": order.status.value,
        "seats": [[seat, price] for seat, price in order.seats.items()],
        "created_at": _ts(order.created_at),
        "updated_at": _ts(order.updated_at),
        "expires_at": _ts(order.expires_at),
        "reason": order.reason.value if order.reason else None,
        "payment": None
        if payment is None
        else {
            "provider": payment.provider,
            "transaction_id": payment.transaction_id,
            "amount_fen": payment.amount_fen,
            "paid_at": _ts(payment.paid_at),
        },
        "tickets": [[t.code, t.seat_id, t.price_fen, t.live] for t in order.tickets],
        "refund": None
        if refund is None
        else {
            "refund_id": refund.refund_id,
            "status": refund.status,
            "amount_fen": refund.amount_fen,
            "reason": refund.reason.value,
            "created_by": refund.created_by,
            "provider_refund_id": refund.provider_refund_id,
        },
        "price": order.price.to_dict() if order.price else None,
        "coupon_id": order.coupon_id,
        "snacks": [line.to_list() for line in order.snacks],
        "cinema_id": order.cinema_id,
        "pickup_code": order.pickup_code,
        "prepay": dict(order.prepay) if order.prepay else None,
        "stream_id": order.stream_id,
    }


def _decode(data: dict[str, Any]) -> Order:
    payment = data.get("payment")
    refund = data.get("refund")
    created_at = _dt(data["created_at"])
    updated_at = _dt(data["updated_at"])
    assert created_at is not None and updated_at is not None
    return Order(
        id=data["id"],
        user_id=int(data["user_id"]),
        showtime_id=None if data["showtime_id"] is None else int(data["showtime_id"]),
        hold_id=data["hold_id"],
        status=OrderStatus(data["status"]),
        seats={seat: int(price) for seat, price in data["seats"]},
        created_at=created_at,
        updated_at=updated_at,
        expires_at=_dt(data.get("expires_at")),
        reason=Reason(data["reason"]) if data.get("reason") else None,
        payment=None
        if payment is None
        else Payment(
            provider=payment["provider"],
            transaction_id=payment["transaction_id"],
            amount_fen=int(payment["amount_fen"]),
            paid_at=_dt(payment["paid_at"]) or created_at,
        ),
        tickets=tuple(
            Ticket(code, seat, int(price), bool(live)) for code, seat, price, live in data["tickets"]
        ),
        refund=None
        if refund is None
        else Refund(
            refund_id=refund["refund_id"],
            status=refund["status"],
            amount_fen=int(refund["amount_fen"]),
            reason=Reason(refund["reason"]),
            created_by=refund["created_by"],
            provider_refund_id=refund.get("provider_refund_id", ""),
        ),
        price=Breakdown.from_dict(data["price"]) if data.get("price") else None,
        coupon_id=data.get("coupon_id"),
        snacks=tuple(SnackLine.from_list(line) for line in data.get("snacks", ())),
        cinema_id=data.get("cinema_id"),
        pickup_code=data.get("pickup_code"),
        prepay=data.get("prepay"),
        stream_id=data.get("stream_id"),
    )
