"""The OpenAPI 3.1 document, built from the declared endpoints."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request

from seatcore import __version__
from seatcore.api._http import Endpoint, Endpoints, JSONResponse
from seatcore.bounds import MAX_ID

endpoints = Endpoints("operations")
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_STATUS_TEXT = {
    400: "Bad request",
    401: "Not signed in, or a bad token",
    403: "Not allowed for this caller",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Body too large",
    422: "Invalid input",
    429: "Rate limited",
    503: "A dependency is unavailable",
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}


def build_document(all_endpoints: list[Endpoint]) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for endpoint in all_endpoints:
        path = _PARAM.sub(r"{\1}", endpoint.path)
        paths.setdefault(path, {})[endpoint.method.lower()] = _operation(endpoint, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "seatcore", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _schema_ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(endpoint: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.handler.__name__,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
    }
    parameters: list[dict[str, Any]] = []
    for name, kind in _PARAM.findall(endpoint.path):
        param_schema: dict[str, Any] = {"type": "string"}
        if kind == "int":  # an id (seatcore.bounds)
            param_schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID - 1}
        parameters.append({"name": name, "in": "path", "required": True, "schema": param_schema})
    for header in endpoint.headers:
        header_schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if header.max_length is not None:
            header_schema["maxLength"] = header.max_length
        if header.pattern is not None:
            header_schema["pattern"] = header.pattern
        parameters.append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": header_schema,
            }
        )
    if endpoint.query is not None:
        query_schema = endpoint.query.model_json_schema()
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            if endpoint.query.empty_is_absent and name not in required:
                prop = {"anyOf": [prop, {"const": ""}]}  # ?name= : as if left out
            parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    if parameters:
        operation["parameters"] = parameters
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_ref(endpoint.body, schemas)}},
        }
    if "requestBody" in endpoint.extra:  # a body that is not JSON (an image upload)
        operation["requestBody"] = endpoint.extra["requestBody"]
    if endpoint.auth in ("any", "user", "staff", "admin"):
        operation["security"] = [{"bearer": []}]
    elif endpoint.auth == "optional":
        operation["security"] = [{}, {"bearer": []}]
    success: dict[str, Any] = {"description": "OK"}
    if endpoint.answer is not None:
        success["content"] = {"application/json": {"schema": _schema_ref(endpoint.answer, schemas)}}
    responses: dict[str, Any] = {str(endpoint.status): success}
    for code, description in endpoint.extra.get("also_succeeds", {}).items():  # e.g. 202 while paying
        responses[str(code)] = success | {"description": description}
    codes = set(endpoint.errors)
    if endpoint.body is not None or endpoint.query is not None:
        codes |= {400, 413, 422}
    if endpoint.headers:
        codes.add(400)
    if endpoint.auth not in ("none", "optional"):
        codes |= {401, 403}
    if endpoint.auth == "optional":
        codes.add(401)
    if "{" in endpoint.path:
        codes.add(404)
    for code in sorted(codes):
        responses[str(code)] = {
            "description": _STATUS_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    operation["responses"] = responses
    return operation


@endpoints.get("/api/v1/openapi.json", "This OpenAPI document")
async def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.openapi)
