"""SQL access: one module per aggregate, SQLAlchemy Core on the async engine."""
