"""Signed tickets: what a scanner accepts and refuses, and keys that rotate (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from seatcore.domain.door import PassRejected, TicketPass, b64decode, b64encode, window_problem
from seatcore.door.keys import DoorKeyError, load_keyring, new_key
from seatcore.settings import Settings

START = datetime(2026, 12, 4, 19, 30, tzinfo=UTC)
TICKET = TicketPass(
    "ABCD2345EF", 42, 7, "Hall 1", ("C-7",), START - timedelta(hours=1), START + timedelta(hours=1)
)


def settings_in(folder: Path, **values: object) -> Settings:
    return Settings(data_dir=folder, **values)  # type: ignore[arg-type]


def test_a_signed_ticket_verifies_and_round_trips(tmp_path: Path) -> None:
    keyring = load_keyring(settings_in(tmp_path))
    text = keyring.sign(TICKET)
    assert text.startswith("SC1.k1.") and len(text) < 260  # small enough for a quick QR
    assert keyring.verify(text) == TICKET
    assert (tmp_path / "door-keys" / "k1.key").stat().st_mode & 0o777 == 0o600


def test_a_tampered_payload_is_refused(tmp_path: Path) -> None:
    keyring = load_keyring(settings_in(tmp_path))
    prefix, kid, payload, signature = keyring.sign(TICKET).split(".")
    other_seat = b64decode(payload).replace(b"C-7", b"C-8")
    with pytest.raises(PassRejected) as refused:
        keyring.verify(".".join([prefix, kid, b64encode(other_seat), signature]))
    assert refused.value.reason == "bad_signature"


def test_a_ticket_signed_with_another_key_is_refused(tmp_path: Path) -> None:
    ours = load_keyring(settings_in(tmp_path / "ours"))
    forger = load_keyring(settings_in(tmp_path / "forger"))  # also calls its key k1
    with pytest.raises(PassRejected) as refused:
        ours.verify(forger.sign(TICKET))
    assert refused.value.reason == "bad_signature"


def test_an_unknown_key_id_is_refused(tmp_path: Path) -> None:
    keyring = load_keyring(settings_in(tmp_path))
    _, _, payload, signature = keyring.sign(TICKET).split(".")
    with pytest.raises(PassRejected) as refused:
        keyring.verify(f"SC1.k9.{payload}.{signature}")
    assert refused.value.reason == "unknown_key"


@pytest.mark.parametrize("text", ["", "hello", "SC1.k1.abc", "SC1.k1.!!.??", "SC1.k 1.YQ.YQ", "x" * 5000])
def test_garbage_is_malformed(tmp_path: Path, text: str) -> None:
    with pytest.raises(PassRejected) as refused:
        load_keyring(settings_in(tmp_path)).verify(text)
    assert refused.value.reason in ("malformed", "bad_signature")


def test_the_window_opens_before_the_start_and_expires_after(tmp_path: Path) -> None:
    assert window_problem(TICKET, START - timedelta(minutes=61)) == "too_early"
    assert window_problem(TICKET, START - timedelta(minutes=59)) is None
    assert window_problem(TICKET, START + timedelta(minutes=59)) is None
    assert window_problem(TICKET, START + timedelta(minutes=61)) == "expired"


def test_after_rotation_old_tickets_still_verify_and_new_ones_use_the_new_key(tmp_path: Path) -> None:
    before = load_keyring(settings_in(tmp_path))
    old_ticket = before.sign(TICKET)
    new_key(tmp_path / "door-keys", "k20270101000000")
    after = load_keyring(settings_in(tmp_path))
    assert after.signing_id == "k20270101000000"
    assert after.verify(old_ticket) == TICKET
    assert after.sign(TICKET).startswith("SC1.k20270101000000.")
    assert [key["kid"] for key in after.public_keys()] == ["k1", "k20270101000000"]


def test_a_retired_key_kept_as_public_only_still_verifies(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    folder = tmp_path / "keys"
    old = load_keyring(settings_in(tmp_path, door_key_dir=str(new_key(folder, "k1").parent)))
    old_ticket = old.sign(TICKET)
    pem = old.signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (folder / "k1.pub").write_bytes(pem)
    (folder / "k1.key").unlink()
    new_key(folder, "k2")
    rotated = load_keyring(settings_in(tmp_path, door_key_dir=str(folder)))
    assert rotated.signing_id == "k2" and rotated.verify(old_ticket) == TICKET


def test_a_configured_folder_without_keys_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DoorKeyError):
        load_keyring(settings_in(tmp_path, door_key_dir=str(tmp_path / "empty")))
    new_key(tmp_path / "empty", "k1")
    with pytest.raises(DoorKeyError):
        load_keyring(settings_in(tmp_path, door_key_dir=str(tmp_path / "empty"), door_signing_key_id="k7"))
