"""The door: signed tickets (seatcore.door.keys), check-in and offline sync (seatcore.door.service).

Invariant 12 (DESIGN.md): a ticket is admitted at most once, refunded or exchanged tickets are
refused, and a door that worked offline reports its conflicts when it syncs.
"""
