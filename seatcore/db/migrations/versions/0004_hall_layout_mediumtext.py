"""hall layouts as MEDIUMTEXT on MySQL

A 1,000-seat layout document is about 70 KB, past TEXT's 64 KiB on MySQL/MariaDB.
SQLite's TEXT has no such limit, so this changes nothing there.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "mysql":
        op.alter_column("halls", "layout", existing_type=sa.Text(), type_=mysql.MEDIUMTEXT(), nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "mysql":
        op.alter_column("halls", "layout", existing_type=mysql.MEDIUMTEXT(), type_=sa.Text(), nullable=False)
