"""Analytics: events from clients and from the service, an embedded event store, the reports
(docs/analytics.md).

- ``events``: the stream between the API and the writer, the service's own events and their hooks.
- ``writer``: lands the stream in the store; ``store``: DuckDB with daily rollups.
- ``reports``: funnel, visits, dwell, payments; ``background``: all of it in the app.
"""
