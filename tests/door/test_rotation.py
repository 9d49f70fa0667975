"""Rotating the signing key: new passes name the new key, passes issued before still check in,
scanners get both public keys, and a retired key verifies nothing once its time is past."""

from __future__ import annotations

import asyncio
import datetime as dt
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from seatcore import cli
from seatcore.domain.door import PassRejected, TicketPass
from seatcore.door import keys as door_keys
from seatcore.door.keys import DoorKeyError, key_dir, load_keyring
from seatcore.door.rotation import key_states, rotate
from seatcore.settings import Settings
from tests.door.conftest import Door

START = datetime(2026, 12, 4, 19, 30, tzinfo=UTC)
TICKET = TicketPass(
    "ABCD2345EF", 42, 7, "Hall 1", ("C-7",), START - timedelta(hours=1), START + timedelta(hours=1)
)


def test_rotation_keeps_old_passes_until_the_retired_key_expires(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)  # type: ignore[call-arg]
    before = load_keyring(settings)
    old_pass = before.sign(TICKET)
    until = START + timedelta(hours=2)
    kid, retired = rotate(settings, until)
    assert retired == ["k1"] and kid > "k1"

    after = load_keyring(settings)
    assert after.signing_id == kid and after.sign(TICKET).startswith(f"SC1.{kid}.")
    assert after.verify(old_pass, now=START) == TICKET
    assert [k["kid"] for k in after.public_keys(now=START)] == ["k1", kid]
    folder = key_dir(settings)
    assert not (folder / "k1.key").exists() and (folder / "k1.pub").exists()  # the private half is gone

    late = until + timedelta(seconds=1)
    with pytest.raises(PassRejected) as refused:
        after.verify(old_pass, now=late)
    assert refused.value.reason == "key_expired"
    assert [k["kid"] for k in after.public_keys(now=late)] == [kid]
    assert after.verify(after.sign(TICKET), now=late) == TICKET  # the signing key never expires
    states = {k.kid: k.state for k in key_states(settings, now=late)}
    assert states == {"k1": "expired", kid: "signing"}

    again, retired = rotate(settings, until)  # a second rotation retires the second key too
    assert again > kid and retired == [kid]
    assert load_keyring(settings).verify(old_pass, now=START) == TICKET


def test_a_pinned_signing_key_is_not_rotated(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, door_signing_key_id="k1")  # type: ignore[call-arg]
    load_keyring(settings)
    with pytest.raises(DoorKeyError):
        rotate(settings, START)


async def test_rotating_from_the_command_line(
    door: Door, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(door_keys, "RECHECK_S", 0.0)  # the service sees the folder change at once
    first, second, third = await door.sell("E-1", "E-2", "E-3")
    issued_before = {code: await door.qr(code) for code in (first, third)}
    assert all(qr.startswith("SC1.k1.") for qr in issued_before.values())

    base = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    with pytest.raises(SystemExit) as done:
        await asyncio.to_thread(cli.main, [*base, "door-keys", "rotate"])
    assert done.value.code == 0
    printed = capsys.readouterr().out
    assert "new signing key k20" in printed and "retired k1" in printed
    kid = printed.split("new signing key ")[1].split()[0]

    new_pass = await door.qr(second)
    assert new_pass.startswith(f"SC1.{kid}.")  # new tickets carry the new key id
    kit = await door.client.get("/api/v1/staff/door/keys", headers=door.staff)
    assert kit.json()["signing_key_id"] == kid
    assert [k["kid"] for k in kit.json()["keys"]] == ["k1", kid]  # scanners still get the old key
    admitted = await door.scan({"qr": issued_before[first]})  # signed before the rotation
    assert admitted.status_code == 200, admitted.text
    assert (await door.scan({"qr": new_pass})).status_code == 200

    # The retired key's time runs out (as if the schedule's last showtime were over).
    folder = key_dir(settings)
    (folder / "k1.until").write_text((datetime.now(UTC) - dt.timedelta(minutes=1)).isoformat())
    refused = await door.scan({"qr": issued_before[third]})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["reason"] == "key_expired"
    kit = await door.client.get("/api/v1/staff/door/keys", headers=door.staff)
    assert [k["kid"] for k in kit.json()["keys"]] == [kid]

    with pytest.raises(SystemExit):
        await asyncio.to_thread(cli.main, [*base, "door-keys", "list"])
    listed = capsys.readouterr().out
    assert f"{kid:<20} signing" in listed and "k1" in listed and "expired" in listed


async def test_a_broken_key_folder_keeps_the_keys_in_use(
    door: Door, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(door_keys, "RECHECK_S", 0.0)
    (code,) = await door.sell("F-1")
    qr = await door.qr(code)
    (key_dir(settings) / "kzz.key").write_text("not a key")  # a hand edit gone wrong
    assert (await door.client.get("/api/v1/staff/door/keys", headers=door.staff)).status_code == 200
    assert (await door.scan({"qr": qr})).status_code == 200
