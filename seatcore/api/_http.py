"""The edge: declared endpoints, body and query parsing, JSON answers and the error shape.

An endpoint is declared with the models it reads and answers, so the OpenAPI document
(seatcore.api.openapi) is built from the same declarations that parse the requests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from seatcore.auth.principal import Principal, authenticated
from seatcore.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    ValidationFailed,
)

# none: public; optional: token read if sent; any: signed in; user / staff / admin: that kind.
Auth = Literal["none", "optional", "any", "user", "staff", "admin"]
Handler = Callable[..., Awaitable[Any]]
M = TypeVar("M", bound=BaseModel)
MAX_ID = 2**53


class Body(BaseModel):
    """Base for request bodies: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", str_max_length=2000)

    def sent(self, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The fields the client sent (a partial update); null is refused except for ``nullable``."""
        fields = self.model_dump(exclude_unset=True)
        nulls = sorted(name for name, value in fields.items() if value is None and name not in nullable)
        if nulls:
            raise ValidationFailed(
                "invalid body", problems=[{"field": name, "problem": "may not be null"} for name in nulls]
            )
        return fields


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200)


class Answer(BaseModel):
    """Base for response documents."""


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


@dataclass(frozen=True)
class HeaderParam:
    """A request header an endpoint reads, as the OpenAPI document describes it."""

    name: str
    description: str
    required: bool = True
    max_length: int | None = None


@dataclass
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[Body] | None = None
    query: type[Query] | None = None
    answer: type[BaseModel] | None = None
    status: int = 200
    auth: Auth = "none"
    errors: tuple[int, ...] = ()
    headers: tuple[HeaderParam, ...] = ()  # request headers it reads (documented, checked by it)
    extra: dict[str, Any] = field(default_factory=dict)

    def route(self) -> Route:
        async def endpoint(request: Request) -> Response:
            return await self._call(request)

        endpoint.__name__ = self.handler.__name__
        return Route(self.path, endpoint, methods=[self.method], name=self.handler.__name__)

    async def _call(self, request: Request) -> Response:
        kwargs: dict[str, Any] = {}
        principal = await authenticated(request)
        _check_auth(self.auth, principal)
        if self.auth != "none":
            kwargs["principal"] = principal
        if self.query is not None:
            kwargs["query"] = _validate(self.query, dict(request.query_params), "query")
        if self.body is not None:
            kwargs["body"] = _validate(self.body, await read_json(request), "body")
        result = await self.handler(request, **kwargs)
        if isinstance(result, Response):
            return result
        if isinstance(result, BaseModel):  # serialised by pydantic in one pass
            return Response(result.model_dump_json(), self.status, media_type=JSONResponse.media_type)
        return JSONResponse(result, status_code=self.status)


def _check_auth(auth: Auth, principal: Principal | None) -> None:
    if auth in ("none", "optional"):
        return
    if principal is None:
        raise Unauthorized("sign in first: send Authorization: Bearer TOKEN")
    if auth == "user" and principal.kind != "user":
        raise Forbidden("this endpoint is for moviegoers")
    if auth == "staff" and principal.kind != "staff":
        raise Forbidden("this endpoint is for cinema staff")
    if auth == "admin" and principal.role != "admin":
        raise Forbidden("this endpoint is for platform admins")


class Endpoints:
    """The endpoints of one API module, declared with decorators."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.items: list[Endpoint] = []

    def add(self, method: str, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.items.append(Endpoint(method, path, handler, summary, self.tag, **options))
            return handler

        return register

    def get(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.add("GET", path, summary, **options)

    def post(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.add("POST", path, summary, **options)

    def put(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.add("PUT", path, summary, **options)

    def patch(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.add("PATCH", path, summary, **options)

    def delete(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.add("DELETE", path, summary, **options)


def _validate(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        raise ValidationFailed(f"invalid {where}", problems=problems) from None


async def read_json(request: Request) -> Any:
    """The request body as JSON, refusing bodies over the configured limit."""
    raw = await read_raw(request, request.app.state.runtime.settings.max_body_bytes)
    if not raw:
        raise BadRequest("a JSON body is required")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("the body is not valid JSON") from None


async def read_raw(request: Request, limit: int) -> bytes:
    """The request body's bytes, refused with 413 as soon as they pass ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes", limit=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def path_id(request: Request, name: str = "id") -> int:
    """A numeric id from a ``{name:int}`` path segment; ids past any real row are not found."""
    value = int(request.path_params[name])
    if not 0 < value < MAX_ID:
        raise NotFound(f"no such {name}")
    return value
