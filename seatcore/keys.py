"""Every Redis key seatcore uses, in one place.

Keys of one showtime share the hash tag ``{show:ID}`` so that all of a showtime's keys land in
one Redis Cluster slot and a script can touch them together. The same holds for every other group
of keys that one command, transaction or script touches together (a user's holds and hold rate,
a sign-in's failures and backoff, one shard of the order stream): they share a hash tag. Keys
used one at a time need none. docs/scaling.md lists the groups.
"""

from __future__ import annotations

from functools import lru_cache

CATALOGUE_GENERATION = "sc:cache:gen"
# Box office (seatcore.store.boxoffice): when the summary last caught up with the orders, and the
# lock that lets one process at a time bring it up to date.
BOXOFFICE_WATERMARK = "sc:boxoffice:watermark"
BOXOFFICE_LOCK = "sc:boxoffice:lock"
BOXOFFICE_DIRTY = "sc:boxoffice:dirty"  # a set of showtime ids to recompute


def catalogue_cache(generation: str, name: str) -> str:
    return f"sc:cache:{generation}:{name}"


def want_count(movie_id: int) -> str:
    """A movie's cached want-to-see count: dropped on every toggle, so not tied to the generation.

    The ``{want}`` hash tag keeps all counts in one cluster slot, so one MGET reads a page's counts.
    """
    return f"sc:cache:{{want}}:{movie_id}"


def rate_limit(bucket: str, who: str, window: int) -> str:
    return f"sc:rl:{bucket}:{who}:{window}"


def _attempts_tag(bucket: str, who: str) -> str:
    """One caller's failures, backoff and check lease share a slot (forgotten with one DEL)."""
    return f"{{rl:{bucket}:{who}}}"


def failures(bucket: str, who: str) -> str:
    """Recent failed attempts of ``who`` (a staff account's sign-ins), for the backoff."""
    return f"sc:rl:fail:{_attempts_tag(bucket, who)}"


def checking(bucket: str, who: str) -> str:
    """Exists while one attempt of ``who`` is being checked (one at a time)."""
    return f"sc:rl:busy:{_attempts_tag(bucket, who)}"


def backoff(bucket: str, who: str) -> str:
    """Exists while ``who`` must wait before trying again; its TTL is the wait."""
    return f"sc:rl:wait:{_attempts_tag(bucket, who)}"


# Staff sessions (seatcore.auth.sessions): only digests of refresh tokens are kept.
def refresh_token(digest: str) -> str:
    return f"sc:auth:refresh:{digest}"


def used_refresh_token(digest: str) -> str:
    return f"sc:auth:refresh-used:{digest}"


def staff_session(family: str) -> str:
    return f"sc:auth:session:{family}"


def show_tag(showtime_id: int) -> str:
    return f"{{show:{showtime_id}}}"


# Seat engine (seatcore.engine, docs/seat-engine.md). One showtime's seat state lives in these keys,
# all in its hash tag's slot; the scripts take them in this order (SHOW_KEY_PARTS).
SEAT_CHANGES = "sc:seat-changes"  # prefix of the pub/sub channels of seat changes, one per showtime
LIVE_HUB = "sc:live:hub"  # + a random token: a hub's own pub/sub channel and connection name
HOLD_SWEEP_INDEX = "sc:holds:sweep"  # sorted set of hold ids -> when the sweeper should look (ms)
SHOW_KEY_PARTS = ("seats", "holds", "expiry", "users", "seq", "log", "epoch", "meta")


def seat_changes(showtime_id: int, prefix: str = SEAT_CHANGES, *, sharded: bool = False) -> str:
    """The pub/sub channel of one showtime's seat changes: a process hears only what it watches.

    ``sharded``: a shard channel (SPUBLISH/SSUBSCRIBE, Redis 7 Cluster), named in the showtime's
    hash tag so that it lives on the showtime's own shard; the scripts publish a channel holding
    a ``{`` with SPUBLISH (engine/lua/_showtime.lua)."""
    return f"{prefix}:{show_tag(showtime_id)}" if sharded else f"{prefix}:{showtime_id}"


def show_key(showtime_id: int, part: str) -> str:
    return f"sc:{show_tag(showtime_id)}:{part}"


@lru_cache(maxsize=4096)  # every seat script call names them
def show_keys(showtime_id: int) -> tuple[str, ...]:
    """Every key of one showtime's seat state, in the order the engine's scripts take them."""
    return tuple(show_key(showtime_id, part) for part in SHOW_KEY_PARTS)


def show_seq(showtime_id: int) -> str:
    return show_key(showtime_id, "seq")


def show_epoch(showtime_id: int) -> str:
    return show_key(showtime_id, "epoch")


def show_log(showtime_id: int) -> str:
    return show_key(showtime_id, "log")


def user_holds(user_id: int) -> str:
    """A moviegoer's live holds over all showtimes (sorted set of hold ids -> expiry ms)."""
    return f"sc:{{user:{user_id}}}:holds"


def hold_rate(user_id: int, window: int) -> str:
    """A moviegoer's holds in one rate window: in the user's slot, counted with user_holds."""
    return f"sc:{{user:{user_id}}}:rl:hold:{window}"


# Orders (seatcore.orders): the stream the MySQL writers consume, the orders not yet in MySQL
# (scored by when the sweeper should next look at them) and idempotency keys.
ORDER_STREAM = "sc:orders"  # on a cluster, ORDER_STREAM_SHARDS streams (order_stream_shard)
ORDER_STREAM_SHARDS = 8
ORDERS_IN_FLIGHT = "sc:orders:in-flight"


def order(showtime_id: int, order_id: str) -> str:
    """An order not yet in MySQL: a hash in its showtime's slot, beside the seats it buys."""
    return f"sc:{show_tag(showtime_id)}:order:{order_id}"


def hold_order(showtime_id: int, hold_id: str) -> str:
    """The order made from a hold (one order per hold)."""
    return f"sc:{show_tag(showtime_id)}:hold-order:{hold_id}"


def user_orders(user_id: int) -> str:
    """A moviegoer's orders not yet in MySQL (sorted set scored by creation, ms)."""
    return f"sc:user:{user_id}:orders"


def payer_openid(user_id: int) -> str:
    """The moviegoer's openid, kept for prepays made while MySQL is away (seatcore.orders.paydetails)."""
    return f"sc:user:{user_id}:openid"


def showtime_title(showtime_id: int) -> str:
    """The film's title of a showtime, for the payment's description while MySQL is away."""
    return f"sc:{show_tag(showtime_id)}:title"


def order_stream_shard(stream: str, shard: int) -> str:
    """One of the order stream's shards on a cluster: a stream and its group in a slot of their own."""
    return f"{stream}:{{{stream}:{shard}}}"


def sandbox_payment(order_id: str) -> str:
    """The demo's sandbox provider: an order's payment (seatcore.payments.sandbox)."""
    return f"sc:sandbox:payment:{order_id}"


def idempotency(user_id: int, key: str) -> str:
    return f"sc:idem:{user_id}:{key}"


def process_alive(owner: str) -> str:
    """A service process's lease (seatcore.orders.lease): present while the process lives."""
    return f"sc:alive:{owner}"


# Analytics (seatcore.analytics): events on their way to the event store.
ANALYTICS_STREAM = "sc:analytics"
ANALYTICS_UPKEEP = "sc:analytics:upkeep"  # held by the process doing this round of upkeep


# Members (seatcore.loyalty): what member prices need, kept so orders are priced through a MySQL outage.
MEMBER_TIERS = "sc:member:tiers"  # JSON list of the tiers
MEMBER_LEVELS = "sc:member:*:level"  # pattern of member_level's keys


def member_level(user_id: int) -> str:
    """The member's tier level (0: not a member)."""
    return f"sc:member:{user_id}:level"


def waiting_room(showtime_id: int, part: str) -> str:
    """A showtime's waiting room (seatcore.waitingroom.room): config, line, arrivals, admitted."""
    return f"sc:{{wr:{showtime_id}}}:{part}"


def replica_probe(key: str) -> str:
    """A short-lived key in ``key``'s cluster slot, written just before a WAIT (seatcore.replica_ack):
    the same hash tag, or the whole key as the tag when it has none."""
    start = key.find("{")
    end = key.find("}", start + 1) if start >= 0 else -1
    tag = key[start + 1 : end] if end > start + 1 else key
    return f"sc:replica-probe:{{{tag}}}"


# Snacks (seatcore.snacks.stock): a cinema's stock left, and the marks that make giving an order's
# snacks back happen once. Both in the cinema's slot ({snacks:ID}), so one script touches them.
def snack_tag(cinema_id: int) -> str:
    return f"{{snacks:{cinema_id}}}"


def snack_stock(cinema_id: int) -> str:
    """Hash: snack id -> stock left ("-1": no limit). A snack missing here is loaded from MySQL."""
    return f"sc:{snack_tag(cinema_id)}:stock"


def snack_order(cinema_id: int, order_id: str) -> str:
    """An order of snacks alone not yet in MySQL: a hash in its cinema's snack slot."""
    return f"sc:{snack_tag(cinema_id)}:order:{order_id}"


def snack_request_order(cinema_id: int, user_id: int, request: str) -> str:
    """The order of snacks alone made by one request (the moviegoer's idempotency key, hashed)."""
    return f"sc:{snack_tag(cinema_id)}:request-order:{user_id}:{request}"


def snack_unpaid(cinema_id: int, user_id: int) -> str:
    """The moviegoer's one unpaid order of snacks alone at the cinema (its id; expires with it)."""
    return f"sc:{snack_tag(cinema_id)}:unpaid:{user_id}"


def snack_returned(cinema_id: int, order_id: str) -> str:
    """Exists once the order's snacks went back to stock (ended unpaid or refunded)."""
    return f"sc:{snack_tag(cinema_id)}:returned:{order_id}"
