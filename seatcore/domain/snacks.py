"""Snacks (卖品): a cinema's items and combos, the snack lines of an order, and their refund.

Pure rules, no I/O. A snack is sold by one cinema; an order's snack lines are priced here from the
menu the caller read (never from the client), each line at the snack's price then. Member price
and coupons are for tickets; snacks join the price pipeline as their own step (``snacks_fen`` in
seatcore.domain.pricing), so points may pay for them too. docs/snacks.md tells the whole story.

Refunds: the cinema's fee tiers apply to the ticket part of what was paid; snacks not yet picked
up come back in full, snacks already handed over at the counter are kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from seatcore.errors import Conflict, NotFound, ValidationFailed
from seatcore.types import Fen

SnackKind = Literal["item", "combo"]
KINDS: tuple[SnackKind, ...] = ("item", "combo")
MAX_LINES = 10  # snack lines in one order
MAX_QTY = 10  # of one snack in one order
MAX_CONTENTS = 10  # lines in a combo
PICKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud at the counter
PICKUP_CODE_CHARS = 8  # 32**8: a new code meets a live one about once in a trillion


@dataclass(frozen=True, slots=True)
class ComboPart:
    name: str
    qty: int


@dataclass(frozen=True, slots=True)
class Snack:
    id: int
    cinema_id: int
    kind: SnackKind
    name: str
    description: str
    price_fen: Fen
    stock: int | None  # what the staff last set; None: no limit
    on_sale: bool
    position: int
    contents: tuple[ComboPart, ...]
    picture_url: str
    stock_set_at: datetime


@dataclass(frozen=True, slots=True)
class SnackLine:
    """One snack of an order, as priced when the order was made (each, in fen)."""

    id: int
    name: str
    qty: int
    price_fen: Fen

    @property
    def total_fen(self) -> Fen:
        return self.qty * self.price_fen

    def to_list(self) -> list[Any]:
        return [self.id, self.name, self.qty, self.price_fen]

    @classmethod
    def from_list(cls, raw: Sequence[Any]) -> SnackLine:
        return cls(int(raw[0]), str(raw[1]), int(raw[2]), int(raw[3]))


def kind_of(value: str) -> SnackKind:
    if value == "item":
        return "item"
    if value == "combo":
        return "combo"
    raise ValueError(f"not a snack kind: {value!r}")


def contents_from(raw: Iterable[Mapping[str, Any]]) -> tuple[ComboPart, ...]:
    return tuple(ComboPart(str(part["name"]), int(part["qty"])) for part in raw)


def check_contents(kind: SnackKind, contents: Sequence[ComboPart]) -> None:
    """A combo lists what it holds (at least two pieces); an item holds nothing but itself.
    Conflict ``combo_contents`` otherwise (the body is well formed; the menu's rule refuses it)."""
    if kind == "item" and contents:
        raise Conflict("an item has no contents; make it a combo", code="combo_contents", kind=kind)
    if kind == "combo" and sum(part.qty for part in contents) < 2:
        raise Conflict("a combo holds at least two pieces", code="combo_contents", kind=kind)


def merged(asked: Iterable[tuple[int, int]]) -> dict[int, int]:
    """The asked lines by snack id (the same snack on two lines: added up); 422 past the limits
    of a body: at most MAX_LINES lines, 1..MAX_QTY on each."""
    asked = list(asked)
    if len(asked) > MAX_LINES:
        raise ValidationFailed(f"at most {MAX_LINES} snack lines", problems=[{"field": "snacks"}])
    lines: dict[int, int] = {}
    for snack_id, qty in asked:
        if not 1 <= qty <= MAX_QTY:
            raise ValidationFailed(
                f"between 1 and {MAX_QTY} of each snack", problems=[{"field": "snacks", "snack_id": snack_id}]
            )
        lines[snack_id] = lines.get(snack_id, 0) + qty
    return lines


def order_lines(asked: Mapping[int, int], menu: Mapping[int, Snack], cinema_id: int) -> tuple[SnackLine, ...]:
    """The order's snack lines priced from ``menu`` (the cinema's snacks by id).

    Raises NotFound for an unknown snack and Conflict ``snack_unavailable`` for one off sale or of
    another cinema."""
    lines = []
    for snack_id, qty in asked.items():
        snack = menu.get(snack_id)
        if snack is None:
            raise NotFound("no such snack", snack_id=snack_id)
        if snack.cinema_id != cinema_id or not snack.on_sale:
            raise Conflict(f"{snack.name} is not on sale here", code="snack_unavailable", snack_id=snack_id)
        lines.append(SnackLine(snack.id, snack.name, qty, snack.price_fen))
    return tuple(lines)


def snacks_total(lines: Iterable[SnackLine]) -> Fen:
    return sum(line.total_fen for line in lines)


def new_pickup_code() -> str:
    return "".join(secrets.choice(PICKUP_ALPHABET) for _ in range(PICKUP_CODE_CHARS))


def normal_pickup_code(text: str) -> str | None:
    """A typed code as stored (upper case, no spaces), or None when it cannot be one."""
    code = "".join(text.split()).upper()
    ok = len(code) == PICKUP_CODE_CHARS and all(c in PICKUP_ALPHABET for c in code)
    return code if ok else None


@dataclass(frozen=True, slots=True)
class SnackRefundSplit:
    """How a refund treats the two parts of what was paid."""

    tickets_paid_fen: Fen  # the fee tiers apply to this
    snacks_back_fen: Fen  # given back in full (not picked up)
    snacks_kept_fen: Fen  # kept (picked up)


def refund_split(paid_fen: Fen, snacks_fen: Fen, picked_up: bool) -> SnackRefundSplit:
    """Split ``paid_fen`` (everything the order holds) into its ticket and snack parts. Points
    may have paid for part of the whole; they are counted against the tickets first, so the
    snacks' part is never more than was paid."""
    snack_part = min(snacks_fen, paid_fen)
    tickets = paid_fen - snack_part
    if picked_up:
        return SnackRefundSplit(tickets, 0, snack_part)
    return SnackRefundSplit(tickets, snack_part, 0)
