"""Snacks (卖品): the stock gate in Redis and pickups at the counter (docs/snacks.md)."""
