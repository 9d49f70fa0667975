"""What the public catalogue modules (movies, cinemas, showtimes) share.

Hot reads go through the Redis cache (seatcore.cache) and are dropped when the catalogue changes
(seatcore.store.catalogue.catalogue_changed). What moves without a catalogue change is laid over
the cached documents on every read: want-to-see counts (seatcore.api.movies), free seats and
whether a showtime still sells (seatcore.api.showtimes).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.requests import Request

from seatcore.api._http import Query
from seatcore.runtime import Runtime

TAG = "catalogue"  # the OpenAPI tag of every public catalogue endpoint
JSONDoc = dict[str, Any]


class CatalogueQuery(Query):
    """Query strings where an empty parameter (``?q=``) means the parameter is absent."""

    empty_is_absent = True


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def digest(params: JSONDoc) -> str:
    """A short, stable cache-key part for a set of query parameters."""
    return hashlib.blake2b(orjson.dumps(params, option=orjson.OPT_SORT_KEYS), digest_size=12).hexdigest()
