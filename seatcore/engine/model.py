"""A pure Python reference model of the seat engine: the same rules and answers, no Redis.

It follows the scripts step by step (rules checked in the same order, holds ending as tombstones,
one sequence number per change) using the pure rules of ``seatcore.domain.seatrules``. Property
tests apply the same random operations to the model and to the engine under a fake clock and
check that both give the same answers and the same seat states: a disagreement is a bug in one of
them. It is also the plainest statement of what the engine does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from seatcore.domain.seatrules import (
    HoldRules,
    SeatGrid,
    best_block,
    stranded_seats,
    unknown_seats,
    unpaired_couple_seats,
    wheelchair_seats,
)
from seatcore.engine.records import SeatState
from seatcore.types import SeatId, ShowtimeId, UserId


class Refused(Exception):
    """A refusal with the engine's code and the seats (or other details) it names."""

    def __init__(self, code: str, *details: str) -> None:
        super().__init__(code, *details)
        self.code = code
        self.details = list(details)


@dataclass
class ModelHold:
    user: UserId
    seats: tuple[SeatId, ...]
    expires: int
    max_expires: int
    status: str = "live"  # live | expired | sold
    order: str = ""


@dataclass
class ShowtimeModel:
    """One showtime's seats, holds and sequence number."""

    grid: SeatGrid
    rules: HoldRules
    sales_close_ms: int
    seats: dict[SeatId, tuple[str, str]] = field(default_factory=dict)  # ("h", hold) | ("s", order)
    holds: dict[str, ModelHold] = field(default_factory=dict)
    due: dict[str, int] = field(default_factory=dict)  # hold -> when the sweeper looks next
    users: dict[UserId, str] = field(default_factory=dict)
    seq: int = 0

    def live(self, hold_id: str, now: int) -> ModelHold | None:
        hold = self.holds.get(hold_id)
        if hold is None or hold.status != "live" or hold.expires <= now:
            return None
        return hold

    def state(self, seat_id: SeatId, now: int) -> SeatState:
        value = self.seats.get(seat_id)
        if value is None:
            return "free"
        if value[0] == "s":
            return "sold"
        return "held" if self.live(value[1], now) else "free"

    def states(self, now: int) -> dict[SeatId, SeatState]:
        return {seat_id: self.state(seat_id, now) for seat_id in self.grid.layout.seats}

    def taken(self, now: int) -> set[SeatId]:
        return {seat_id for seat_id in self.seats if self.state(seat_id, now) != "free"}

    def mine(self, user: UserId, now: int) -> tuple[SeatId, ...]:
        hold_id = self.users.get(user)
        hold = self.live(hold_id, now) if hold_id is not None else None
        return hold.seats if hold is not None else ()

    def hold(
        self,
        hold_id: str,
        user: UserId,
        now: int,
        *,
        seats: Sequence[SeatId] = (),
        best: int = 0,
        zone: str | None = None,
        accessible: bool = False,
    ) -> tuple[SeatId, ...]:
        if now >= self.sales_close_ms:
            raise Refused("sales_closed")
        if (best or len(seats)) > self.rules.max_seats:
            raise Refused("too_many_seats", str(self.rules.max_seats))
        if not best:
            if unknown := unknown_seats(self.grid, seats):
                raise Refused("not_found", *unknown)
            if not accessible and (wheelchair := wheelchair_seats(self.grid, seats)):
                raise Refused("wheelchair_space", *wheelchair)
            if unpaired := unpaired_couple_seats(self.grid, seats):
                raise Refused("couple_pair", *unpaired)
        previous = self.users.get(user)
        if previous is not None and self.live(previous, now):
            raise Refused("hold_limit", previous)
        taken = self.taken(now)
        if best:
            block = best_block(self.grid, taken, best, zone=zone, accessible=accessible)
            if block is None:
                raise Refused("no_block")
            chosen = block
        else:
            if unavailable := [seat_id for seat_id in seats if seat_id in taken]:
                raise Refused("seat_unavailable", *unavailable)
            if stranded := stranded_seats(self.grid, taken, seats):
                raise Refused("stranded_seat", *stranded)
            chosen = tuple(seats)
        for seat_id in chosen:
            self.seats[seat_id] = ("h", hold_id)
        self.holds[hold_id] = ModelHold(user, chosen, now + self.rules.ttl_ms, now + self.rules.max_life_ms)
        self.due[hold_id] = now + self.rules.ttl_ms
        self.users[user] = hold_id
        self.seq += 1
        return chosen

    def _owned_live(self, hold_id: str, user: UserId, now: int) -> ModelHold:
        hold = self.holds.get(hold_id)
        if hold is None:
            raise Refused("not_found")
        if hold.user != user:
            raise Refused("hold_not_owned")
        if hold.status == "sold":
            raise Refused("hold_used")
        if hold.status != "live" or hold.expires <= now:
            raise Refused("hold_expired")
        return hold

    def _free(self, hold_id: str, hold: ModelHold) -> int:
        freed = 0
        for seat_id in hold.seats:
            if self.seats.get(seat_id) == ("h", hold_id):
                del self.seats[seat_id]
                freed += 1
        if self.users.get(hold.user) == hold_id:
            del self.users[hold.user]
        return freed

    def release(self, hold_id: str, user: UserId, now: int) -> tuple[SeatId, ...]:
        hold = self._owned_live(hold_id, user, now)
        if self._free(hold_id, hold):
            self.seq += 1
        del self.holds[hold_id]
        del self.due[hold_id]
        return hold.seats

    def extend(self, hold_id: str, user: UserId, now: int) -> tuple[int, int]:
        hold = self._owned_live(hold_id, user, now)
        expires = min(hold.expires + self.rules.extend_ms, hold.max_expires)
        if expires <= hold.expires:
            raise Refused("extend_limit")
        hold.expires = self.due[hold_id] = expires
        return expires, hold.max_expires

    def buy(self, hold_id: str, user: UserId, order: str, now: int) -> tuple[SeatId, ...]:
        hold = self.holds.get(hold_id)
        if hold is not None and hold.user == user and hold.status == "sold" and hold.order == order:
            return hold.seats
        hold = self._owned_live(hold_id, user, now)
        for seat_id in hold.seats:
            self.seats[seat_id] = ("s", order)
        if self.users.get(user) == hold_id:
            del self.users[user]
        hold.status, hold.order = "sold", order
        self.due[hold_id] = now + self.rules.tombstone_ms
        self.seq += 1
        return hold.seats

    def unsell(self, order: str, seats: Sequence[SeatId]) -> tuple[SeatId, ...]:
        freed = tuple(seat_id for seat_id in seats if self.seats.get(seat_id) == ("s", order))
        for seat_id in freed:
            del self.seats[seat_id]
        if freed:
            self.seq += 1
        return freed

    def sweep(self, now: int, limit: int = 500) -> None:
        due = sorted((when, hold_id) for hold_id, when in self.due.items() if when <= now)[:limit]
        freed = 0
        for _, hold_id in due:
            hold = self.holds[hold_id]
            if hold.status == "live":
                freed += self._free(hold_id, hold)
                hold.status = "expired"
                self.due[hold_id] = now + self.rules.tombstone_ms
            else:
                del self.holds[hold_id]
                del self.due[hold_id]
        if freed:
            self.seq += 1


@dataclass
class EngineModel:
    """Several showtimes and each user's count of live holds over all of them, as SeatEngine has."""

    rules: HoldRules
    showtimes: dict[ShowtimeId, ShowtimeModel] = field(default_factory=dict)
    user_holds: dict[UserId, dict[str, int]] = field(default_factory=dict)  # user -> hold -> expiry

    def add_showtime(self, showtime_id: ShowtimeId, grid: SeatGrid, sales_close_ms: int) -> ShowtimeModel:
        model = ShowtimeModel(grid, self.rules, sales_close_ms)
        self.showtimes[showtime_id] = model
        return model

    def hold(
        self,
        showtime_id: ShowtimeId,
        hold_id: str,
        user: UserId,
        now: int,
        *,
        seats: Sequence[SeatId] = (),
        best: int = 0,
        zone: str | None = None,
        accessible: bool = False,
    ) -> tuple[SeatId, ...]:
        counted = self.user_holds.setdefault(user, {})
        for other, expires in list(counted.items()):
            if expires <= now:
                del counted[other]
        if len(counted) >= self.rules.max_live_holds_per_user:
            raise Refused("hold_limit")
        counted[hold_id] = now + self.rules.ttl_ms
        try:
            return self.showtimes[showtime_id].hold(
                hold_id, user, now, seats=seats, best=best, zone=zone, accessible=accessible
            )
        except Refused:
            del counted[hold_id]
            raise

    def release(self, showtime_id: ShowtimeId, hold_id: str, user: UserId, now: int) -> tuple[SeatId, ...]:
        seats = self.showtimes[showtime_id].release(hold_id, user, now)
        self.user_holds.get(user, {}).pop(hold_id, None)
        return seats

    def extend(self, showtime_id: ShowtimeId, hold_id: str, user: UserId, now: int) -> tuple[int, int]:
        expires, max_expires = self.showtimes[showtime_id].extend(hold_id, user, now)
        counted = self.user_holds.get(user, {})
        if hold_id in counted:
            counted[hold_id] = expires
        return expires, max_expires

    def buy(
        self, showtime_id: ShowtimeId, hold_id: str, user: UserId, order: str, now: int
    ) -> tuple[SeatId, ...]:
        seats = self.showtimes[showtime_id].buy(hold_id, user, order, now)
        self.user_holds.get(user, {}).pop(hold_id, None)
        return seats
