"""Personal recommendations: the item-to-item model over implicit feedback, rebuilt on a schedule
and kept in memory per process (seatcore.domain.recommend has the rules)."""
