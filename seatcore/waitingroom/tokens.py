"""Admission tokens: ``SHOWTIME.USER.EXPIRES_MS.SIGNATURE``, an HMAC-SHA256 with a key derived
from the service's secret, so every process verifies what any process issued."""

from __future__ import annotations

import hashlib
import hmac

from seatcore.errors import Forbidden

MAX_TOKEN_CHARS = 200


class AdmissionRequired(Forbidden):
    code = "admission_required"


class AdmissionTokens:
    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"seatcore waiting room", hashlib.sha256).digest()

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()

    def issue(self, showtime_id: int, user_id: int, expires_ms: int) -> str:
        body = f"{showtime_id}.{user_id}.{expires_ms}"
        return f"{body}.{self._sign(body)}"

    def check(self, token: str | None, showtime_id: int, user_id: int, now_ms: int) -> None:
        """AdmissionRequired unless ``token`` admits this user to this showtime now."""
        if not token:
            raise AdmissionRequired("this showtime's sale goes through its waiting room: join the line")
        if len(token) > MAX_TOKEN_CHARS or not token.isascii():
            raise AdmissionRequired("the admission token is not valid")
        body, _, signature = token.rpartition(".")
        parts = body.split(".")
        if len(parts) != 3 or not hmac.compare_digest(self._sign(body), signature):
            raise AdmissionRequired("the admission token is not valid")
        if parts[0] != str(showtime_id) or parts[1] != str(user_id):
            raise AdmissionRequired("the admission token is for another showtime or moviegoer")
        if not parts[2].isdigit() or int(parts[2]) <= now_ms:
            raise AdmissionRequired("the admission token has expired: join the line again")
