"""The pure parts: the order state machine and server-side pricing."""

from __future__ import annotations

import pytest

from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.domain.orders import FINAL, TRANSITIONS, OrderStatus, check_move
from seatcore.domain.pricing import quote
from seatcore.errors import Conflict, NotFound

S = OrderStatus
ALLOWED = {
    (S.PENDING_PAYMENT, S.PAID),
    (S.PENDING_PAYMENT, S.CANCELLED),
    (S.PENDING_PAYMENT, S.EXPIRED),
    (S.PENDING_PAYMENT, S.REFUND_REQUESTED),
    (S.PAID, S.TICKETED),
    (S.PAID, S.REFUND_REQUESTED),
    (S.TICKETED, S.REFUND_REQUESTED),
    (S.CANCELLED, S.REFUND_REQUESTED),
    (S.EXPIRED, S.REFUND_REQUESTED),
    (S.REFUND_REQUESTED, S.REFUNDED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_move_is_allowed_or_refused_with_illegal_transition(current: S, target: S) -> None:
    if (current, target) in ALLOWED:
        assert check_move(current, target) is target
        return
    with pytest.raises(Conflict) as refused:
        check_move(current.value, target.value)
    assert refused.value.code == "illegal_transition"
    assert refused.value.details == {"status": current.value, "wanted": target.value}


def test_only_refunded_is_final_and_every_status_is_reachable() -> None:
    assert {S.REFUNDED} == FINAL
    reached = {S.PENDING_PAYMENT}
    for _ in S:
        reached |= {nxt for status in reached for nxt in TRANSITIONS[status]}
    assert reached == set(S)


def test_quote_prices_each_seat_at_its_zone() -> None:
    layout = parse_layout(grid_layout(3, 6, couple_rows=(2,), zones={0: "front"}))
    priced = quote(layout, {"front": 3000, "standard": 4500, "couple": 9900}, ["A-1", "B-2", "C-1", "C-2"])
    assert dict(priced.seat_prices) == {"A-1": 3000, "B-2": 4500, "C-1": 9900, "C-2": 9900}
    assert priced.total_fen == 27300


@pytest.mark.parametrize(
    ("prices", "seats", "code"),
    [
        ({"standard": 4500}, ["Z-9"], "not_found"),
        ({}, ["A-1"], "price_missing"),
        ({"standard": 0}, ["A-1"], "price_missing"),
        ({"standard": True}, ["A-1"], "price_missing"),
        ({"standard": 4500}, [], "no_seats"),
    ],
)
def test_quote_refuses_what_cannot_be_priced(prices: dict[str, int], seats: list[str], code: str) -> None:
    layout = parse_layout(grid_layout(2, 4))
    with pytest.raises((Conflict, NotFound)) as refused:
        quote(layout, prices, seats)
    assert refused.value.code == code
