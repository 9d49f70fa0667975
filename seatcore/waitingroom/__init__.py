"""The waiting room of a premiere's on-sale (docs/scaling.md): fans queue, are admitted at a set
rate, and hold seats only with a signed admission token while the room is open.

- ``line``: the rules of the line (who is admitted when), pure;
- ``tokens``: admission tokens, signed with the service's secret;
- ``room``: the line in Redis (one hash tag per showtime) and the check a hold makes.
"""
