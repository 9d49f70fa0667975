"""The web seat page loads the mini-program's own JS for the rules both clients share: web/js/
seat-rules.js and seat-labels.js are symlinks to miniprogram/lib/, and the service serves them
(its web files follow symlinks), byte for byte. Following symlinks opens no way out of web/."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["seat-rules.js", "seat-labels.js"])
async def test_the_web_page_gets_the_mini_programs_file(client: httpx.AsyncClient, name: str) -> None:
    served = ROOT / "web" / "js" / name
    assert served.is_symlink()
    assert served.resolve() == ROOT / "miniprogram" / "lib" / name
    response = await client.get(f"/js/{name}")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert response.content == (ROOT / "miniprogram" / "lib" / name).read_bytes()


@pytest.mark.parametrize("path", ["/js/%2e%2e/%2e%2e/setup.cfg", "/js/..%2f..%2fsetup.cfg", "/../setup.cfg"])
async def test_nothing_outside_web_is_served(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert b"[metadata]" not in response.content
