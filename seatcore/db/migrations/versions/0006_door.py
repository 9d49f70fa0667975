"""the door: check-in columns on tickets, and the scan trail

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("checked_in_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("checked_in_door", sa.String(length=64), nullable=True))
    op.create_table(
        "door_scans",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("ticket_code", sa.String(length=32), nullable=False),
        sa.Column("showtime_id", _ID, nullable=False),
        sa.Column("cinema_id", _ID, nullable=False),
        sa.Column("door", sa.String(length=64), nullable=False),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", _ID, nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_scans")),
    )
    op.create_index(op.f("ix_door_scans_ticket_code"), "door_scans", ["ticket_code"], unique=False)
    op.create_index(
        op.f("ix_door_scans_showtime_id_outcome"), "door_scans", ["showtime_id", "outcome"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_door_scans_showtime_id_outcome"), table_name="door_scans")
    op.drop_index(op.f("ix_door_scans_ticket_code"), table_name="door_scans")
    op.drop_table("door_scans")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("checked_in_door")
        batch.drop_column("checked_in_at")
