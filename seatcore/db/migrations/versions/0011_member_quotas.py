"""members' monthly free exchanges and refunds; a showtime's on-sale moment and member-price override;
the points a refund with a fee gives back

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "member_free_uses",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_member_free_uses"),
        sa.UniqueConstraint("kind", "order_id", name="uq_member_free_uses_kind_order_id"),
        sa.UniqueConstraint(
            "user_id", "kind", "month", "slot", name="uq_member_free_uses_user_id_kind_month_slot"
        ),
    )
    with op.batch_alter_table("showtimes") as batch:
        batch.add_column(sa.Column("on_sale_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("member_prices", sa.Text(), nullable=True))
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("points_back", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("points_back")
    with op.batch_alter_table("showtimes") as batch:
        batch.drop_column("member_prices")
        batch.drop_column("on_sale_at")
    op.drop_table("member_free_uses")
