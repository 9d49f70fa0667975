"""What a socket is sent when it is exactly in step, behind, or past the start of a frame, and
which hold ids it is sent: only those of its own moviegoer's holds."""

from __future__ import annotations

import orjson
import pytest

from seatcore.live.frames import Frame, Gap, SeatChange, catch_up
from seatcore.live.protocol import Change


def frame(from_seq: int, seq: int, *changes: SeatChange) -> Frame:
    return Frame(from_seq, seq, list(changes))


OWNER = 31
HELD = SeatChange("A-1", "held", "7-a", OWNER)
FREE = SeatChange("A-1", "free")
SOLD = SeatChange("B-2", "sold")
HELD_SEEN: Change = {"seat": "A-1", "state": "held"}  # as everyone but the owner sees it
HELD_OWN: Change = {"seat": "A-1", "state": "held", "hold_id": "7-a"}
FREE_SEEN: Change = {"seat": "A-1", "state": "free"}
SOLD_SEEN: Change = {"seat": "B-2", "state": "sold"}


def test_a_client_in_step_gets_the_shared_text() -> None:
    first = frame(5, 5, HELD)
    text, seq = catch_up([first], 4)
    assert text is first.text and seq == 5
    assert catch_up([first], 4, 99)[0] is first.text  # someone else's hold: the same shared text
    assert orjson.loads(first.text)["changes"] == [HELD_SEEN]


def test_only_the_owner_is_sent_the_hold_id() -> None:
    first = frame(5, 5, HELD, SOLD)
    own, _ = catch_up([first], 4, OWNER)
    assert own is first.own_texts[OWNER]
    assert orjson.loads(own or "{}")["changes"] == [HELD_OWN, SOLD_SEEN]
    assert set(first.own_texts) == {OWNER}  # one more text per owner, not per socket


def test_a_merge_keeps_the_owners_hold_id_for_the_owner_only() -> None:
    backlog = [frame(5, 5, HELD), frame(6, 6, SOLD)]
    everyone, _ = catch_up(backlog, 4, 99)
    assert orjson.loads(everyone or "{}")["changes"] == [HELD_SEEN, SOLD_SEEN]
    assert catch_up(backlog, 4)[0] is everyone  # anonymous and other moviegoers share it
    own, _ = catch_up(backlog, 4, OWNER)
    assert orjson.loads(own or "{}")["changes"] == [HELD_OWN, SOLD_SEEN]


def test_engine_changes_are_read_with_their_owner() -> None:
    raw = {"seat": "A-1", "state": "held", "hold_id": "7-a", "user": str(OWNER)}
    assert SeatChange.from_engine(raw) == HELD
    assert SeatChange.from_engine({"seat": "A-1", "state": "free"}) == FREE
    assert SeatChange.from_engine({**raw, "user": "²"}).owner is None  # never trusted blindly


def test_frames_the_client_has_are_not_sent_again() -> None:
    assert catch_up([frame(3, 4, HELD), frame(5, 5, FREE)], 5) == (None, 5)


def test_a_frame_begun_before_the_client_is_trimmed_to_what_it_lacks() -> None:
    text, seq = catch_up([frame(3, 6, HELD, SOLD)], 4)
    assert seq == 6 and text is not None
    assert orjson.loads(text) == {"type": "delta", "from_seq": 5, "seq": 6, "changes": [HELD_SEEN, SOLD_SEEN]}


def test_a_backlog_goes_as_one_delta_of_final_states_encoded_once() -> None:
    backlog = [frame(5, 5, HELD), frame(6, 7, SOLD), frame(8, 8, FREE)]
    text, seq = catch_up(backlog, 4)
    assert seq == 8 and text is not None
    assert orjson.loads(text) == {"type": "delta", "from_seq": 5, "seq": 8, "changes": [FREE_SEEN, SOLD_SEEN]}
    again, _ = catch_up(backlog, 4)
    assert again is text  # every socket behind by the same frames shares the merge
    later, _ = catch_up(backlog, 5)
    assert later is not text and orjson.loads(later or "{}")["from_seq"] == 6


@pytest.mark.parametrize(
    ("frames", "sent"),
    [
        ([frame(6, 6, HELD)], 4),  # seq 5 never came
        ([frame(5, 5, HELD), frame(7, 7, FREE)], 4),  # a hole between two queued frames
    ],
)
def test_frames_that_do_not_follow_on_mean_resync(frames: list[Frame], sent: int) -> None:
    with pytest.raises(Gap):
        catch_up(frames, sent)
