"""Property test: random operations on the engine (real Redis, fake clock) and on the pure reference
model give the same answers, the same seat states, the same sequence numbers and the same holds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from seatcore.domain.layout import grid_layout, parse_layout
from seatcore.domain.seatrules import HoldRules, SeatGrid
from seatcore.engine.model import EngineModel, Refused
from seatcore.engine.service import SeatEngine
from seatcore.errors import SeatcoreError
from tests.engine.conftest import FakeClock, FakeSeating

# A small hall that makes every rule bite: aisle after the third seat, a wheelchair space at the
# wall, a premium row and a couple row with a lone seat at each block's end.
LAYOUT = grid_layout(3, 7, aisles=(3,), couple_rows=(2,), wheelchair=((0, 0),), zones={1: "premium"})
SEAT_IDS = sorted(parse_layout(LAYOUT).seats)
RULES = HoldRules(
    ttl_ms=10_000,
    extend_ms=4_000,
    max_life_ms=18_000,
    max_seats=4,
    max_live_holds_per_user=2,
    tombstone_ms=5_000,
)
SHOWTIMES = (1, 2)
USERS = (1, 2, 3)

showtime = st.sampled_from(SHOWTIMES)
user = st.sampled_from(USERS)
# Which known hold (modulo how many); -1 is the latest.
hold_pick = st.one_of(st.just(-1), st.integers(min_value=0, max_value=50))
acting_user = st.one_of(st.none(), user, user)  # None: the hold's owner
operation = st.one_of(
    st.tuples(
        st.just("hold"),
        showtime,
        user,
        st.lists(st.sampled_from(SEAT_IDS), min_size=1, max_size=5, unique=True),
        st.booleans(),
    ),
    st.tuples(
        st.just("best"),
        showtime,
        user,
        st.integers(min_value=1, max_value=5),
        st.sampled_from([None, "standard", "premium", "couple"]),
        st.booleans(),
    ),
    st.tuples(st.just("release"), acting_user, hold_pick),
    st.tuples(st.just("extend"), acting_user, hold_pick),
    st.tuples(st.just("buy"), acting_user, hold_pick),
    st.tuples(
        st.just("unsell"),
        showtime,
        st.integers(min_value=0, max_value=20),
        st.lists(st.sampled_from(SEAT_IDS), max_size=4, unique=True),
    ),
    st.tuples(st.just("advance"), st.integers(min_value=0, max_value=12_000)),
    st.tuples(st.just("sweep"), showtime),
)


@dataclass
class Outcome:
    value: Any = None
    code: str | None = None
    details: list[str] | None = None


def _engine_refusal(exc: SeatcoreError) -> Outcome:
    return Outcome(code=exc.code, details=[str(s) for s in exc.details.get("seats", [])])


def _model_refusal(exc: Refused) -> Outcome:
    seat_codes = {
        "not_found",
        "wheelchair_space",
        "couple_pair",
        "seat_unavailable",
        "stranded_seat",
    }
    return Outcome(code=exc.code, details=exc.details if exc.code in seat_codes else [])


class Run:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.clock = FakeClock()
        source = FakeSeating()
        self.model = EngineModel(RULES)
        for showtime_id in SHOWTIMES:
            seating = source.add(showtime_id, LAYOUT)
            self.engine_close_ms = int(seating.starts_at.timestamp() * 1000) - 10 * 60_000
            self.model.add_showtime(showtime_id, SeatGrid.of(seating.layout), self.engine_close_ms)
        self.engine = SeatEngine(redis, source, rules=RULES, clock=self.clock, info_ttl_s=60)
        self.holds: list[tuple[int, str, int]] = []  # (showtime, hold id, owner), every hold made
        self.orders: list[tuple[int, str]] = []

    def _hold_for(self, pick: int) -> tuple[int, str, int] | None:
        return self.holds[pick % len(self.holds)] if self.holds else None

    async def step(self, op: tuple[Any, ...]) -> None:
        now = self.clock.now_ms
        kind = op[0]
        engine_out, model_out = Outcome(), Outcome()
        touched: tuple[int, ...] = SHOWTIMES
        if kind in ("hold", "best"):
            showtime_id, user_id = op[1], op[2]
            touched = (showtime_id,)
            kwargs: dict[str, Any] = (
                {"seats": op[3], "accessible": op[4]}
                if kind == "hold"
                else {"best": op[3], "zone": op[4], "accessible": op[5]}
            )
            hold_id = f"{showtime_id}-{'0' * 16}"
            try:
                hold = await self.engine.hold(showtime_id, user_id, **kwargs)
                engine_out.value = hold.seats
                hold_id = hold.id
                self.holds.append((showtime_id, hold.id, user_id))
            except SeatcoreError as exc:
                engine_out = _engine_refusal(exc)
            try:
                model_out.value = self.model.hold(showtime_id, hold_id, user_id, now, **kwargs)
            except Refused as exc:
                model_out = _model_refusal(exc)
        elif kind in ("release", "extend", "buy"):
            picked = self._hold_for(op[2])
            if picked is None:
                return
            showtime_id, hold_id, owner = picked
            touched = (showtime_id,)
            user_id = owner if op[1] is None else op[1]
            order = f"o{len(self.orders)}"
            try:
                if kind == "release":
                    engine_out.value = tuple(await self.engine.release(hold_id, user_id))
                elif kind == "extend":
                    hold = await self.engine.extend(hold_id, user_id)
                    engine_out.value = (hold.expires_at_ms, hold.max_expires_at_ms)
                else:
                    engine_out.value = tuple(await self.engine.buy(hold_id, user_id, order))
            except SeatcoreError as exc:
                engine_out = _engine_refusal(exc)
            try:
                if kind == "release":
                    model_out.value = self.model.release(showtime_id, hold_id, user_id, now)
                elif kind == "extend":
                    model_out.value = self.model.extend(showtime_id, hold_id, user_id, now)
                else:
                    model_out.value = self.model.buy(showtime_id, hold_id, user_id, order, now)
                    self.orders.append((showtime_id, order))
            except Refused as exc:
                model_out = _model_refusal(exc)
        elif kind == "unsell":
            if not self.orders:
                return
            showtime_id, order = self.orders[op[2] % len(self.orders)]
            touched = (showtime_id,)
            engine_out.value = tuple(await self.engine.unsell(showtime_id, order, op[3]))
            model_out.value = self.model.showtimes[showtime_id].unsell(order, op[3])
        elif kind == "advance":
            self.clock.advance(op[1])
            now = self.clock.now_ms
        else:
            touched = (op[1],)
            await self.engine.sweep(op[1])
            self.model.showtimes[op[1]].sweep(now)
        event(f"{kind}: {engine_out.code or 'ok'}")
        assert engine_out == model_out, (op, engine_out, model_out)
        await self.compare(touched, now)

    async def compare(self, showtime_ids: tuple[int, ...], now: int) -> None:
        for showtime_id in showtime_ids:
            model = self.model.showtimes[showtime_id]
            for user_id in USERS:
                snap = await self.engine.snapshot(showtime_id, user_id)
                assert snap.states == model.states(now)
                assert snap.seq == model.seq
                assert tuple(snap.mine) == model.mine(user_id, now)


async def _run(redis_url: str, ops: list[tuple[Any, ...]]) -> None:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        await redis.flushdb()
        run = Run(redis)
        for op in ops:
            await run.step(op)
    finally:
        await redis.aclose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=10, max_size=60))
def test_engine_agrees_with_reference_model(redis_url: str, ops: list[tuple[Any, ...]]) -> None:
    asyncio.run(_run(redis_url, ops))
