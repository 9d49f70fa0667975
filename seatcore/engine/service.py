"""SeatEngine: holds, buys, snapshots and change replays, each one atomic Lua call per showtime.

Time. The scripts read the Redis server's clock (``TIME``) unless the caller passes ``now``: one
clock for every service process, so a hold expires at the same moment for all of them. Reading the
clock and then writing is allowed in a script since Redis 5 replicates scripts by their effects
(the only mode of Redis 7). Tests pass a fake clock (``clock=``) and the scripts use it instead.

The per-user cap and rate. "At most N live holds per user over all showtimes" and the hold rate
live on the user's own keys (hash tag ``{user:ID}``, ``lua/_user.lua``): a fixed-window counter and
a sorted set of the user's holds by expiry. On one Redis server the hold script takes those keys
too and counts, checks and adds the hold in its one atomic step; releasing and buying take the hold
off in theirs. One round trip per hold and per release.

On Redis Cluster the user's keys and the showtime's are in different slots, and no script may span
two slots (invariant 8), so the count is a second atomic step (``separate_user_step``): before the
showtime's hold script runs, ``user_hold.lua`` counts the request and adds the new hold or refuses;
when the hold script then refuses, the engine takes the entry back, and releasing and buying take
it off in the same round trip as their script. What a crash between the two steps could leave
behind (an entry whose hold never came to be) is caught at the cap, in both modes: there the
entries are checked against each showtime's own hold record and the ended ones dropped before the
user is refused. So the cap counts exactly the live holds. The per-showtime rule (one live hold per
user) is checked inside the hold script.

Sweeping. The sweeper finds holds through ``keys.HOLD_SWEEP_INDEX`` (hold id -> when to look),
which the engine feeds when a hold is made. The index is a hint: the showtime's own ``expiry`` key
is the truth, an entry that comes due early (the hold was extended) is moved to the real time, and a
missing entry only delays the published release, never the seat becoming free (expiry is data).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from redis.asyncio.cluster import RedisCluster

from seatcore import keys
from seatcore.domain.pricing import quote
from seatcore.domain.schedule import SalesPolicy
from seatcore.domain.seatrules import HoldRules
from seatcore.engine import scripts
from seatcore.engine.loader import SeatingSource, ShowInfo, ShowtimeCache, layout_meta, load_state
from seatcore.engine.records import Delta, Hold, SeatState, Snapshot
from seatcore.engine.replies import (
    check_order_id,
    hold_refusal,
    new_hold_id,
    parse_hold_id,
    refusal,
    seat_list,
    well_formed,
)
from seatcore.engine.scripts import Arg, RedisClient, Script, with_commands
from seatcore.errors import (
    NotFound,
    RateLimited,
    SeatcoreError,
    SeatError,
    ValidationFailed,
)
from seatcore.settings import Settings
from seatcore.types import Fen, SeatId, ShowtimeId, UserId

Clock = Callable[[], int]  # milliseconds since the epoch
SWEEP_BATCH = 500
RATE_WINDOW_S = 60  # the hold rate's fixed window
_HOLD_RATE_ARG = 13  # index in hold.lua's ARGV (from 0) of the holds allowed per window


class SeatEngine:
    def __init__(
        self,
        redis: RedisClient,
        source: SeatingSource,
        *,
        rules: HoldRules | None = None,
        policy: SalesPolicy | None = None,
        channel_prefix: str = keys.SEAT_CHANGES,
        clock: Clock | None = None,
        info_ttl_s: float = 5.0,
        separate_user_step: bool | None = None,
        shard_channels: bool = False,
    ) -> None:
        """``separate_user_step``: count holds against the user's rate and cap in a step of their
        own (see the module docstring); by default only on Redis Cluster, where it must be.
        ``shard_channels``: publish changes on shard channels (Redis 7 Cluster, keys.seat_changes)."""
        self.redis = redis
        if separate_user_step is None:
            separate_user_step = isinstance(redis, RedisCluster)
        self.separate_user_step = separate_user_step
        self.rules = rules or HoldRules()
        self.channel_prefix = channel_prefix
        self.shard_channels = shard_channels
        self._clock = clock
        self.showtimes = ShowtimeCache(source, policy or SalesPolicy(10, 30), info_ttl_s)

    # -- time and plumbing --------------------------------------------------------------------

    def now_ms(self) -> int:
        return self._clock() if self._clock is not None else int(time.time() * 1000)

    def _now_arg(self) -> str:
        """What the scripts get for now: the fake clock in tests, else '' (the server's clock)."""
        return str(self._clock()) if self._clock is not None else ""

    def _channel(self, showtime_id: ShowtimeId) -> str:
        return keys.seat_changes(showtime_id, self.channel_prefix, sharded=self.shard_channels)

    async def info(self, showtime_id: ShowtimeId) -> ShowInfo:
        """The showtime's rules, layout and prices (NotFound for an unknown showtime)."""
        return await self.showtimes.get(showtime_id)

    async def _run(
        self,
        script: Script,
        showtime_id: ShowtimeId,
        args: list[Arg],
        *,
        load: bool = True,
        user_keys: Sequence[str] = (),
    ) -> Any:
        """Run a showtime script (with ``user_keys`` after the showtime's own); when the state is not
        in Redis, build it from MySQL and retry."""
        show_keys = [*keys.show_keys(showtime_id), *user_keys]
        result = await script(self.redis, show_keys, args)
        if result[0] == "not_loaded" and load:
            await self.load(showtime_id)
            result = await script(self.redis, show_keys, args)
        return result

    async def load(self, showtime_id: ShowtimeId) -> str:
        """Make sure the showtime's state is in Redis; returns its epoch."""
        info = await self.info(showtime_id)
        epoch, _ = await load_state(self.redis, self.showtimes.source, info, now_arg=self._now_arg())
        return epoch

    async def relayout(self, showtime_id: ShowtimeId) -> list[str]:
        """Give the showtime its hall's current layout (``lua/relayout.lua``) when its state is in
        Redis: holds and sales on seats still there are kept, holds with a seat that is gone end,
        and seat maps resync under a new epoch. Returns the ended holds. Other processes read the
        new layout when their copy of the showtime's rules is older than ``info_ttl_s``."""
        self.showtimes.forget(showtime_id)
        info = await self.info(showtime_id)
        args: list[Arg] = [
            self._now_arg(),
            self._channel(showtime_id),
            showtime_id,
            secrets.token_hex(8),
            orjson.dumps(layout_meta(info.grid)).decode(),
            self.rules.tombstone_ms,
        ]
        result = await self._run(scripts.RELAYOUT, showtime_id, args, load=False)
        return seat_list(result[2:]) if result[0] == "ok" else []

    def _amount(self, info: ShowInfo, seats: Sequence[SeatId]) -> Fen:
        return quote(info.seating.layout, info.seating.prices, seats).total_fen

    # -- holds --------------------------------------------------------------------------------

    async def hold(
        self,
        showtime_id: ShowtimeId,
        user_id: UserId,
        *,
        seats: Sequence[SeatId] | None = None,
        best: int | None = None,
        zone: str | None = None,
        accessible: bool = False,
    ) -> Hold:
        """Hold the named seats, or the best block of ``best`` seats (optionally in ``zone``)."""
        info = await self.info(showtime_id)
        amount: Fen | None = None  # known before the script when every seat named is in the hall
        if (seats is None) == (best is None):
            raise ValidationFailed("ask for seats or for best, not both or neither")
        if seats is not None:
            if not seats:
                raise ValidationFailed("name at least one seat")
            if len(set(seats)) != len(seats):
                raise ValidationFailed("a seat is named twice", seats=list(seats))
            amount = self._check_priced(info, seats)
        if best is not None and best < 1:
            raise ValidationFailed("best must be at least 1")
        if zone is not None and zone not in info.seating.layout.zones:
            raise ValidationFailed(f"the hall has no zone {zone}", zone=zone)

        hold_id = new_hold_id(showtime_id)
        rules = self.rules
        now_arg = self._now_arg()
        args: list[Arg] = [
            now_arg,
            self._channel(showtime_id),
            showtime_id,
            hold_id,
            user_id,
            rules.ttl_ms,
            rules.max_life_ms,
            rules.max_seats,
            info.sales_close_ms,
            1 if accessible else 0,
            best or 0,
            zone or "",
            rules.max_live_holds_per_user,
            rules.holds_per_minute,
            RATE_WINDOW_S,
            *(seats or ()),
        ]
        if self.separate_user_step:
            result = await self._hold_in_two_steps(showtime_id, user_id, hold_id, args)
        else:
            user_keys = [*self._gate_keys(user_id), keys.HOLD_SWEEP_INDEX]
            result = await self._run(scripts.HOLD, showtime_id, args, user_keys=user_keys)
            if result[0] == "hold_cap" and await self._drop_ended_holds(user_id):
                args[_HOLD_RATE_ARG] = 0  # this request was counted against the rate already
                result = await self._run(scripts.HOLD, showtime_id, args, user_keys=user_keys)
        if result[0] == "rate_limited":
            raise RateLimited(
                f"too many holds: at most {rules.holds_per_minute} a minute", retry_after_s=int(result[1])
            )
        if result[0] != "ok":
            raise refusal(result[0], result[1:], asked=best or len(seats or ()))
        held = tuple(seat_list(result[3:]))
        if amount is None:
            try:
                amount = self._amount(info, held)
            except SeatcoreError:  # a zone without a price, or a layout changed a moment ago
                await self.release(hold_id, user_id)
                raise
        return Hold(hold_id, showtime_id, user_id, held, int(result[1]), int(result[2]), amount)

    def _gate_keys(self, user_id: UserId) -> list[str]:
        """The user's holds and this rate window's counter (``lua/_user.lua``)."""
        return [keys.user_holds(user_id), keys.hold_rate(user_id, self.now_ms() // (RATE_WINDOW_S * 1000))]

    async def _hold_in_two_steps(
        self, showtime_id: ShowtimeId, user_id: UserId, hold_id: str, args: list[Arg]
    ) -> Any:
        """The hold on Redis Cluster: the user's count first, then the hold script; the count is
        taken back when the hold does not come to be."""
        gate = await self._count_hold(user_id, hold_id, str(args[0]))
        if gate[0] != "ok":
            return gate
        try:
            result = await self._run(scripts.HOLD, showtime_id, args)
        except Exception:
            await self._forget(user_id, hold_id)
            raise
        if result[0] != "ok":
            await self._forget(user_id, hold_id)
        return result

    async def _count_hold(self, user_id: UserId, hold_id: str, now_arg: str) -> Any:
        """Count a new hold against the user's rate and cap (``user_hold.lua``) and put it on the
        sweeper's index, in one round trip. At the cap, entries of holds that are not live are
        dropped and the count is tried once more. Returns the script's answer."""
        rules = self.rules
        gate_keys = self._gate_keys(user_id)
        gate_args: list[Arg] = [
            now_arg,
            hold_id,
            rules.ttl_ms,
            rules.max_live_holds_per_user,
            rules.max_life_ms,
            rules.holds_per_minute,
            RATE_WINDOW_S,
        ]
        index = ("ZADD", keys.HOLD_SWEEP_INDEX, self.now_ms() + rules.ttl_ms, hold_id)
        gate, _ = await with_commands(self.redis, scripts.USER_HOLD, gate_keys, gate_args, index)
        if gate[0] == "hold_cap" and await self._drop_ended_holds(user_id):
            gate_args[5] = 0  # this request was counted against the rate already
            gate = await scripts.USER_HOLD(self.redis, gate_keys, gate_args)
        if gate[0] != "ok":
            await self._forget(user_id, hold_id)
        return gate

    async def _drop_ended_holds(self, user_id: UserId) -> bool:
        """Take the holds that are no longer live off the user's count; True when there were any.
        (Entries of holds that ended normally are gone already: this catches what a crash left.)"""
        user_key = keys.user_holds(user_id)
        hold_ids = [str(hold_id) for hold_id in await self.redis.zrange(user_key, 0, -1)]
        ended = [hold_id for hold_id in hold_ids if not well_formed(hold_id)]
        known = [hold_id for hold_id in hold_ids if well_formed(hold_id)]
        if known:
            async with self.redis.pipeline(transaction=False) as pipe:
                for hold_id in known:
                    pipe.hget(keys.show_key(parse_hold_id(hold_id), "holds"), hold_id)
                records = await pipe.execute()
            now = self.now_ms()
            for hold_id, record in zip(known, records, strict=True):
                status, _, expires, *_ = str(record).split("|") if record else ("gone", "", "0")
                if status != "live" or int(expires) <= now:
                    ended.append(hold_id)
        if ended:
            await self.redis.zrem(user_key, *ended)
        return bool(ended)

    def _check_priced(self, info: ShowInfo, seats: Sequence[SeatId]) -> Fen | None:
        """What the seats cost (Conflict when a zone has no price); None when some are not in the
        hall, which the hold script reports with the full list."""
        layout = info.seating.layout
        known = [seat_id for seat_id in seats if seat_id in layout.seats]
        if not known:
            return None
        amount = quote(layout, info.seating.prices, known).total_fen
        return amount if len(known) == len(seats) else None

    async def _forget(self, user_id: UserId, hold_id: str) -> None:
        """Take a hold that did not come to be (or has ended) off the user's count and the index."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrem(keys.user_holds(user_id), hold_id)
            pipe.zrem(keys.HOLD_SWEEP_INDEX, hold_id)
            await pipe.execute()

    async def get_hold(self, hold_id: str, user_id: UserId) -> Hold:
        """The caller's live hold (hold_not_owned, hold_expired, hold_used or NotFound otherwise)."""
        showtime_id = parse_hold_id(hold_id)
        info = await self.info(showtime_id)
        text = await self.redis.hget(keys.show_key(showtime_id, "holds"), hold_id)
        if text is None:
            raise NotFound("no such hold", hold_id=hold_id)
        status, owner, expires, max_expires, seats, _ = str(text).split("|")
        if int(owner) != user_id:
            raise refusal("hold_not_owned", [])
        if status == "sold":
            raise refusal("hold_used", [])
        if status != "live" or int(expires) <= self.now_ms():
            raise refusal("hold_expired", [])
        held = tuple(seats.split(","))
        return Hold(
            hold_id, showtime_id, user_id, held, int(expires), int(max_expires), self._amount(info, held)
        )

    async def extend(self, hold_id: str, user_id: UserId) -> Hold:
        """Push the hold's expiry back by one extension, capped by its hard maximum life."""
        showtime_id = parse_hold_id(hold_id)
        args: list[Arg] = [self._now_arg(), hold_id, user_id, self.rules.extend_ms]
        result = await self._run(scripts.EXTEND, showtime_id, args, load=False)
        if result[0] != "ok":
            raise hold_refusal(result, hold_id)
        # The user's count must see the new expiry; the sweeper's index heals by itself.
        await self.redis.zadd(keys.user_holds(user_id), {hold_id: int(result[1])}, xx=True)
        return await self.get_hold(hold_id, user_id)

    async def release(self, hold_id: str, user_id: UserId) -> list[SeatId]:
        """End the caller's live hold and free its seats; returns them."""
        showtime_id = parse_hold_id(hold_id)
        args: list[Arg] = [self._now_arg(), self._channel(showtime_id), showtime_id, hold_id, user_id]
        if self.separate_user_step:
            # Taking the hold off the caller's own count is right whatever the script answers:
            # another user's hold is not on it, and an ended one no longer counts.
            uncount = ("ZREM", keys.user_holds(user_id), hold_id)
            result, _ = await with_commands(
                self.redis, scripts.RELEASE, keys.show_keys(showtime_id), args, uncount
            )
        else:
            user_keys = [keys.user_holds(user_id)]
            result = await self._run(scripts.RELEASE, showtime_id, args, load=False, user_keys=user_keys)
        if result[0] != "ok":  # not_loaded too: the state, and the hold with it, is gone
            raise hold_refusal(result, hold_id)
        return seat_list(result[1:])

    # -- sales --------------------------------------------------------------------------------

    async def buy(self, hold_id: str, user_id: UserId, order_id: str) -> list[SeatId]:
        """Sell the seats of the caller's live hold to ``order_id``; returns them.

        Calling again with the same order returns the same seats and changes nothing, so a caller
        that lost the answer may retry. Refusals: hold_expired, hold_not_owned, hold_used, NotFound.
        """
        check_order_id(order_id)
        showtime_id = parse_hold_id(hold_id)
        args: list[Arg] = [
            self._now_arg(),
            self._channel(showtime_id),
            showtime_id,
            hold_id,
            user_id,
            order_id,
            self.rules.tombstone_ms,
        ]
        user_keys = [] if self.separate_user_step else [keys.user_holds(user_id)]
        result = await self._run(scripts.BUY, showtime_id, args, load=False, user_keys=user_keys)
        if result[0] == "showtime_cancelled":
            raise SeatError("this showtime has been cancelled", code="showtime_cancelled")
        if result[0] != "ok":
            raise hold_refusal(result, hold_id)
        if self.separate_user_step:
            await self.redis.zrem(keys.user_holds(user_id), hold_id)
        return seat_list(result[1:])

    async def close(self, showtime_id: ShowtimeId) -> list[str]:
        """The showtime is cancelled (``lua/close.lua``): every live hold ends now and no hold or
        buy succeeds from now on, in every process at once. Returns the holds it ended."""
        self.showtimes.forget(showtime_id)
        info = await self.info(showtime_id)
        args: list[Arg] = [
            self._now_arg(),
            self._channel(showtime_id),
            showtime_id,
            self.rules.tombstone_ms,
            info.gone_ms,
        ]
        result = await scripts.CLOSE(self.redis, keys.show_keys(showtime_id), args)
        return seat_list(result[1:]) if result[0] == "ok" else []

    async def cancelled(self, showtime_id: ShowtimeId) -> bool:
        """Whether the showtime is cancelled: close.lua's mark, or MySQL's word as last read."""
        if await self.redis.hexists(keys.show_key(showtime_id, "meta"), "cancelled"):
            return True
        return (await self.info(showtime_id)).seating.status == "cancelled"

    async def unsell(self, showtime_id: ShowtimeId, order_id: str, seats: Sequence[SeatId]) -> list[SeatId]:
        """Free the seats ``order_id`` bought (a refund); returns those that were freed just now."""
        check_order_id(order_id)
        if not seats:
            return []
        args: list[Arg] = [self._now_arg(), self._channel(showtime_id), showtime_id, order_id, *seats]
        result = await self._run(scripts.UNSELL, showtime_id, args)
        return seat_list(result[1:])

    # -- reading ------------------------------------------------------------------------------

    async def snapshot(self, showtime_id: ShowtimeId, user_id: UserId | None) -> Snapshot:
        """Every seat's state and the caller's live hold, read in one atomic step with its seq."""
        info = await self.info(showtime_id)
        user_arg = "" if user_id is None else str(user_id)
        result = await self._run(scripts.SNAPSHOT, showtime_id, [self._now_arg(), user_arg])
        states: dict[SeatId, SeatState] = dict.fromkeys(info.seating.layout.seats, "free")
        holders: dict[SeatId, str] = {}
        for index in range(7, len(result), 3):
            seat_id, state, holder = str(result[index]), result[index + 1], str(result[index + 2])
            if seat_id in states:
                states[seat_id] = "held" if state == "held" else "sold"
                if holder:
                    holders[seat_id] = holder
        my_hold = None
        mine: list[SeatId] = []
        if result[3] and user_id is not None:
            mine = str(result[6]).split(",")
            my_hold = Hold(
                str(result[3]),
                showtime_id,
                user_id,
                tuple(mine),
                int(result[4]),
                int(result[5]),
                self._amount(info, mine),
            )
        return Snapshot(showtime_id, int(result[1]), str(result[2]), states, mine, my_hold, holders)

    async def changes_since(
        self, showtime_id: ShowtimeId, since_seq: int, epoch: str | None = None
    ) -> list[Delta] | None:
        """The changes after ``since_seq``, or None when the log no longer reaches back that far,
        ``since_seq`` is ahead of the showtime, or ``epoch`` (when given) is not the current one:
        the caller then needs a fresh snapshot."""
        if since_seq < 0:
            return None
        result = await self._run(scripts.CHANGES, showtime_id, [since_seq], load=False)
        if result[0] != "ok" or (epoch is not None and epoch != result[1]):
            return None
        seq, oldest = int(result[2]), int(result[3])
        if since_seq > seq:
            return None
        if since_seq == seq:
            return []
        if oldest == 0 or oldest > since_seq + 1:
            return None
        return [
            Delta(int(result[index]), orjson.loads(result[index + 1])) for index in range(4, len(result), 2)
        ]

    async def taken_counts(self, showtime_ids: Sequence[ShowtimeId]) -> dict[ShowtimeId, int]:
        """Seats held or sold, for each showtime whose state is in Redis (others are left out).

        Cheap (two commands a showtime, one round trip) and never loads a showtime. A hold that
        expired in the last moment still counts until the sweeper's next pass.
        """
        ids = list(dict.fromkeys(showtime_ids))
        if not ids:
            return {}
        async with self.redis.pipeline(transaction=False) as pipe:
            for showtime_id in ids:
                pipe.exists(keys.show_epoch(showtime_id))
                pipe.hlen(keys.show_key(showtime_id, "seats"))
            replies = await pipe.execute()
        return {
            showtime_id: int(replies[2 * index + 1])
            for index, showtime_id in enumerate(ids)
            if replies[2 * index]
        }

    # -- sweeping -----------------------------------------------------------------------------

    async def sweep(self, showtime_id: ShowtimeId, hold_ids: Sequence[str] = ()) -> dict[str, int | None]:
        """Tidy the showtime's due holds (publishing the seats that expired); for each of
        ``hold_ids``, when it next needs a sweep (ms), or None when it is gone."""
        args: list[Arg] = [
            self._now_arg(),
            self._channel(showtime_id),
            showtime_id,
            self.rules.tombstone_ms,
            SWEEP_BATCH,
            *hold_ids,
        ]
        result = await self._run(scripts.SWEEP, showtime_id, args, load=False)
        if result[0] != "ok":
            return dict.fromkeys(hold_ids)
        return {
            hold_id: int(float(due)) if due else None
            for hold_id, due in zip(hold_ids, result[2:], strict=True)
        }


def engine_from_settings(
    redis: RedisClient, source: SeatingSource, settings: Settings, *, shard_channels: bool = False
) -> SeatEngine:
    """A SeatEngine with the rules of ``settings`` (seatcore.settings.Settings)."""
    rules = HoldRules(
        ttl_ms=settings.hold_ttl_s * 1000,
        extend_ms=settings.hold_extend_s * 1000,
        max_life_ms=settings.hold_max_life_s * 1000,
        max_seats=settings.max_seats_per_hold,
        max_live_holds_per_user=settings.max_live_holds_per_user,
        tombstone_ms=settings.hold_tombstone_s * 1000,
        holds_per_minute=settings.hold_rate_per_minute,
    )
    policy = SalesPolicy(settings.sales_close_before_min, settings.refund_until_before_min)
    return SeatEngine(
        redis,
        source,
        rules=rules,
        policy=policy,
        info_ttl_s=settings.seat_info_cache_s,
        shard_channels=shard_channels,
    )
