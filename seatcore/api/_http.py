"""The edge: declared endpoints, body and query parsing, JSON answers and the error shape.

An endpoint is declared with the models it reads and answers, so the OpenAPI document
(seatcore.api.openapi) is built from the same declarations that parse the requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar

import orjson
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetJsonSchemaHandler,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from seatcore.auth.principal import Principal, authenticated
from seatcore.bounds import (
    FIRST_YEAR,
    ISO_DAY,
    LAST_YEAR,
    MAX_ID,
    MAX_ID_DIGITS,
    YEAR_PATTERN,
    day_in_window,
    parse_count,
)
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
# Which body limit applies: max_body_bytes, or max_layout_body_bytes for routes taking a seat layout.
BodyLimit = Literal["default", "layout"]
Handler = Callable[..., Awaitable[Any]]
M = TypeVar("M", bound=BaseModel)


def _in_window(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not day_in_window(day):
        raise ValueError(f"dates are in the years {FIRST_YEAR}..{LAST_YEAR}")
    return value


def _iso_day(value: Any) -> Any:
    # Pydantic also reads "0" or "1700000000" as a date (seconds since 1970): a query's date is
    # the ISO 8601 day the document promises, nothing else.
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("a date is YYYY-MM-DD")
    return value


# A day in a query string (validated from Python values: for query models only).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_day)]
# Dates and date-times a client sends, held to seatcore.bounds' window. JSON Schema has no minimum
# for dates, so the document states the window as a pattern on the year.
Day = Annotated[
    IsoDate,
    AfterValidator(_in_window),
    WithJsonSchema({"type": "string", "format": "date", "pattern": YEAR_PATTERN}),
]
Moment = Annotated[
    AwareDatetime,
    AfterValidator(_in_window),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": YEAR_PATTERN}),
]


class Body(BaseModel):
    """Base for request bodies: unknown fields are refused, not ignored, and types are strict: a
    JSON ``true`` is not a number, ``"90"`` is not an integer, ``"yes"`` is not a boolean (bodies
    are validated from their JSON text, where dates and times are ISO 8601 strings)."""

    model_config = ConfigDict(extra="forbid", str_max_length=2000, strict=True)
    # Set on bodies whose optional fields may be left out but not sent as null (partial updates,
    # read with ``sent()``), except the fields named. The document says so: it drops null from
    # the others.
    nullable: ClassVar[frozenset[str] | None] = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        if self.nullable is not None:
            nulls = sorted(
                name
                for name in self.model_fields_set
                if getattr(self, name) is None and name not in self.nullable
            )
            if nulls:
                raise ValueError(f"leave out, do not send null: {', '.join(nulls)}")
        return self

    def sent(self) -> dict[str, Any]:
        """The fields the client sent (a partial update)."""
        return self.model_dump(exclude_unset=True)

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core))
        if cls.nullable is not None:
            for name, prop in schema.get("properties", {}).items():
                if name not in cls.nullable:
                    _drop_null(prop)
        return schema


def _drop_null(prop: dict[str, Any]) -> None:
    """``anyOf: [X, null]`` with ``default: null`` becomes X: the field may be left out, not null."""
    choices = [choice for choice in prop.pop("anyOf", []) if choice != {"type": "null"}]
    if prop.get("default", "") is None:
        del prop["default"]
    if len(choices) == 1:
        prop.update(choices[0])
    elif choices:
        prop["anyOf"] = choices


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200)
    # ``?name=`` (as HTML forms send it) means the parameter is absent; the document allows it.
    empty_is_absent: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: Any) -> Any:
        if cls.empty_is_absent and isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data


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
    pattern: str | None = None


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
    body_limit: BodyLimit = "default"
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
            kwargs["query"] = _validate(self.query, _single_params(request), "query")
        if self.body is not None:
            kwargs["body"] = _validate_json(self.body, await read_body(request, self.body_limit))
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


def _single_params(request: Request) -> dict[str, str]:
    """The query parameters, each given once: ``?a=1&a=2`` is refused, not read as either."""
    params = request.query_params
    if len(params) != len(params.multi_items()):
        names = [name for name, _ in params.multi_items()]
        twice = sorted({name for name in names if names.count(name) > 1})
        raise ValidationFailed(
            "invalid query", problems=[{"field": name, "problem": "given more than once"} for name in twice]
        )
    return dict(params)


def _validate(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, where) from None


def _validate_json(model: type[M], raw: bytes) -> M:
    """A body model from the body's JSON text (strict types; dates as ISO 8601 strings).

    JSON has one kind of number, and ``285.0`` is the integer 285 to JSON Schema and to the
    OpenAPI document; strict mode refuses it for an int. So a body refused for an integer is read
    once more with its integral numbers written as integers (only then: the usual body pays nothing).
    """
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors()
        if any(err["type"] == "json_invalid" for err in errors):
            raise BadRequest("the body is not valid JSON") from None
        if any(err["type"] == "int_type" for err in errors):
            try:
                return model.model_validate_json(orjson.dumps(_integral(orjson.loads(raw))))
            except ValidationError as again:
                raise _invalid(again, "body") from None
        raise _invalid(exc, "body") from None


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    return value


def _invalid(exc: ValidationError, where: str) -> ValidationFailed:
    problems = [
        {"field": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]
    return ValidationFailed(f"invalid {where}", problems=problems)


async def read_body(request: Request, which: BodyLimit = "default") -> bytes:
    """The raw request body, refusing empty ones and those over the limit ``which`` names."""
    settings = request.app.state.runtime.settings
    limit: int = settings.max_layout_body_bytes if which == "layout" else settings.max_body_bytes
    raw = await read_raw(request, limit)
    if not raw:
        raise BadRequest("a JSON body is required")
    return raw


async def read_raw(request: Request, limit: int) -> bytes:
    """The request body's bytes, refused with 413 as soon as they pass ``limit``."""
    declared = parse_count(request.headers.get("content-length", ""))
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes", limit=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


class _IdConvertor(Convertor[int]):
    """``{name:int}`` in seatcore's paths: at most as many ASCII digits as an id has. Starlette's
    own takes any number of digits and calls int() on them while routing, where a few thousand
    digits raise (Python's limit on int() of long text) and the request ends in a 500; a longer
    segment here matches no route: 404."""

    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("int", _IdConvertor())


def path_id(request: Request, name: str = "id") -> int:
    """A numeric id from a ``{name:int}`` path segment; ids past any real row are not found."""
    value = int(request.path_params[name])
    if not 0 < value < MAX_ID:
        raise NotFound(f"no such {name}")
    return value
