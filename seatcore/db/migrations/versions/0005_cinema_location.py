"""cinemas placed on the map: latitude and longitude, for "cinemas near me"

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cinemas", sa.Column("latitude", sa.Double(), nullable=True))
    op.add_column("cinemas", sa.Column("longitude", sa.Double(), nullable=True))


def downgrade() -> None:
    op.drop_column("cinemas", "longitude")
    op.drop_column("cinemas", "latitude")
