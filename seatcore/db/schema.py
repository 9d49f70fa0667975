"""The relational schema, as SQLAlchemy Core tables. Migrations under ``migrations/`` create it.

Times are stored as naive UTC DATETIMEs; money as integer fen; JSON documents as text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger maps to that there.
Id = BigInteger().with_variant(Integer(), "sqlite")

movies = Table(
    "movies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("original_title", String(200), nullable=False, server_default=""),
    Column("genres", String(200), nullable=False, server_default=""),  # comma separated
    Column("duration_min", Integer, nullable=False),
    Column("score_x10", Integer, nullable=False, server_default="0"),  # 86 means 8.6
    Column("synopsis", Text, nullable=False),
    Column("director", String(200), nullable=False, server_default=""),
    Column("cast", String(500), nullable=False, server_default=""),
    Column("release_date", DateTime, nullable=True),
    Column("poster_url", String(500), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="showing"),  # showing | coming
    Column("hot_rank", Integer, nullable=False, server_default="0"),  # 0 = not on the carousel
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index(None, "status", "hot_rank"),
    Index(None, "title"),
)

cinemas = Table(
    "cinemas",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("address", String(300), nullable=False, server_default=""),
    Column("timezone", String(64), nullable=False, server_default="Asia/Shanghai"),
    Column("sales_close_before_min", Integer, nullable=True),  # NULL: the service default
    Column("refund_until_before_min", Integer, nullable=True),
    Column("created_at", DateTime, nullable=False),
    # WGS-84 degrees, as wx.getLocation reports them; NULL: not placed on the map yet.
    Column("latitude", Double, nullable=True),
    Column("longitude", Double, nullable=True),
    Index(None, "city", "name"),
)

halls = Table(
    "halls",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("cinema_id", Id, ForeignKey("cinemas.id"), nullable=False),
    Column("name", String(100), nullable=False),
    # JSON, see seatcore.domain.layout; MEDIUMTEXT on MySQL, where TEXT stops at 64 KiB.
    Column("layout", Text().with_variant(mysql.MEDIUMTEXT(), "mysql"), nullable=False),
    Column("seat_count", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("cinema_id", "name"),
)

showtimes = Table(
    "showtimes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hall_id", Id, ForeignKey("halls.id"), nullable=False),
    Column("cinema_id", Id, ForeignKey("cinemas.id"), nullable=False),
    Column("movie_id", Id, ForeignKey("movies.id"), nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
    Column("language", String(32), nullable=False, server_default=""),
    Column("format", String(32), nullable=False, server_default="2D"),
    Column("prices", Text, nullable=False),  # JSON {"zone": fen}
    Column("sales_open", Boolean, nullable=False, server_default="1"),
    Column("status", String(16), nullable=False, server_default="scheduled"),  # | cancelled
    Column("created_at", DateTime, nullable=False),
    # Sales open to everyone then (NULL: at once); members' tiers open earlier (early_booking_hours).
    Column("on_sale_at", DateTime, nullable=True),
    # JSON {"LEVEL" | "*": {"discount_percent", "zone_prices"}}: member prices here instead of the
    # tiers' own (seatcore.domain.pricing.parse_member_overrides); NULL: the tiers' prices.
    Column("member_prices", Text, nullable=True),
    Index(None, "movie_id", "starts_at"),
    Index(None, "cinema_id", "starts_at"),
    Index(None, "hall_id", "starts_at"),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("openid", String(128), nullable=False, unique=True),
    Column("nickname", String(100), nullable=False, server_default=""),
    Column("phone", String(32), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Index(None, "phone"),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # staff | admin
    Column("created_at", DateTime, nullable=False),
)

staff_cinemas = Table(
    "staff_cinemas",
    metadata,
    Column("staff_id", Id, ForeignKey("staff.id"), primary_key=True),
    Column("cinema_id", Id, ForeignKey("cinemas.id"), primary_key=True),
)

favourites = Table(
    "favourites",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True),
    Column("movie_id", Id, ForeignKey("movies.id"), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Index(None, "movie_id"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    # NULL: an order of snacks alone (its cinema is its snack_pickups row's).
    Column("showtime_id", Id, ForeignKey("showtimes.id"), nullable=True),
    Column("hold_id", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("seat_count", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("paid_at", DateTime, nullable=True),
    Column("updated_at", DateTime, nullable=False),
    # JSON, seatcore.domain.pricing.Breakdown: list price, member discount, coupon, points, paid.
    # NULL for orders made before prices had more than one step (list price = amount_fen).
    Column("price", Text, nullable=True),
    Index(None, "user_id", "created_at"),
    Index(None, "showtime_id"),
    Index(None, "status", "created_at"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", String(32), ForeignKey("orders.id"), nullable=False),
    Column("showtime_id", Id, ForeignKey("showtimes.id"), nullable=False),
    Column("seat_id", String(32), nullable=False),
    Column("price_fen", Integer, nullable=False),
    Column("code", String(32), nullable=False, unique=True),
    # 1 while the ticket is live, NULL once refunded: the unique key below then only binds live
    # tickets (both MySQL and SQLite let NULLs repeat in a unique key).
    Column("live", Boolean, nullable=True),
    Column("created_at", DateTime, nullable=False),
    # Set once, by the conditional UPDATE that admits the ticket at the door (invariant 12).
    Column("checked_in_at", DateTime, nullable=True),
    Column("checked_in_door", String(64), nullable=True),
    UniqueConstraint("showtime_id", "seat_id", "live"),
    Index(None, "order_id"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", String(32), ForeignKey("orders.id"), nullable=False),
    Column("provider", String(16), nullable=False),
    Column("provider_txn_id", String(64), nullable=True, unique=True),
    Column("amount_fen", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index(None, "order_id"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", String(32), ForeignKey("orders.id"), nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(300), nullable=False, server_default=""),
    Column("provider_refund_id", String(64), nullable=True),
    Column("created_by", String(100), nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # The spent points this refund gives back (a fee keeps its share of them); NULL: all of them.
    Column("points_back", BigInteger, nullable=True),
    Index(None, "order_id"),
)

# ------------------------------------------------------------------------------ staff console (issue 6)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("staff_id", Id, nullable=True),  # no foreign key: the trail outlives accounts
    Column("actor", String(100), nullable=False),  # the username at the time
    Column("action", String(64), nullable=False),  # e.g. showtime.create, order.refund
    Column("cinema_id", Id, nullable=True),  # NULL for chain-wide changes (movies)
    Column("target_type", String(32), nullable=False),
    Column("target_id", String(64), nullable=False),
    Column("details", Text, nullable=False),  # JSON
    Index(None, "cinema_id", "id"),
    Index(None, "target_type", "target_id"),
)

# Box-office summary: one row per showtime (capacity, live tickets and revenue, the cinema's local
# show date) and one per showtime and local hour of sale. seatcore.store.boxoffice recomputes a
# showtime's rows from its tickets whenever its orders change, so reports never scan the tickets.
boxoffice_showtimes = Table(
    "boxoffice_showtimes",
    metadata,
    Column("showtime_id", Id, primary_key=True, autoincrement=False),
    Column("cinema_id", Id, nullable=False),
    Column("hall_id", Id, nullable=False),
    Column("movie_id", Id, nullable=False),
    Column("show_date", Date, nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("tickets", Integer, nullable=False),
    Column("revenue_fen", BigInteger, nullable=False),
    Index(None, "cinema_id", "show_date"),
    Index(None, "show_date"),
)

boxoffice_hours = Table(
    "boxoffice_hours",
    metadata,
    Column("showtime_id", Id, primary_key=True, autoincrement=False),
    Column("sale_date", Date, primary_key=True),
    Column("sale_hour", Integer, primary_key=True, autoincrement=False),  # 0..23, the cinema's zone
    Column("cinema_id", Id, nullable=False),
    Column("tickets", Integer, nullable=False),
    Column("revenue_fen", BigInteger, nullable=False),
    Index(None, "cinema_id", "sale_date"),
    Index(None, "sale_date"),
)

# ------------------------------------------------------------------- refund fees and exchanges (issue 15)

# A cinema's refund and exchange policy (seatcore.domain.refunds), as its JSON document. A cinema
# without a row follows the default: a full refund until its refund_until_before_min.
refund_policies = Table(
    "refund_policies",
    metadata,
    Column("cinema_id", Id, ForeignKey("cinemas.id"), primary_key=True, autoincrement=False),
    Column("document", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# One row per exchanged order (the primary key is the once-per-order guard), written before any
# seat moves so that a crash part way is finished from here (seatcore.orders.exchange).
exchanges = Table(
    "exchanges",
    metadata,
    Column("order_id", String(32), ForeignKey("orders.id"), primary_key=True),
    Column("user_id", Id, nullable=False),
    Column("from_showtime_id", Id, nullable=False),
    Column("to_showtime_id", Id, nullable=False),
    Column("hold_id", String(64), nullable=False),
    Column("new_seats", Text, nullable=False),  # JSON [[seat, price_fen, ticket code], ...]
    Column("old_amount_fen", Integer, nullable=False),
    Column("new_amount_fen", Integer, nullable=False),
    Column("fee_fen", Integer, nullable=False),
    Column("pay_fen", Integer, nullable=False),  # the second payment (0: none)
    Column("refund_fen", Integer, nullable=False),  # the difference refunded (0: none)
    Column("pay_txn_id", String(64), nullable=True),  # the provider's id of the second payment
    Column("state", String(16), nullable=False),  # paying | paid | bought | swapped | done | abandoned
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index(None, "state", "updated_at"),
)

# The box office finds changed orders by their update time.
Index("ix_orders_updated_at", orders.c.updated_at)

# ------------------------------------------------------------------------------------ the door (issue 16)

# Every scan that reached the server, admitted or not, online or synced from an offline door: the
# trail the scanner's conflicts and `seatcore check` (invariant 12) read.
door_scans = Table(
    "door_scans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket_code", String(32), nullable=False),
    Column("showtime_id", Id, nullable=False),
    Column("cinema_id", Id, nullable=False),
    Column("door", String(64), nullable=False),
    Column("scanned_at", DateTime, nullable=False),  # at the door (an offline scan: the device's clock)
    Column("recorded_at", DateTime, nullable=False),
    Column("staff_id", Id, nullable=True),
    Column("outcome", String(24), nullable=False),  # admitted | already_checked_in | ticket_not_live | ...
    Column("offline", Boolean, nullable=False),
    Index(None, "ticket_code"),
    Index(None, "showtime_id", "outcome"),
)


# ------------------------------------------------------------------- members, points, coupons (issue 15)

member_tiers = Table(
    "member_tiers",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),  # 1 = the tier everyone joins at
    Column("name", String(50), nullable=False),
    Column("threshold_fen", BigInteger, nullable=False),  # spend over the last 12 months to reach it
    Column("discount_percent", Integer, nullable=False, server_default="0"),
    Column("zone_prices", Text, nullable=False),  # JSON {"zone": fen}: fixed member prices
    Column("free_exchanges_per_month", Integer, nullable=False, server_default="0"),
    Column("free_refunds_per_month", Integer, nullable=False, server_default="0"),
    Column("early_booking_hours", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True, autoincrement=False),
    Column("level", Integer, nullable=False),
    # The sum of the member's points_ledger rows, kept beside it so that the guard against a
    # negative balance is one conditional UPDATE of this row (docs/loyalty.md).
    Column("points", BigInteger, nullable=False, server_default="0"),
    Column("version", BigInteger, nullable=False, server_default="0"),  # +1 on every points change
    Column("spend_12m_fen", BigInteger, nullable=False, server_default="0"),
    Column("joined_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

points_ledger = Table(
    "points_ledger",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # earn | reserve | return | reverse | expire | adjust
    Column("points", BigInteger, nullable=False),  # signed
    Column("order_id", String(32), nullable=True),
    Column("expires_at", DateTime, nullable=True),  # points that can expire (earned, added by staff)
    Column("note", String(200), nullable=False, server_default=""),
    Column("created_by", String(100), nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    # An order earns, reserves, returns and reverses at most once each (NULLs repeat freely).
    UniqueConstraint("order_id", "kind"),
    Index(None, "user_id", "id"),
)

coupon_campaigns = Table(
    "coupon_campaigns",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),  # amount | percent | voucher
    Column("value", Integer, nullable=False),
    Column("cap_fen", Integer, nullable=False, server_default="0"),
    Column("min_spend_fen", Integer, nullable=False, server_default="0"),
    Column("scope", Text, nullable=False),  # JSON: movie_ids, cinema_ids, formats, weekdays, hours
    Column("valid_from", DateTime, nullable=False),
    Column("valid_until", DateTime, nullable=False),
    Column("per_user_limit", Integer, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("issued", Integer, nullable=False, server_default="0"),  # coupons handed out, <= stock
    Column("distribution", String(16), nullable=False),  # claim | codes | shared
    Column("shared_code", String(32), nullable=True, unique=True),
    Column("return_on_refund", Boolean, nullable=False, server_default="1"),
    Column("status", String(16), nullable=False, server_default="active"),  # | paused
    Column("created_by", String(100), nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
)

coupons = Table(
    "coupons",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign_id", Id, ForeignKey("coupon_campaigns.id"), nullable=False),
    Column("user_id", Id, nullable=True),  # NULL: a single-use code nobody redeemed yet
    # The holder's 1st, 2nd... coupon of the campaign: the unique key below enforces the per-user
    # limit under any concurrency (two claims taking the same number: one fails).
    Column("claim_no", Integer, nullable=True),
    Column("code", String(32), nullable=True, unique=True),  # single-use codes only
    Column("state", String(16), nullable=False),  # available | reserved | used
    Column("order_id", String(32), nullable=True),
    Column("claimed_at", DateTime, nullable=True),
    Column("used_at", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("campaign_id", "user_id", "claim_no"),
    Index(None, "user_id", "state"),
)

# What an order took from the loyalty side, from its creation on: reserved at create, committed
# when it lands paid, returned when it ends unpaid or (per campaign) is refunded.
order_discounts = Table(
    "order_discounts",
    metadata,
    Column("order_id", String(32), primary_key=True),
    Column("user_id", Id, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("coupon_id", Id, nullable=True),
    Column("state", String(16), nullable=False),  # reserved | committed | returned
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index(None, "state", "created_at"),
)

# A member's free exchange or free refund of a month (seatcore.store.quotas). The month's n-th use
# takes slot n: the unique key refuses two uses of one slot under any concurrency, and the other one
# lets an order take at most one use of each kind.
member_free_uses = Table(
    "member_free_uses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, nullable=False),
    Column("kind", String(16), nullable=False),  # exchange | refund
    Column("month", String(7), nullable=False),  # YYYY-MM in the cinema's time zone
    Column("slot", Integer, nullable=False),  # 1..quota
    Column("quota", Integer, nullable=False),  # the tier's monthly quota when it was taken
    Column("order_id", String(32), nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("user_id", "kind", "month", "slot"),
    UniqueConstraint("kind", "order_id"),
)


# ------------------------------------------------------------------------------ experiments (issue 17)

# An A/B experiment (seatcore.domain.experiments has the rules): variants as JSON
# [{"key", "weight"}], eligibility as JSON {"channels": [...], "signed_in": bool}, the target metric
# as two event names (from -> to) and an optional guardrail. Assignments are never stored: hashing
# the experiment's seed with the moviegoer or device gives them.
experiments = Table(
    "experiments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # draft | running | stopped
    Column("variants", Text, nullable=False),
    Column("eligibility", Text, nullable=False),
    Column("metric_from", String(64), nullable=False),
    Column("metric_to", String(64), nullable=False),
    Column("guardrail", String(32), nullable=False, server_default=""),
    Column("started_at", DateTime, nullable=True),
    Column("stopped_at", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


# ------------------------------------------------------------------------------ snacks (issue 16)

# A cinema's snack menu (seatcore.domain.snacks has the rules): items and combos (contents as JSON
# [{"name", "qty"}]). ``stock`` is what the staff last set (NULL: no limit) at ``stock_set_at``;
# the live count left lives in Redis (seatcore.snacks.stock), which is the gate of invariant 13.
snacks = Table(
    "snacks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("cinema_id", Id, ForeignKey("cinemas.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # item | combo
    Column("name", String(100), nullable=False),
    Column("description", String(500), nullable=False, server_default=""),
    Column("price_fen", Integer, nullable=False),
    Column("stock", Integer, nullable=True),
    Column("stock_set_at", DateTime, nullable=False),
    Column("on_sale", Boolean, nullable=False, server_default="1"),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("contents", Text, nullable=False),
    Column("picture_url", String(500), nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index(None, "cinema_id", "position"),
)

# The snacks an order bought, as they were priced then; landed with the order.
order_snacks = Table(
    "order_snacks",
    metadata,
    Column("order_id", String(32), primary_key=True),
    Column("snack_id", Id, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("price_fen", Integer, nullable=False),  # each
    Index(None, "snack_id"),
)

# A paid order's snacks at the counter: the code the moviegoer shows, and when they were handed over
# (set once, by a conditional UPDATE: seatcore.store.snacks.mark_picked_up).
snack_pickups = Table(
    "snack_pickups",
    metadata,
    Column("order_id", String(32), primary_key=True),
    Column("cinema_id", Id, nullable=False),
    Column("code", String(16), nullable=False, unique=True),
    Column("picked_up_at", DateTime, nullable=True),
    Column("picked_up_by", String(100), nullable=False, server_default=""),
)
