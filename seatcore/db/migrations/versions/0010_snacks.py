"""snacks: per-cinema items and combos, the snacks of orders, pickups at the counter (issue 16)

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "snacks",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("cinema_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(500), nullable=False, server_default=""),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("stock_set_at", sa.DateTime(), nullable=False),
        sa.Column("on_sale", sa.Boolean(), nullable=False, server_default="1"),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("contents", sa.Text(), nullable=False),
        sa.Column("picture_url", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cinema_id"], ["cinemas.id"], name="fk_snacks_cinema_id_cinemas"),
        sa.PrimaryKeyConstraint("id", name="pk_snacks"),
    )
    op.create_index("ix_snacks_cinema_id_position", "snacks", ["cinema_id", "position"])
    op.create_table(
        "order_snacks",
        sa.Column("order_id", sa.String(32), nullable=False),
        sa.Column("snack_id", Id, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "snack_id", name="pk_order_snacks"),
    )
    op.create_index("ix_order_snacks_snack_id", "order_snacks", ["snack_id"])
    op.create_table(
        "snack_pickups",
        sa.Column("order_id", sa.String(32), nullable=False),
        sa.Column("cinema_id", Id, nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("picked_up_at", sa.DateTime(), nullable=True),
        sa.Column("picked_up_by", sa.String(100), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("order_id", name="pk_snack_pickups"),
        sa.UniqueConstraint("code", name="uq_snack_pickups_code"),
    )


def downgrade() -> None:
    op.drop_table("snack_pickups")
    op.drop_table("order_snacks")
    op.drop_table("snacks")
