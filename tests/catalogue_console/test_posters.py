"""Poster uploads are judged by what the bytes decode to, never by a name or a content type."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from seatcore.runtime import Runtime
from tests.staff.conftest import TwoCinemas

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="600"><script>alert(1)</script></svg>'


def picture(fmt: str, size: tuple[int, int] = (800, 1200), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 40, 60) if mode == "RGB" else 0).save(out, format=fmt)
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient, two: TwoCinemas, data: bytes, content_type: str = "image/png"
) -> httpx.Response:
    return await client.put(
        f"/api/v1/staff/movies/{two.a.movie_id}/poster",
        headers={**two.admin, "Content-Type": content_type},
        content=data,
    )


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
async def test_an_image_is_stored_re_encoded_at_each_size(
    client: httpx.AsyncClient, two: TwoCinemas, runtime: Runtime, fmt: str, content_type: str
) -> None:
    answer = await upload(client, two, picture(fmt), content_type)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    sizes = {size["name"]: size for size in body["sizes"]}
    assert {(s["width"], s["height"]) for s in sizes.values()} == {(200, 300), (400, 600)}
    assert body["movie"]["poster_url"] == sizes["detail"]["url"]
    assert sizes["list"]["url"] == sizes["detail"]["url"].replace("-detail.", "-list.")
    for size in sizes.values():
        assert size["url"].startswith(f"/media/posters/{two.a.movie_id}/")
        path = Path(runtime.settings.data_dir) / size["url"].removeprefix("/")
        with Image.open(path) as stored:
            assert stored.format == "JPEG" and stored.size == (size["width"], size["height"])
        served = await client.get(size["url"])
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    public = (await client.get(f"/api/v1/movies/{two.a.movie_id}")).json()
    assert public["poster_url"] == sizes["detail"]["url"]  # the catalogue cache was dropped


async def test_a_wide_image_is_cropped_to_the_poster_shape(
    client: httpx.AsyncClient, two: TwoCinemas
) -> None:
    answer = await upload(client, two, picture("PNG", (1600, 400)))
    assert answer.status_code == 200
    assert {(s["width"], s["height"]) for s in answer.json()["sizes"]} == {(200, 300), (400, 600)}


async def refused(
    client: httpx.AsyncClient, two: TwoCinemas, data: bytes, content_type: str
) -> dict[str, object]:
    before = (await client.get(f"/api/v1/staff/movies/{two.a.movie_id}", headers=two.admin)).json()
    answer = await upload(client, two, data, content_type)
    assert answer.status_code in (413, 422), answer.text
    after = (await client.get(f"/api/v1/staff/movies/{two.a.movie_id}", headers=two.admin)).json()
    assert after["poster_url"] == before["poster_url"]  # nothing changed
    error: dict[str, object] = answer.json()["error"]
    return error


async def test_a_text_file_named_png_is_refused(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    error = await refused(client, two, b"just some text, saved as poster.png\n" * 20, "image/png")
    assert error["code"] == "image_invalid"


async def test_an_svg_is_refused(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    error = await refused(client, two, SVG, "image/svg+xml")
    assert error["code"] == "image_invalid"


async def test_a_gif_is_not_an_accepted_type(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    error = await refused(client, two, picture("GIF", mode="L"), "image/png")
    assert error["code"] == "image_invalid"


async def test_a_truncated_png_is_refused(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    whole = picture("PNG")
    error = await refused(client, two, whole[: len(whole) // 2], "image/png")
    assert error["code"] == "image_invalid"


async def test_too_many_bytes_is_413(
    client: httpx.AsyncClient, two: TwoCinemas, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "poster_max_bytes", 2048)
    noisy = Image.effect_noise((400, 600), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    error = await refused(client, two, out.getvalue(), "image/png")
    assert error["code"] == "payload_too_large"


async def test_an_image_wider_than_the_limit_is_refused(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    error = await refused(client, two, picture("PNG", (6001, 20), mode="L"), "image/png")
    assert error["code"] == "image_invalid" and "6000 px" in str(error["message"])


async def test_a_decompression_bomb_is_refused(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    bomb = picture("PNG", (12_000, 12_000), mode="1")  # 144 million pixels in a few kilobytes
    assert len(bomb) < 100_000
    error = await refused(client, two, bomb, "image/png")
    assert error["code"] == "image_invalid" and "too many pixels" in str(error["message"])


async def test_only_a_platform_admin_uploads(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    for who in (two.staff_a, two.moviegoer):
        answer = await client.put(
            f"/api/v1/staff/movies/{two.a.movie_id}/poster", headers=who, content=picture("PNG")
        )
        assert answer.status_code == 403
    missing = await client.put(
        "/api/v1/staff/movies/999999/poster", headers=two.admin, content=picture("PNG")
    )
    assert missing.status_code == 404


async def test_a_retired_movie_leaves_the_public_lists(client: httpx.AsyncClient, two: TwoCinemas) -> None:
    movie = two.a.movie_id
    retired = await client.patch(
        f"/api/v1/staff/movies/{movie}", headers=two.admin, json={"status": "retired"}
    )
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert retired.json()["hot_rank"] == 0
    public = (await client.get("/api/v1/movies")).json()["items"]
    assert movie not in [item["id"] for item in public]
    staff = (await client.get("/api/v1/staff/movies?status=retired", headers=two.admin)).json()["items"]
    assert [item["id"] for item in staff] == [movie]
    assert (await client.get(f"/api/v1/movies/{movie}")).status_code == 200  # orders still name it


async def test_retired_movies_are_listed_only_when_asked_for(
    client: httpx.AsyncClient, two: TwoCinemas
) -> None:
    movie = two.a.movie_id
    await client.patch(f"/api/v1/staff/movies/{movie}", headers=two.admin, json={"status": "retired"})
    listed = (await client.get("/api/v1/staff/movies", headers=two.staff_a)).json()["items"]
    assert movie not in [item["id"] for item in listed]  # the schedule's movie picker reads this
