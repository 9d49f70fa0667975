"""Deltas as the hub hands them to sockets: encoded once, then trimmed or merged for a socket that
is not exactly where the frame starts.

A socket whose writer fell behind (the process was busy, or the phone reads slowly) finds several
frames queued. They are sent as one delta covering them all: their changes are final states, so
the last change of each seat is all the client needs. Every socket behind by the same frames gets
the same merge, so it is encoded once too and kept on the last frame.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from seatcore.live.protocol import Change, delta_frame, encode


@dataclass(slots=True, eq=False)
class Frame:
    """A delta covering ``from_seq..seq`` and its text."""

    from_seq: int
    seq: int
    text: str
    changes: list[Change]
    merged: dict[int, str] = field(default_factory=dict)  # texts of merges ending here, by first seq


class Gap(Exception):
    """The frames do not follow on from the client's seq: it must resync."""


def catch_up(frames: Sequence[Frame], sent_seq: int) -> tuple[str | None, int]:
    """The one text that takes a client at ``sent_seq`` through the queued ``frames``, and the seq
    it reaches; no text when the client has it all already."""
    useful = [frame for frame in frames if frame.seq > sent_seq]
    if not useful:
        return None, sent_seq
    start = sent_seq + 1
    if useful[0].from_seq > start or any(b.from_seq != a.seq + 1 for a, b in itertools.pairwise(useful)):
        raise Gap(f"frames do not follow on from seq {sent_seq}")
    last = useful[-1]
    if len(useful) == 1 and last.from_seq == start:
        return last.text, last.seq
    text = last.merged.get(start)
    if text is None:
        changes: dict[str, Change] = {}
        for frame in useful:
            for change in frame.changes:
                changes[change["seat"]] = change
        text = last.merged[start] = encode(delta_frame(start, last.seq, changes.values()))
    return text, last.seq
