"""docs/waiting-room.md prints the socket's schemas: it must print them as the code has them."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from seatcore.waitingroom.protocol import SCHEMAS

DOC = Path(__file__).resolve().parents[2] / "docs" / "waiting-room.md"


def test_the_documented_schemas_are_the_code_s() -> None:
    blocks = [orjson.loads(block) for block in re.findall(r"```json\n(.*?)\n```", DOC.read_text(), re.DOTALL)]
    assert [block for block in blocks if "$schema" in block] == list(SCHEMAS.values())
