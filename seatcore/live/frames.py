"""Deltas as the hub hands them to sockets: encoded once per kind of reader, then trimmed or
merged for a socket that is not exactly where the frame starts.

A hold's id goes only to its owner: other watchers see the seat ``held`` and nothing more, so
nobody can tell which seats were bought together. A frame is therefore encoded once without hold
ids, the text every other socket shares, and once more for each moviegoer with a hold in it
(usually one), with their own hold ids kept; a socket picks its text with one lookup.

A socket whose writer fell behind (the process was busy, or the phone reads slowly) finds several
frames queued. They are sent as one delta covering them all: their changes are final states, so
the last change of each seat is all the client needs. Every socket behind by the same frames gets
the same merge (or its owner's version of it), so it is encoded once too and kept on the last frame.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from seatcore.bounds import parse_id
from seatcore.live.protocol import Change, SeatState, delta_frame, encode
from seatcore.types import UserId


@dataclass(frozen=True, slots=True)
class SeatChange:
    """One seat's new state as the engine logged it: a held seat with its hold and the hold's owner."""

    seat: str
    state: SeatState
    hold_id: str | None = None
    owner: UserId | None = None

    @classmethod
    def from_engine(cls, raw: Mapping[str, Any]) -> SeatChange:
        """A change object of the engine's log or channel (docs/seat-engine.md)."""
        hold_id, owner = raw.get("hold_id"), raw.get("user")
        return cls(
            str(raw["seat"]),
            raw["state"],
            None if hold_id is None else str(hold_id),
            None if owner is None else parse_id(str(owner)),  # the scripts write it as text
        )

    def wire(self, viewer: UserId | None) -> Change:
        """The change as ``viewer`` is sent it: the hold id only to the hold's owner."""
        change: Change = {"seat": self.seat, "state": self.state}
        if self.hold_id is not None and viewer is not None and self.owner == viewer:
            change["hold_id"] = self.hold_id
        return change


def delta_text(from_seq: int, seq: int, changes: Iterable[SeatChange], viewer: UserId | None) -> str:
    return encode(delta_frame(from_seq, seq, [change.wire(viewer) for change in changes]))


def owners(changes: Iterable[SeatChange]) -> set[UserId]:
    return {change.owner for change in changes if change.owner is not None and change.hold_id is not None}


@dataclass(slots=True, eq=False)
class Frame:
    """A delta covering ``from_seq..seq``: its text for everyone, and for each owner of a hold in it."""

    from_seq: int
    seq: int
    changes: list[SeatChange]
    text: str = ""
    own_texts: dict[UserId, str] = field(default_factory=dict)
    # texts of merges ending here, by first seq and by viewer (None: everyone but an owner)
    merged: dict[tuple[int, UserId | None], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.text = delta_text(self.from_seq, self.seq, self.changes, None)
        self.own_texts = {
            owner: delta_text(self.from_seq, self.seq, self.changes, owner) for owner in owners(self.changes)
        }

    def text_for(self, viewer: UserId | None) -> str:
        return self.text if viewer is None else self.own_texts.get(viewer, self.text)


class Gap(Exception):
    """The frames do not follow on from the client's seq: it must resync."""


def catch_up(frames: Sequence[Frame], sent_seq: int, viewer: UserId | None = None) -> tuple[str | None, int]:
    """The one text that takes ``viewer``'s client at ``sent_seq`` through the queued ``frames``,
    and the seq it reaches; no text when the client has it all already."""
    useful = [frame for frame in frames if frame.seq > sent_seq]
    if not useful:
        return None, sent_seq
    start = sent_seq + 1
    if useful[0].from_seq > start or any(b.from_seq != a.seq + 1 for a, b in itertools.pairwise(useful)):
        raise Gap(f"frames do not follow on from seq {sent_seq}")
    last = useful[-1]
    if len(useful) == 1 and last.from_seq == start:
        return last.text_for(viewer), last.seq
    if viewer is not None and not any(viewer in frame.own_texts for frame in useful):
        viewer = None  # nothing of theirs in it: the text everyone shares
    text = last.merged.get((start, viewer))
    if text is None:
        changes: dict[str, SeatChange] = {}
        for frame in useful:
            for change in frame.changes:
                changes[change.seat] = change
        text = last.merged[start, viewer] = delta_text(start, last.seq, changes.values(), viewer)
    return text, last.seq
