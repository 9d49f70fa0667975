"""A staff body naming a scanned thing (a ticket at the door, an order's snacks at the counter) by
the QR code's text or by the code typed by hand: exactly one of the two."""

from __future__ import annotations

from typing import Self

from pydantic import ConfigDict, Field, model_validator

from seatcore.api._http import Body
from seatcore.domain.door import MAX_QR_CHARS


class QrOrCode(Body):
    """Subclasses narrow ``code`` to what their codes look like."""

    # The document states the one-of too, so generated clients send one or the other.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["qr"], "not": {"required": ["code"]}},
                {"required": ["code"], "not": {"required": ["qr"]}},
            ]
        }
    )
    nullable = frozenset()

    qr: str | None = Field(None, min_length=1, max_length=MAX_QR_CHARS, description="the QR code's text")
    code: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.qr is None) == (self.code is None):
            raise ValueError("send either qr or code")
        return self
