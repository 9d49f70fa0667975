import time

import pytest

from seatcore.auth.principal import Principal
from seatcore.auth.tokens import TokenIssuer
from seatcore.errors import Unauthorized

SECRET = "unit-test-secret-0123456789abcdefgh"


def test_a_remembered_token_is_checked_again_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = TokenIssuer(SECRET, ttl_s=60)
    token = issuer.issue(Principal(kind="user", id=7, role="moviegoer"))
    decoded: list[str] = []
    real_decode = issuer._decode

    def counting_decode(text: str) -> tuple[Principal, int]:
        decoded.append(text)
        return real_decode(text)

    monkeypatch.setattr(issuer, "_decode", counting_decode)
    assert issuer.verify(token).id == 7
    assert issuer.verify(token).id == 7
    assert len(decoded) == 1  # the second call was served from the cache
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    issuer.verify(token)
    assert len(decoded) == 2  # past its expiry the cache no longer vouches for it


def test_a_token_signed_with_another_secret_is_refused_every_time() -> None:
    forged = TokenIssuer("another-secret-0123456789abcdefghij", ttl_s=60).issue(
        Principal(kind="staff", id=1, role="admin")
    )
    issuer = TokenIssuer(SECRET, ttl_s=60)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            issuer.verify(forged)
