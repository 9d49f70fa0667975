"""``GET /api/v1/dictionary``: the display names of the catalogue's codes (seatcore.domain.names).

The tables change only with a release, so the answer may be cached by clients for a day.
"""

from __future__ import annotations

from starlette.requests import Request

from seatcore.api._catalogue import TAG, JSONDoc
from seatcore.api._http import Answer, Endpoints
from seatcore.domain import names

endpoints = Endpoints(TAG)


class DictionaryOut(Answer):
    genres: dict[str, str]
    languages: dict[str, str]
    formats: dict[str, str]
    zones: dict[str, str]


@endpoints.get(
    "/api/v1/dictionary",
    "Display names (Chinese) of genre, language, format and price-zone codes",
    answer=DictionaryOut,
)
async def dictionary(request: Request) -> JSONDoc:
    return {kind: dict(table) for kind, table in names.TABLES.items()}
