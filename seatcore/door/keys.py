"""The ticket-signing keys: Ed25519, one signing, older ones kept so issued tickets still verify.

The keys live in a folder (setting ``door_key_dir``, which must hold a key; empty:
``DATA_DIR/door-keys``, where a first key is made on first use, as the demo's secret is).
``KID.key`` is a PEM private key (PKCS#8); ``KID.pub`` a PEM public key kept after its private
half was retired, with ``KID.until`` (an ISO 8601 time) when retired by ``seatcore door-keys
rotate`` (seatcore.door.rotation): past that time its tickets are over and the key verifies
nothing more. The key id is the file's name, so rotating is: add a new ``KID.key`` (its name
sorts last, or name it in ``door_signing_key_id``); tickets signed with older keys keep verifying
as long as their ``.key`` or ``.pub`` stays in the folder (and their ``.until`` is ahead). Each
process looks at the folder again every ``RECHECK_S``, so a rotation needs no restart.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from seatcore.domain.door import (
    PassRejected,
    TicketPass,
    b64encode,
    join_text,
    signed_part,
    split_text,
    valid_key_id,
)
from seatcore.errors import SeatcoreError
from seatcore.runtime import Runtime
from seatcore.settings import Settings

log = logging.getLogger(__name__)
FIRST_KEY_ID = "k1"  # made on first use; later ids (k + UTC time) sort after it
RECHECK_S = 5.0  # how often a process looks whether the folder changed (a rotation)


class DoorKeyError(SeatcoreError):
    code = "door_keys_invalid"


@dataclass(frozen=True)
class Keyring:
    """The signing key and every public key a ticket may name."""

    signing_id: str
    signing_key: Ed25519PrivateKey
    public: dict[str, Ed25519PublicKey]
    retired_until: dict[str, datetime] = field(default_factory=dict)  # retired keys' last moment

    def usable(self, kid: str, now: datetime | None = None) -> bool:
        """A key we know whose tickets may still be valid (a retired key until its time)."""
        until = self.retired_until.get(kid)
        return kid in self.public and (until is None or (now or datetime.now(UTC)) <= until)

    def sign(self, ticket: TicketPass) -> str:
        payload = ticket.payload()
        signature = self.signing_key.sign(signed_part(self.signing_id, payload))
        return join_text(self.signing_id, payload, signature)

    def verify(self, text: str, now: datetime | None = None) -> TicketPass:
        """The pass, if ``text`` carries a good signature of a key we know and that is not past
        its retirement; else PassRejected."""
        parts = split_text(text)
        key = self.public.get(parts.key_id)
        if key is None:
            raise PassRejected("unknown_key", "this ticket was signed with a key the door does not know")
        if not self.usable(parts.key_id, now):
            raise PassRejected("key_expired", "this ticket's key was retired and its tickets are over")
        try:
            key.verify(parts.signature, parts.signed_part)
        except InvalidSignature as exc:
            raise PassRejected("bad_signature", "this ticket's signature does not match") from exc
        return TicketPass.from_payload(parts.payload)

    def public_keys(self, now: datetime | None = None) -> list[dict[str, str]]:
        """For scanners: each usable key as raw 32 bytes in base64url (WebCrypto's ``raw`` Ed25519
        form); a retired key past its time is not served, so offline doors refuse it too."""
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        return [
            {"kid": kid, "alg": "Ed25519", "public_key": b64encode(key.public_bytes(*raw))}
            for kid, key in sorted(self.public.items())
            if self.usable(kid, now)
        ]


def key_dir(settings: Settings) -> Path:
    return Path(settings.door_key_dir) if settings.door_key_dir else settings.data_dir / "door-keys"


def load_keyring(settings: Settings) -> Keyring:
    """The keys from the folder; a first key is made when the folder has none."""
    folder = key_dir(settings)
    private = {path.stem: path for path in folder.glob("*.key")} if folder.is_dir() else {}
    if not private:
        if settings.door_key_dir:
            raise DoorKeyError(f"door_key_dir {folder} holds no KID.key file to sign tickets with")
        if settings.mysql:
            # Several service machines must share one key folder, or each signs with its own key.
            log.warning("no door key configured: making one in %s (set door_key_dir in production)", folder)
        private = _first_key(folder)
    publics = {path.stem: path for path in folder.glob("*.pub")}
    keys: dict[str, Ed25519PrivateKey] = {kid: _read_private(path) for kid, path in private.items()}
    public: dict[str, Ed25519PublicKey] = {kid: key.public_key() for kid, key in keys.items()}
    for kid, path in publics.items():
        public.setdefault(kid, _read_public(path))
    signing_id = settings.door_signing_key_id or max(keys)
    if signing_id not in keys:
        raise DoorKeyError(f"door_signing_key_id {signing_id!r} has no {signing_id}.key in {folder}")
    for kid in public:
        if not valid_key_id(kid):
            raise DoorKeyError(f"door key file name {kid!r} is not a key id (letters, digits, - and _)")
    retired = {path.stem: _read_until(path) for path in folder.glob("*.until") if path.stem not in keys}
    return Keyring(signing_id, keys[signing_id], public, retired)


def new_key(folder: Path, key_id: str | None = None) -> Path:
    """Write a fresh private key ``KID.key`` (mode 600) and return its path.

    Written aside and linked into place, so a reader never sees half a key and, when two workers
    make the first key at once, one wins and the other reads the winner's (FileExistsError).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key_id or _new_id()}.key"
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    aside = folder / f".{path.name}.{os.getpid()}.tmp"
    aside.touch(mode=0o600)
    aside.write_bytes(pem)
    try:
        os.link(aside, path)
    finally:
        aside.unlink()
    return path


def _first_key(folder: Path) -> dict[str, Path]:
    with contextlib.suppress(FileExistsError):
        new_key(folder, FIRST_KEY_ID)
    return {FIRST_KEY_ID: folder / f"{FIRST_KEY_ID}.key"}


def _new_id() -> str:
    """Ids that sort by age, so the newest key signs unless the config names one."""
    return time.strftime("k%Y%m%d%H%M%S", time.gmtime())


def new_key_id(after: str) -> str:
    """A fresh id that sorts after ``after`` (two rotations in one second stay in order)."""
    kid = _new_id()
    n = 1
    while kid <= after:
        n += 1
        kid = f"{_new_id()}-{n}"
    return kid


def _read_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise DoorKeyError(f"{path} is not an Ed25519 private key")
    return key


def _read_until(path: Path) -> datetime:
    try:
        until = datetime.fromisoformat(path.read_text().strip())
    except ValueError as exc:
        raise DoorKeyError(f"{path} does not hold an ISO 8601 time") from exc
    if until.tzinfo is None:
        raise DoorKeyError(f"{path}: the time needs its offset (e.g. +00:00)")
    return until


def _read_public(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise DoorKeyError(f"{path} is not an Ed25519 public key")
    return key


@dataclass(frozen=True)
class _Loaded:
    keyring: Keyring
    stamp: tuple[tuple[str, int], ...]
    next_check: float


def folder_stamp(folder: Path) -> tuple[tuple[str, int], ...]:
    """What changes when a key is added, retired or removed: the files and their times."""
    if not folder.is_dir():
        return ()
    return tuple(
        sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir() if not p.name.startswith("."))
    )


def keyring_of(runtime: Runtime) -> Keyring:
    """The process's keyring, read again when the folder changed (looked at every ``RECHECK_S``):
    after a rotation, new passes carry the new key id within seconds, without a restart."""
    loaded: _Loaded | None = runtime.extras.get("door_keys")
    now = time.monotonic()
    if loaded is not None and now < loaded.next_check:
        return loaded.keyring
    folder = key_dir(runtime.settings)
    stamp = folder_stamp(folder)
    if loaded is None:
        keyring = load_keyring(runtime.settings)
        stamp = folder_stamp(folder)  # the first load may have made the first key
    elif stamp != loaded.stamp:
        try:
            keyring = load_keyring(runtime.settings)
        except (DoorKeyError, ValueError, OSError) as exc:
            # A folder edited by hand and left broken must not stop the door: keep the keys we had.
            log.error("the door keys changed but cannot be read, keeping the previous ones: %s", exc)
            keyring = loaded.keyring
    else:
        keyring = loaded.keyring
    runtime.extras["door_keys"] = _Loaded(keyring, stamp, now + RECHECK_S)
    return keyring
