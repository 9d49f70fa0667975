"""The seat engine: each showtime's seat state in Redis, changed only by atomic Lua scripts.

- ``scripts``: the Lua scripts (``lua/``), loaded once and called by SHA.
- ``service``: ``SeatEngine``, the Python face of the scripts (holds, buys, snapshots, replays).
- ``loader``: builds a showtime's state from MySQL on first use, and again after Redis lost it.
- ``sweeper``: tidies expired holds and publishes their release; ``background`` runs it in the app.
- ``model``: a pure Python reference model of the same rules, for property tests.

docs/seat-engine.md describes the keys, the scripts and the rules.
"""
