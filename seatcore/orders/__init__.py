"""Orders: from a live hold to paid tickets in MySQL, never lost on the way (docs/orders.md).

- ``service``: ``OrderService`` (create, pay, payment notices, refunds, sweeping and recovery).
- ``inflight``: orders not yet in MySQL, in Redis; ``records``: the order document.
- ``stream`` / ``writer``: the Redis Stream ``sc:orders`` and the writers that land it in MySQL.
- ``recovery``: the order sweeper and the recovery at start; ``background``: both in the app.
- ``store``: orders in MySQL; ``idempotency``: Idempotency-Key answers; ``reconcile``: the check.
"""
