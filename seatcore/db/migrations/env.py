"""Alembic environment: migrations run on a sync connection (pymysql or sqlite3)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from seatcore.db.schema import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "seatcore.db.migrate sets sqlalchemy.url"
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
