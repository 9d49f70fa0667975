"""What a socket is sent when it is exactly in step, behind, or past the start of a frame."""

from __future__ import annotations

import orjson
import pytest

from seatcore.live.frames import Frame, Gap, catch_up
from seatcore.live.protocol import Change, delta_frame, encode


def frame(from_seq: int, seq: int, *changes: Change) -> Frame:
    return Frame(from_seq, seq, encode(delta_frame(from_seq, seq, changes)), list(changes))


HELD: Change = {"seat": "A-1", "state": "held", "hold_id": "7-a"}
FREE: Change = {"seat": "A-1", "state": "free"}
SOLD: Change = {"seat": "B-2", "state": "sold"}


def test_a_client_in_step_gets_the_shared_text() -> None:
    first = frame(5, 5, HELD)
    text, seq = catch_up([first], 4)
    assert text is first.text and seq == 5


def test_frames_the_client_has_are_not_sent_again() -> None:
    assert catch_up([frame(3, 4, HELD), frame(5, 5, FREE)], 5) == (None, 5)


def test_a_frame_begun_before_the_client_is_trimmed_to_what_it_lacks() -> None:
    text, seq = catch_up([frame(3, 6, HELD, SOLD)], 4)
    assert seq == 6 and text is not None
    assert orjson.loads(text) == {"type": "delta", "from_seq": 5, "seq": 6, "changes": [HELD, SOLD]}


def test_a_backlog_goes_as_one_delta_of_final_states_encoded_once() -> None:
    backlog = [frame(5, 5, HELD), frame(6, 7, SOLD), frame(8, 8, FREE)]
    text, seq = catch_up(backlog, 4)
    assert seq == 8 and text is not None
    assert orjson.loads(text) == {"type": "delta", "from_seq": 5, "seq": 8, "changes": [FREE, SOLD]}
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
