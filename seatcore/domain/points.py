"""Points: what a payment earns and what expires. Pure; the ledger lives in seatcore.store.loyalty.

The balance is the sum of the member's ledger rows. Rows that can expire (earned on a ticket, or
added by staff) carry ``expires_at``; every other row (reserve, return, reverse, expire, a
staff deduction) is a debit or a credit against them. Spending takes the oldest points first, so
what has expired by now is what the lots due by now hold beyond everything ever taken:

    expired_now = max(0, sum(lots due by now) - taken)

where ``taken`` is minus the sum of all the rows without an expiry, earlier expiries included (a
returned reservation gives its points back, and they can expire later). It never exceeds the
balance, which is the sum of all lots minus ``taken``. A reversal (a refund of the order that earned them)
counts as taking the oldest points too: the moviegoer loses no more than they earned, and no
point expires earlier than it would have.
"""

from __future__ import annotations

from dataclasses import dataclass

from seatcore.types import Fen


@dataclass(frozen=True, slots=True)
class EarnRule:
    points_per_yuan: int = 1  # earned per yuan paid, rounded down
    expire_days: int = 365


def earned(rule: EarnRule, paid_fen: Fen) -> int:
    """Points a payment earns: whole yuan paid times the rate (a part yuan earns nothing)."""
    return paid_fen // 100 * rule.points_per_yuan


def to_expire(lots_due: int, taken: int) -> int:
    """Points to expire now (see the module docstring). ``lots_due``: the sum of the lots due by
    now; ``taken``: minus the sum of every row without an expiry, earlier expiries included."""
    return max(0, lots_due - taken)
