import httpx


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"redis": "ok", "database": "ok"}


async def test_unknown_path_has_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.headers["x-request-id"]


async def test_an_api_path_no_endpoint_matches_is_404_whatever_the_method(
    client: httpx.AsyncClient,
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, "/api/v1/movies/null,null/want")
        assert response.status_code == 404, method
        assert response.json()["error"]["code"] == "not_found"
