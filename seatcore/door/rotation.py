"""Rotating the ticket-signing key: ``seatcore door-keys rotate`` and ``seatcore door-keys list``.

Rotating makes a new key that signs every pass issued from then on, and retires the keys that
signed before: each keeps only its public half (``KID.pub``) and the moment its passes are over
(``KID.until``), so tickets already issued still verify, online and at offline doors (the public
key stays in the scanners' key list), until then; past it the key verifies nothing more. A pass
is valid until its showtime's door closes, so that moment is the door's closing after the latest
showtime in the schedule (or now, with none), plus ``GRACE``. The private half of a retired key
is deleted: nothing needs it any more, and a key that no longer exists cannot leak.

The running service looks at the folder every few seconds (seatcore.door.keys.RECHECK_S): new
passes carry the new key id without a restart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select

from seatcore.door.keys import DoorKeyError, key_dir, load_keyring, new_key, new_key_id
from seatcore.settings import Settings

GRACE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class KeyState:
    kid: str
    state: str  # signing | verifying (private half kept) | retired | expired
    until: datetime | None  # retired keys: the last moment their passes verify


def key_states(settings: Settings, now: datetime | None = None) -> list[KeyState]:
    keyring = load_keyring(settings)
    now = now or datetime.now(UTC)
    folder = key_dir(settings)
    states = []
    for kid in sorted(keyring.public):
        until = keyring.retired_until.get(kid)
        if kid == keyring.signing_id:
            state = "signing"
        elif until is not None:
            state = "retired" if now <= until else "expired"
        else:
            state = "verifying" if (folder / f"{kid}.key").exists() else "retired"
        states.append(KeyState(kid, state, until))
    return states


def rotate(settings: Settings, until: datetime) -> tuple[str, list[str]]:
    """Make a new signing key and retire the others until ``until``; answers the new id and the
    retired ones. Files are written before the old private keys go, so a process reading the
    folder halfway sees every key it needs."""
    if settings.door_signing_key_id:
        raise DoorKeyError(
            f"door_signing_key_id pins {settings.door_signing_key_id!r}: unset it to rotate "
            "(the newest key signs), or rotate by hand as docs/door.md says"
        )
    folder = key_dir(settings)
    keyring = load_keyring(settings)  # makes the first key of an empty default folder
    old = sorted(path.stem for path in folder.glob("*.key"))
    kid = new_key_id(max([*keyring.public, *old]))
    for retiring in old:
        public = keyring.public[retiring].public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _write(folder / f"{retiring}.pub", public)
        _write(folder / f"{retiring}.until", until.astimezone(UTC).isoformat().encode())
    new_key(folder, kid)
    for retiring in old:
        (folder / f"{retiring}.key").unlink()
    return kid, old


def _write(path: Path, data: bytes) -> None:
    aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    aside.write_bytes(data)
    aside.replace(path)


async def _latest_start(settings: Settings) -> datetime | None:
    from seatcore.db.engine import create_db_engine
    from seatcore.db.schema import showtimes
    from seatcore.store._time import from_db

    db = create_db_engine(settings)
    try:
        async with db.connect() as conn:
            latest = (await conn.execute(select(func.max(showtimes.c.starts_at)))).scalar()
    finally:
        await db.dispose()
    return from_db(latest) if latest is not None else None


def retire_until(settings: Settings, now: datetime) -> datetime:
    """When the passes signed so far are all over: the door's closing after the latest showtime."""
    latest = asyncio.run(_latest_start(settings))
    last = max(now, latest) if latest is not None else now
    return last + timedelta(minutes=settings.door_closes_after_min) + GRACE


# ------------------------------------------------------------------------------------- command


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("door-keys", help="the ticket-signing keys: list, rotate (docs/door.md)")
    action = keys.add_subparsers(dest="door_keys_command", required=True)
    action.add_parser("list", help="every key: signing, verifying, retired (until when) or expired")
    action.add_parser("rotate", help="a new signing key; the old ones verify until their tickets are over")


def run(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    if args.door_keys_command == "rotate":
        until = retire_until(settings, now)
        kid, retired = rotate(settings, until)
        print(f"new signing key {kid} in {key_dir(settings)}")
        for old in retired:
            print(f"retired {old}: its tickets verify until {until.isoformat()}")
        print("running services sign with it within a few seconds; scanners get it with their keys")
        return 0
    for key in key_states(settings, now):
        shown = f"  until {key.until.isoformat()}" if key.until else ""
        print(f"{key.kid:<20} {key.state}{shown}")
    return 0
