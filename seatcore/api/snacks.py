"""A cinema's snack menu for moviegoers: items and combos on sale, in the cinema's order, with
what is left of each (docs/snacks.md). Bought with POST /api/v1/orders (``snacks``)."""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request

from seatcore.api._http import Answer, Endpoints, path_id
from seatcore.domain.snacks import Snack, SnackKind
from seatcore.errors import NotFound
from seatcore.runtime import Runtime
from seatcore.snacks.stock import stock_of
from seatcore.store import snacks as store

endpoints = Endpoints("snacks")


class ComboPartOut(Answer):
    name: str
    qty: int


class SnackOut(Answer):
    id: int
    kind: SnackKind
    name: str
    description: str
    price_fen: int
    picture_url: str | None
    stock_left: int | None = Field(description="what is left now; null: no stock limit")
    contents: list[ComboPartOut] = Field(description="what a combo holds; [] for an item")


class SnackMenu(Answer):
    items: list[SnackOut]


def snack_out(snack: Snack, left: int | None) -> SnackOut:
    return SnackOut(
        id=snack.id,
        kind=snack.kind,
        name=snack.name,
        description=snack.description,
        price_fen=snack.price_fen,
        picture_url=snack.picture_url or None,
        stock_left=left,
        contents=[ComboPartOut(name=part.name, qty=part.qty) for part in snack.contents],
    )


@endpoints.get(
    "/api/v1/cinemas/{id:int}/snacks",
    "The cinema's snacks on sale, in menu order, with the stock left",
    answer=SnackMenu,
    errors=(404,),
)
async def cinema_snacks(request: Request) -> SnackMenu:
    runtime: Runtime = request.app.state.runtime
    cinema_id = path_id(request)
    if await store.cinema_timezone(runtime.db, cinema_id) is None:
        raise NotFound("no such cinema", cinema_id=cinema_id)
    menu = await store.for_cinema(runtime.db, cinema_id, on_sale_only=True)
    left = await stock_of(runtime).left(cinema_id, [snack.id for snack in menu])
    return SnackMenu(items=[snack_out(snack, left.get(snack.id)) for snack in menu])
