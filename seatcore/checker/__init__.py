"""The invariant checker: reads a deployment's Redis and MySQL and says whether anything was lost or
double-sold (``seatcore check``; loadtests/run.py runs it after every load test).

What it proves, each as one row of its table (DESIGN.md, "Seat state: invariants"):

- no seat is sold twice: no two orders claim one seat of a showtime, counting MySQL's live tickets,
  Redis's sold seats and paid orders still on their way to MySQL;
- Redis's sold seats equal MySQL's live tickets for every showtime whose state is in Redis (a seat
  sold by a paid order not yet written to MySQL counts as in flight, not as a difference);
- every successful payment has its seats ticketed or a refund;
- no hold lives past its hard maximum;
- the change log of every showtime has no gap in its sequence numbers and ends at its ``seq``;
- no ticket is admitted at the door twice, or while not live (invariant 12, seatcore.checker.door_side).

It only reads. The two stores cannot be read in one atomic step, so on a live system a change can
fall between the reads; ``settle_s`` checks again, for up to that long, while violations remain.
Showtimes are found by scanning for their ``epoch`` keys, which on Redis Cluster covers the node
the client is connected to only.
"""

from __future__ import annotations

from seatcore.checker.invariants import Result, check_all
from seatcore.checker.report import Report
from seatcore.checker.runner import check_deployment

__all__ = ["Report", "Result", "check_all", "check_deployment"]
