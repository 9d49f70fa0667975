"""Pure domain rules: no HTTP, no Redis, no SQL."""
