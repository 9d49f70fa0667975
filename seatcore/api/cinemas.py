"""The public cinema catalogue: cities with cinemas, the cinemas of a city or near a point, one cinema.

A cinema answers what a list of cinemas shows: its lowest price and its formats for the rest of
today (in the cinema's time zone), and, when the caller gives a position (``lat``/``lng``, from
wx.getLocation), its distance; the list then runs nearest first. Documents are cached
(seatcore.api._catalogue says how) per hour, since today's offers shrink as showtimes start;
distances are laid over them on each read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Self
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator
from starlette.requests import Request

from seatcore.api._catalogue import TAG, CatalogueQuery, JSONDoc, digest, runtime_of
from seatcore.api._http import Answer, Endpoints, path_id
from seatcore.domain import geo, names
from seatcore.errors import NotFound
from seatcore.runtime import Runtime
from seatcore.store import catalogue as store

endpoints = Endpoints(TAG)


class CinemasQuery(CatalogueQuery):
    city: str | None = Field(None, max_length=100)
    q: str | None = Field(None, max_length=100, description="words of the name or address")
    lat: float | None = Field(None, ge=-90, le=90, description="WGS-84 degrees, with lng")
    lng: float | None = Field(None, ge=-180, le=180, description="WGS-84 degrees, with lat")

    @model_validator(mode="after")
    def _position_whole(self) -> Self:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("give both lat and lng, or neither")
        return self


class CityOut(Answer):
    city: str
    cinema_count: int


class CityList(Answer):
    items: list[CityOut]


class CinemaOut(Answer):
    id: int
    name: str
    city: str
    address: str
    timezone: str
    latitude: float | None = Field(description="WGS-84 degrees; null when not placed on the map")
    longitude: float | None
    distance_m: int | None = Field(description="metres from the given lat/lng; null without one")
    price_from_fen: int | None = Field(description="the lowest seat price of today's showtimes still to come")
    formats: list[str] = Field(description="formats of today's showtimes still to come (codes)")
    format_names: list[str] = Field(description="their display names (GET /api/v1/dictionary)")


class CinemaList(Answer):
    items: list[CinemaOut]


async def _cinema_docs(runtime: Runtime, cinemas: Sequence[store.Cinema]) -> list[JSONDoc]:
    """The cinemas' documents with today's lowest price and formats (distance still null)."""
    now = dt.datetime.now(dt.UTC)
    offers = await store.offers_between(runtime.db, [c.id for c in cinemas], now, now + dt.timedelta(days=2))
    documents = []
    for cinema in cinemas:
        zone = ZoneInfo(cinema.timezone)
        today = now.astimezone(zone).date()
        todays = [
            o for o in offers if o.cinema_id == cinema.id and o.starts_at.astimezone(zone).date() == today
        ]
        prices = [fen for offer in todays for fen in offer.prices.values()]
        formats = sorted({offer.format for offer in todays})
        documents.append(
            CinemaOut(
                id=cinema.id,
                name=cinema.name,
                city=cinema.city,
                address=cinema.address,
                timezone=cinema.timezone,
                latitude=cinema.latitude,
                longitude=cinema.longitude,
                distance_m=None,
                price_from_fen=min(prices, default=None),
                formats=formats,
                format_names=names.names_of(names.FORMATS, formats),
            ).model_dump(mode="json")
        )
    return documents


def _hour_key() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d%H")


def _nearest_first(documents: list[JSONDoc], lat: float, lng: float) -> list[JSONDoc]:
    """Distances laid over (cached) documents, nearest first; cinemas not on the map come last."""
    for document in documents:
        if document["latitude"] is not None and document["longitude"] is not None:
            document["distance_m"] = geo.distance_m(lat, lng, document["latitude"], document["longitude"])
    unplaced = geo.EARTH_RADIUS_M * 4  # farther than any distance on Earth
    return sorted(documents, key=lambda d: d["distance_m"] if d["distance_m"] is not None else unplaced)


@endpoints.get("/api/v1/cities", "Cities with cinemas, with how many each has", answer=CityList)
async def list_cities(request: Request) -> JSONDoc:
    runtime = runtime_of(request)

    async def load() -> list[JSONDoc]:
        return [
            {"city": city, "cinema_count": count} for city, count in await store.cities(runtime.reports_db)
        ]

    return {"items": await runtime.cache.get_or_load("cities", load)}


@endpoints.get(
    "/api/v1/cinemas",
    "Cinemas of a city or matching words; with lat/lng, each with its distance, nearest first",
    query=CinemasQuery,
    answer=CinemaList,
)
async def list_cinemas(request: Request, query: CinemasQuery) -> JSONDoc:
    runtime = runtime_of(request)

    async def load() -> list[JSONDoc]:
        return await _cinema_docs(runtime, await store.list_cinemas(runtime.reports_db, query.city, query.q))

    key = f"cinemas:{digest({'city': query.city, 'q': query.q, 'hour': _hour_key()})}"
    documents: list[JSONDoc] = await runtime.cache.get_or_load(key, load)
    if query.lat is not None and query.lng is not None:
        documents = _nearest_first(documents, query.lat, query.lng)
    return {"items": documents}


@endpoints.get("/api/v1/cinemas/{id:int}", "One cinema", answer=CinemaOut)
async def cinema_detail(request: Request) -> JSONDoc:
    runtime = runtime_of(request)
    cinema_id = path_id(request)

    async def load() -> JSONDoc:
        cinema = await store.get_cinema(runtime.reports_db, cinema_id)
        if cinema is None:
            raise NotFound("no such cinema", cinema_id=cinema_id)
        return (await _cinema_docs(runtime, [cinema]))[0]

    document: JSONDoc = await runtime.cache.get_or_load(f"cinema:{cinema_id}:{_hour_key()}", load)
    return document
