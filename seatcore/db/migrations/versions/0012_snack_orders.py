"""orders of snacks alone: an order without a showtime

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("showtime_id", existing_type=_ID, nullable=True)


def downgrade() -> None:
    # Orders of snacks alone have no showtime to go back to: they go, with their snacks and pickups.
    alone = sa.text("SELECT id FROM orders WHERE showtime_id IS NULL")
    for table in ("order_snacks", "snack_pickups", "payments", "refunds"):
        op.execute(sa.text(f"DELETE FROM {table} WHERE order_id IN ({alone})"))  # noqa: S608
    op.execute(sa.text("DELETE FROM orders WHERE showtime_id IS NULL"))
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("showtime_id", existing_type=_ID, nullable=False)
