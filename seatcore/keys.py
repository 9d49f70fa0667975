"""Every Redis key seatcore uses, in one place.

Keys of one showtime share the hash tag ``{show:ID}`` so that all of a showtime's keys land in
one Redis Cluster slot and a script can touch them together.
"""

from __future__ import annotations

CATALOGUE_GENERATION = "sc:cache:gen"


def catalogue_cache(generation: str, name: str) -> str:
    return f"sc:cache:{generation}:{name}"


def rate_limit(bucket: str, who: str, window: int) -> str:
    return f"sc:rl:{bucket}:{who}:{window}"


def show_tag(showtime_id: int) -> str:
    return f"{{show:{showtime_id}}}"
