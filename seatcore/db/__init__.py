"""Relational storage: schema, engines and migrations (MySQL/MariaDB in production, SQLite embedded)."""
