"""The OpenAPI document matches the app: every /api route is documented, every documented path
resolves to a route, and the document is valid OpenAPI 3.1."""

from __future__ import annotations

import re
from typing import Any

import httpx
from openapi_spec_validator import OpenAPIV31SpecValidator
from starlette.applications import Starlette
from starlette.routing import Match, Route

from seatcore.app import create_app
from seatcore.settings import Settings

METHODS = {"get", "put", "post", "patch", "delete"}


def routed_operations(app: Starlette) -> set[tuple[str, str]]:
    """(method, path) of every HTTP route under /api, paths in OpenAPI's {name} form."""
    found = set()
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/"):
            path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
            found |= {(method.lower(), path) for method in route.methods or () if method != "HEAD"}
    return found


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS and path.startswith("/api/")
    }


def test_every_route_is_documented_and_every_documented_route_exists(settings: Settings) -> None:
    app = create_app(settings)
    routed = routed_operations(app)
    documented = documented_operations(app.state.openapi)
    assert routed, "no /api routes found"
    assert routed - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routed == set(), "documented operations with no route"


def test_documented_paths_resolve(settings: Settings) -> None:
    """Each documented path, with its parameters filled in, reaches a route taking that method."""
    app = create_app(settings)
    for path, item in app.state.openapi["paths"].items():
        url = re.sub(r"{\w+}", "1", path)
        for method in set(item) & METHODS:
            scope = {
                "type": "http",
                "method": method.upper(),
                "path": url,
                "root_path": "",
                "query_string": b"",
            }
            matches = [route.matches(scope)[0] for route in app.routes if isinstance(route, Route)]
            assert Match.FULL in matches, f"{method.upper()} {path} does not reach a route"


def test_the_document_is_valid_openapi_3_1(settings: Settings) -> None:
    document = create_app(settings).state.openapi
    assert document["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(document).validate()


def test_operations_are_complete(settings: Settings) -> None:
    document = create_app(settings).state.openapi
    operation_ids = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            assert operation["summary"], (method, path)
            assert operation["responses"], (method, path)
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["in"] == "path" and p["name"] == name for p in operation["parameters"]), (
                    path,
                    name,
                )
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


async def test_the_service_serves_the_document(client: httpx.AsyncClient, app: Starlette) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == app.state.openapi
    assert "/api/v1/movies" in response.json()["paths"]
    assert "/api/v1/showtimes" in response.json()["paths"]


async def test_money_calls_document_the_idempotency_key_they_require(
    client: httpx.AsyncClient, app: Starlette, login: Any
) -> None:
    document = app.state.openapi
    money_calls = [
        ("post", "/api/v1/orders"),
        ("post", "/api/v1/snack-orders"),
        ("post", "/api/v1/orders/{order_id}/pay"),
        ("post", "/api/v1/orders/{order_id}/refund"),
        ("post", "/api/v1/orders/{order_id}/exchange"),
    ]
    for method, path in money_calls:
        operation = document["paths"][path][method]
        (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
        assert header["name"] == "Idempotency-Key" and header["required"] is True
        assert header["schema"] == {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$",
        }
        assert "400" in operation["responses"]  # what a call without the key answers
    # ... and the service does require it, as documented.
    body = {"hold_id": "1-0123456789abcdef"}
    missing = await client.post("/api/v1/orders", json=body, headers=await login("idem"))
    assert missing.status_code == 400, missing.text
    assert missing.json()["error"]["code"] == "idempotency_key_required"
    elsewhere = [
        parameter["name"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if (method, path) not in money_calls
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "header"
    ]
    assert elsewhere == ["X-Admission-Token"]  # a hold during a waiting room's on-sale (optional)
    (admission,) = document["paths"]["/api/v1/showtimes/{id}/holds"]["post"]["parameters"][1:]
    assert admission["name"] == "X-Admission-Token" and admission["required"] is False
