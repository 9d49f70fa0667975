"""Experiments: assignment for callers (with their exposure events) and results per variant from the
event store. The rules are in seatcore.domain.experiments, the definitions in seatcore.store.experiments."""
