"""The waiting room of a premiere's on-sale (docs/waiting-room.md): fans queue, are admitted at a
set rate and/or up to a cap on fans shopping at once, and hold seats only with a signed admission
token while the room is open.

- ``line``: the rules of the line (who is admitted when, the wait), pure;
- ``scripts``: the Lua steps (join, admit, leave, numbers), one room's keys each;
- ``room``: the room in Redis (one hash tag per showtime) and the check a hold makes;
- ``tokens``: admission tokens, signed with the service's secret;
- ``lobby``: this process's sockets and the tick that moves their lines;
- ``socket`` and ``protocol``: ``WS /ws/showtimes/{id}/waiting-room`` and its frames.
"""
