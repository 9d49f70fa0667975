"""The public cinema catalogue: cities with cinemas, the cinemas of a city, one cinema.

All three reads are cached whole (seatcore.api._catalogue says how); nothing is laid over them.
"""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request

from seatcore.api._catalogue import TAG, CatalogueQuery, JSONDoc, digest, runtime_of
from seatcore.api._http import Answer, Endpoints, path_id
from seatcore.errors import NotFound
from seatcore.store import catalogue as store

endpoints = Endpoints(TAG)


class CinemasQuery(CatalogueQuery):
    city: str | None = Field(None, max_length=100)


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


class CinemaList(Answer):
    items: list[CinemaOut]


def _cinema_doc(cinema: store.Cinema) -> JSONDoc:
    return CinemaOut(
        id=cinema.id, name=cinema.name, city=cinema.city, address=cinema.address, timezone=cinema.timezone
    ).model_dump(mode="json")


@endpoints.get("/api/v1/cities", "Cities with cinemas, with how many each has", answer=CityList)
async def list_cities(request: Request) -> JSONDoc:
    runtime = runtime_of(request)

    async def load() -> list[JSONDoc]:
        return [{"city": city, "cinema_count": count} for city, count in await store.cities(runtime.db)]

    return {"items": await runtime.cache.get_or_load("cities", load)}


@endpoints.get("/api/v1/cinemas", "Cinemas, optionally of one city", query=CinemasQuery, answer=CinemaList)
async def list_cinemas(request: Request, query: CinemasQuery) -> JSONDoc:
    runtime = runtime_of(request)

    async def load() -> list[JSONDoc]:
        return [_cinema_doc(cinema) for cinema in await store.list_cinemas(runtime.db, query.city)]

    return {"items": await runtime.cache.get_or_load(f"cinemas:{digest({'city': query.city})}", load)}


@endpoints.get("/api/v1/cinemas/{id:int}", "One cinema", answer=CinemaOut)
async def cinema_detail(request: Request) -> JSONDoc:
    runtime = runtime_of(request)
    cinema_id = path_id(request)

    async def load() -> JSONDoc:
        cinema = await store.get_cinema(runtime.db, cinema_id)
        if cinema is None:
            raise NotFound("no such cinema", cinema_id=cinema_id)
        return _cinema_doc(cinema)

    document: JSONDoc = await runtime.cache.get_or_load(f"cinema:{cinema_id}", load)
    return document
