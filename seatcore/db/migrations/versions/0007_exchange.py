"""refund policies per cinema and exchanges (改签) of orders

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "refund_policies",
        sa.Column("cinema_id", _ID, autoincrement=False, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cinema_id"], ["cinemas.id"], name=op.f("fk_refund_policies_cinema_id_cinemas")
        ),
        sa.PrimaryKeyConstraint("cinema_id", name=op.f("pk_refund_policies")),
    )
    op.create_table(
        "exchanges",
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("from_showtime_id", _ID, nullable=False),
        sa.Column("to_showtime_id", _ID, nullable=False),
        sa.Column("hold_id", sa.String(length=64), nullable=False),
        sa.Column("new_seats", sa.Text(), nullable=False),
        sa.Column("old_amount_fen", sa.Integer(), nullable=False),
        sa.Column("new_amount_fen", sa.Integer(), nullable=False),
        sa.Column("fee_fen", sa.Integer(), nullable=False),
        sa.Column("pay_fen", sa.Integer(), nullable=False),
        sa.Column("refund_fen", sa.Integer(), nullable=False),
        sa.Column("pay_txn_id", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_exchanges_order_id_orders")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_exchanges")),
    )
    op.create_index(op.f("ix_exchanges_state_updated_at"), "exchanges", ["state", "updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_exchanges_state_updated_at"), table_name="exchanges")
    op.drop_table("exchanges")
    op.drop_table("refund_policies")
