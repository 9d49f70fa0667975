"""The invariants, as pure functions of what was read from Redis and MySQL. Each answers a Result:
how much it looked at and every violation it found, one line each."""

from __future__ import annotations

from dataclasses import dataclass, field

from seatcore.checker.mysql_side import MySQLState
from seatcore.checker.redis_side import RedisState, ShowtimeState
from seatcore.domain.orders import OrderStatus
from seatcore.orders.records import Order

REFUND_STATUSES = ("refund_requested", "refunded")


@dataclass
class Result:
    key: str
    title: str
    checked: int = 0
    unit: str = ""
    note: str = ""
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def _unlanded_paid(redis: RedisState, mysql: MySQLState) -> list[Order]:
    """Paid orders still in Redis that MySQL does not have yet: their seats are sold, in flight."""
    return [
        order
        for order in redis.in_flight.values()
        if order.status is OrderStatus.PAID and order.id not in mysql.paid
    ]


def no_double_sale(redis: RedisState, mysql: MySQLState) -> Result:
    result = Result("double_sale", "no seat sold twice", unit="sold seats")
    claims: dict[tuple[int, str], set[str]] = {}
    tickets = {**mysql.live, **mysql.duplicates}
    for place, holders in tickets.items():
        claims.setdefault(place, set()).update(holders)
    for showtime_id, state in redis.showtimes.items():
        for seat, order_id in state.sold().items():
            claims.setdefault((showtime_id, seat), set()).add(order_id)
    for order in _unlanded_paid(redis, mysql):
        if order.showtime_id is None:
            continue  # snacks alone: no seats
        for seat in order.seats:
            claims.setdefault((order.showtime_id, seat), set()).add(order.id)
    result.checked = len(claims)
    for (showtime_id, seat), owners in sorted(claims.items()):
        where = f"showtime {showtime_id} seat {seat}"
        if len(owners) > 1:
            result.violations.append(f"{where}: sold to {', '.join(sorted(owners))}")
        elif len(tickets.get((showtime_id, seat), ())) > 1:
            result.violations.append(f"{where}: {len(tickets[(showtime_id, seat)])} live tickets")
    return result


def _redis_says(state: ShowtimeState, seat: str, held: dict[str, str]) -> str:
    sold = state.sold().get(seat)
    if sold is not None:
        return f"sold to {sold}"
    return f"held by {held[seat]}" if seat in held else "free"


def redis_matches_mysql(redis: RedisState, mysql: MySQLState) -> Result:
    result = Result("redis_vs_mysql", "Redis sold seats = MySQL live tickets", unit="showtimes")
    in_flight = {
        (order.showtime_id, seat, order.id) for order in _unlanded_paid(redis, mysql) for seat in order.seats
    }
    seats_compared = pending = 0
    for showtime_id, state in sorted(redis.showtimes.items()):
        result.checked += 1
        sold = state.sold()
        held = state.held()
        tickets = {seat: owners for (show, seat), owners in mysql.live.items() if show == showtime_id}
        for seat in sorted(set(sold) | set(tickets)):
            seats_compared += 1
            order_id, owners = sold.get(seat), tickets.get(seat, [])
            if order_id is not None and owners == [order_id]:
                continue
            if order_id is not None and not owners and (showtime_id, seat, order_id) in in_flight:
                pending += 1
                continue
            mysql_says = f"live ticket of {', '.join(owners)}" if owners else "no live ticket"
            redis_says = _redis_says(state, seat, held)
            result.violations.append(
                f"showtime {showtime_id} seat {seat}: Redis {redis_says}, MySQL {mysql_says}"
            )
    result.note = f"{seats_compared} sold seats compared, {pending} in flight to MySQL"
    return result


def payments_settled(redis: RedisState, mysql: MySQLState) -> Result:
    result = Result("payments", "paid payments ticketed or refunded", unit="payments")
    for paid in sorted(mysql.paid.values(), key=lambda p: p.order_id):
        result.checked += 1
        where = f"order {paid.order_id}"
        if paid.status == OrderStatus.TICKETED.value:
            if paid.live_tickets != paid.seat_count:
                result.violations.append(
                    f"{where}: ticketed with {paid.live_tickets} of {paid.seat_count} tickets live"
                )
        elif paid.status in REFUND_STATUSES:
            if paid.refund_status is None:
                result.violations.append(f"{where}: {paid.status} but no refund is recorded")
            elif paid.refund_status == "failed":
                result.violations.append(f"{where}: paid, its refund failed")
        else:
            result.violations.append(f"{where}: paid, but the order is {paid.status}")
    for key in redis.unreadable_orders:
        result.violations.append(f"{key}: an order document that does not parse")
    for order in sorted(redis.in_flight.values(), key=lambda o: o.id):
        if order.payment is None or order.id in mysql.paid:
            continue
        result.checked += 1
        where = f"order {order.id} (in Redis)"
        if order.status is OrderStatus.PAID:
            if order.showtime_id is None:
                continue  # snacks alone: their stock was taken when the order was made (snack_side)
            state = redis.showtimes.get(order.showtime_id)
            if state is None:
                result.violations.append(f"{where}: paid, and its showtime's seats are not in Redis")
                continue
            sold = state.sold()
            lost = [seat for seat in order.seats if sold.get(seat) != order.id]
            if lost:
                result.violations.append(f"{where}: paid, but seats {', '.join(lost)} are not sold to it")
        elif order.status.value in REFUND_STATUSES:
            if order.refund is None or order.refund.status == "failed":
                result.violations.append(
                    f"{where}: paid, {order.status.value} without a refund that went through"
                )
        else:
            result.violations.append(f"{where}: paid, but still {order.status.value}")
    return result


def holds_within_max_life(redis: RedisState, max_life_ms: int) -> Result:
    result = Result("holds", "no hold past its hard maximum", unit="holds")
    live = 0
    for showtime_id, state in sorted(redis.showtimes.items()):
        for hold in sorted(state.holds.values(), key=lambda h: h.id):
            result.checked += 1
            where = f"showtime {showtime_id} hold {hold.id}"
            if hold.status == "?":
                result.violations.append(f"{where}: unreadable record {hold.raw!r}")
            if hold.status != "live":
                continue
            if hold.expires_ms > state.now_ms:
                live += 1
            if hold.expires_ms > hold.max_expires_ms:
                late_s = (hold.expires_ms - hold.max_expires_ms) / 1000
                result.violations.append(f"{where}: expires {late_s:.1f} s after its hard maximum")
            if hold.max_expires_ms > state.now_ms + max_life_ms:
                result.violations.append(
                    f"{where}: its hard maximum is more than the maximum life ({max_life_ms // 1000} s) away"
                )
    result.note = f"{live} live now"
    return result


def seq_without_gaps(redis: RedisState) -> Result:
    result = Result("seq", "sequence numbers without gaps", unit="showtimes")
    entries = 0
    for showtime_id, state in sorted(redis.showtimes.items()):
        result.checked += 1
        where = f"showtime {showtime_id}"
        if not state.log:
            if state.seq > 0:
                result.violations.append(f"{where}: seq is {state.seq} but the change log is empty")
            continue
        previous: int | None = None
        for entry in state.log:
            entries += 1
            number = int(entry.id.split("-", 1)[0])
            if entry.id != f"{number}-0" or entry.seq != str(number):
                result.violations.append(f"{where}: log entry {entry.id} carries seq {entry.seq!r}")
            if previous is not None and number != previous + 1:
                result.violations.append(f"{where}: the log jumps from seq {previous} to {number}")
            previous = number
        if previous != state.seq:
            result.violations.append(
                f"{where}: the log ends at seq {previous}, the showtime is at {state.seq}"
            )
    result.note = f"{entries} log entries"
    return result


def one_live_set_per_exchange(mysql: MySQLState) -> Result:
    """Invariant 11: an exchanged order has one whole set of live tickets, on its showtime."""
    result = Result("exchanges", "exchanged orders have exactly one live set", unit="exchanged orders")
    result.checked = mysql.exchanged
    result.violations.extend(mysql.exchange_problems)
    return result


def check_all(redis: RedisState, mysql: MySQLState, *, max_life_ms: int) -> list[Result]:
    return [
        no_double_sale(redis, mysql),
        redis_matches_mysql(redis, mysql),
        payments_settled(redis, mysql),
        holds_within_max_life(redis, max_life_ms),
        seq_without_gaps(redis),
        one_live_set_per_exchange(mysql),
    ]
