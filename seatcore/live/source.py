"""The live map's reads of the seat engine: a socket's first frame, a snapshot or a replay.

The engine (``runtime.extras["seats"]``, seatcore.engine.service.SeatEngine) owns the seat state
and its change log; this module only turns what it answers into frames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatcore import keys
from seatcore.api.seats import hold_doc
from seatcore.engine.background import seat_engine
from seatcore.live.frames import SeatChange, delta_text
from seatcore.live.hub import SeatSource
from seatcore.live.protocol import encode, snapshot_frame
from seatcore.runtime import Runtime

if TYPE_CHECKING:
    from seatcore.engine.records import Delta


def seat_source(runtime: Runtime) -> SeatSource:
    return seat_engine(runtime)


async def first_frame(
    runtime: Runtime, showtime_id: int, user_id: int | None, since: int | None, epoch: str | None
) -> tuple[str, int, str | None]:
    """(epoch, seq, text) of a socket's first frame: the missed deltas merged into one when the
    client resumes within the current epoch and the log still reaches back (no text when it
    missed nothing), else a snapshot. Raises NotFound for an unknown showtime."""
    engine = seat_engine(runtime)
    if since is not None:
        current = await runtime.redis.get(keys.show_epoch(showtime_id))
        if isinstance(current, str) and epoch in (None, current):
            deltas = await engine.changes_since(showtime_id, since, current)
            if deltas is not None:
                seq, text = _replay(since, deltas, user_id)
                return current, seq, text
    snapshot = await engine.snapshot(showtime_id, user_id)
    my_hold = None
    if snapshot.my_hold is not None:
        my_hold = hold_doc(snapshot.my_hold, await engine.info(showtime_id))
    frame = snapshot_frame(showtime_id, snapshot.seq, snapshot.epoch, snapshot.states, snapshot.mine, my_hold)
    return snapshot.epoch, snapshot.seq, encode(frame)


def _replay(since: int, deltas: list[Delta], user_id: int | None) -> tuple[int, str | None]:
    """The missed deltas as one, with hold ids of the moviegoer's own holds only."""
    if not deltas:
        return since, None
    changes: dict[str, SeatChange] = {}
    for delta in deltas:
        for raw in delta.changes:
            change = SeatChange.from_engine(raw)
            changes[change.seat] = change
    last = deltas[-1].seq
    return last, delta_text(since + 1, last, changes.values(), user_id)
