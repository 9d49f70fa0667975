"""The console's movie and cinema pages in headless Chromium: an admin adds a movie and uploads
its poster (a fake PNG is refused in words), a cinema gets coordinates and a hall opens in the
layout editor; a cinema's manager sees movies read-only on a phone. Screenshots of each step go to
test-artifacts/ (catalogue-*.png), at desktop and at phone width."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, Page, expect
from starlette.applications import Starlette

from seatcore.auth.passwords import hash_password
from seatcore.runtime import Runtime
from seatcore.store import catalogue, users
from tests.browser.conftest import ARTIFACTS, browser
from tests.factories import ShowFixture, make_show
from tests.servers import served

__all__ = ["browser"]
pytestmark = pytest.mark.browser

PASSWORD = "catalogue-pass-1"
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with served(app) as url:
        yield url


@pytest.fixture
async def show(app: Starlette) -> ShowFixture:
    runtime: Runtime = app.state.runtime
    fixture = await make_show(runtime.db)
    await users.create_staff(runtime.db, "root", hash_password(PASSWORD), "admin", ())
    await users.create_staff(runtime.db, "manager", hash_password(PASSWORD), "staff", (fixture.cinema_id,))
    return fixture


async def signed_in(
    browser: Browser, base_url: str, who: str, viewport: dict[str, int]
) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport=viewport, base_url=base_url)  # type: ignore[arg-type]
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None,
    )
    await page.goto("/console/")
    await page.fill("#signin-form input[name=username]", who)
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#app")).to_be_visible()
    return page, errors


async def shot(page: Page, name: str) -> None:
    # Measured once the view's requests have settled and before the full-page capture, which
    # resizes the page while it draws.
    await page.wait_for_load_state("networkidle")
    width = await page.evaluate("document.documentElement.scrollWidth")
    await page.screenshot(path=str(ARTIFACTS / f"catalogue-{name}.png"), full_page=True)
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], f"{name}: the page is {width} px wide"


async def loaded(page: Page, selector: str, width: int) -> None:
    """Wait until the image has loaded (lazy ones load when they show) and is ``width`` px wide."""
    await page.wait_for_function(
        "([selector, width]) => { const img = document.querySelector(selector);"
        " return Boolean(img && img.complete && img.naturalWidth === width) }",
        arg=[selector, width],
    )


def poster_file(tmp_path: Path) -> Path:
    image = Image.linear_gradient("L").resize((600, 900)).convert("RGB")
    path = tmp_path / "poster.png"
    out = io.BytesIO()
    image.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


async def test_admin_adds_a_movie_with_its_poster(
    browser: Browser, base_url: str, show: ShowFixture, app: Starlette, tmp_path: Path
) -> None:
    page, errors = await signed_in(browser, base_url, "root", DESKTOP)
    await page.click(".c-nav a[data-view=movies]")
    await page.click("text=New movie")
    form = page.locator("#movie-form")
    await form.locator("input[name=title]").fill("夜航")
    await form.locator("input[name=original_title]").fill("Night Flight")
    await form.locator("input[name=genres]").fill("drama, thriller")
    await form.locator("input[name=duration_min]").fill("112")
    await form.locator("input[name=score]").fill("8.1")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#flash")).to_contain_text("now add its poster")
    await expect(page).to_have_url(re.compile(r"#movies/\d+$"))
    movie_id = int(page.url.rsplit("/", 1)[1])

    fake = tmp_path / "fake.png"
    fake.write_text("this is not a picture")
    await page.set_input_files("input[name=poster]", str(fake))
    await page.click("text=Upload poster")
    await expect(page.locator("#flash")).to_contain_text("not a PNG, JPEG or WebP image")
    await shot(page, "movie-refused")

    await page.set_input_files("input[name=poster]", str(poster_file(tmp_path)))
    await page.click("text=Upload poster")
    await expect(page.locator("#flash")).to_contain_text("Poster uploaded")
    await expect(page.locator("#poster-image")).to_have_attribute("src", re.compile(r"-detail\.jpg$"))
    await loaded(page, "#poster-image", 400)
    await shot(page, "movie-desktop")

    runtime: Runtime = app.state.runtime
    movie = await catalogue.get_movie(runtime.db, movie_id)
    assert movie is not None and movie.title == "夜航" and movie.poster_url.endswith("-detail.jpg")

    await page.click("text=Back to movies")
    row = page.locator(f"tr[data-movie='{movie_id}']")
    await expect(row).to_contain_text("Night Flight")
    await loaded(page, f"tr[data-movie='{movie_id}'] img", 200)  # the list size
    await shot(page, "movies-desktop")
    assert errors == []


async def test_a_cinema_gets_coordinates_and_opens_a_hall(
    browser: Browser, base_url: str, show: ShowFixture, app: Starlette
) -> None:
    page, errors = await signed_in(browser, base_url, "manager", DESKTOP)
    await page.click(".c-nav a[data-view=cinemas]")
    form = page.locator("#cinema-form")
    await form.locator("input[name=latitude]").fill("31.2304")
    await form.locator("input[name=longitude]").fill("121.4737")
    await form.locator("input[name=address]").fill("1 Nanjing Road")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#flash")).to_contain_text("Saved")
    await expect(page.locator("table.c-table").first).to_contain_text("31.2304, 121.4737")
    runtime: Runtime = app.state.runtime
    cinema = await catalogue.get_cinema(runtime.db, show.cinema_id)
    assert cinema is not None and (cinema.latitude, cinema.longitude) == (31.2304, 121.4737)

    await form.locator("input[name=latitude]").fill("91")  # the browser lets it through; the service not
    await page.evaluate("document.querySelector('#cinema-form').noValidate = true")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#flash")).to_contain_text("latitude")
    await shot(page, "cinema-desktop")

    await page.click("#cinema-halls >> text=Edit layout")
    await expect(page).to_have_url(re.compile(rf"#layouts/{show.hall_id}$"))
    await expect(page.locator("#layout-hall")).to_have_value(str(show.hall_id))
    assert errors == []


async def test_phone_width_pages(browser: Browser, base_url: str, show: ShowFixture) -> None:
    page, errors = await signed_in(browser, base_url, "manager", PHONE)
    await page.goto(f"/console/#movies/{show.movie_id}")
    await expect(page.locator("#movie-form input[name=title]")).to_be_disabled()
    await expect(page.locator("#movie-form")).to_contain_text("a platform admin edits them")
    await shot(page, "movie-phone")
    await page.goto("/console/#cinemas")
    await expect(page.locator("#cinema-halls")).to_contain_text("Hall 1")
    await shot(page, "cinema-phone")
    await page.goto("/console/#movies")
    await expect(page.locator("table.c-movies")).to_contain_text("Test Movie")
    await shot(page, "movies-phone")
    assert errors == []
