"""The console's snack menu: staff of a cinema manage its items and combos (others see nothing),
set stock (what is left now), switch sale on and off, and upload pictures judged by content."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.catalogue_console.test_posters import SVG, picture
from tests.snacks.conftest import Counter
from tests.staff.conftest import StaffHeaders


async def test_staff_create_edit_and_restock_a_combo(counter: Counter, staff_headers: StaffHeaders) -> None:
    client = counter.shop.client
    base = f"/api/v1/staff/cinemas/{counter.show.cinema_id}/snacks"
    made = await client.post(
        base,
        json={
            "kind": "combo",
            "name": "观影套餐",
            "price_fen": 5200,
            "stock": 3,
            "contents": [{"name": "爆米花", "qty": 1}, {"name": "可乐", "qty": 1}],
            "position": 1,
        },
        headers=counter.staff,
    )
    assert made.status_code == 201, made.text
    snack = made.json()
    assert (snack["stock"], snack["stock_left"], snack["on_sale"]) == (3, 3, True)
    changed = await client.patch(
        f"/api/v1/staff/snacks/{snack['id']}", json={"stock": None, "on_sale": False}, headers=counter.staff
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["stock"], changed.json()["stock_left"], changed.json()["on_sale"]) == (
        None,
        None,
        False,
    )
    restocked = await client.patch(
        f"/api/v1/staff/snacks/{snack['id']}", json={"stock": 7}, headers=counter.staff
    )
    assert restocked.json()["stock_left"] == 7
    listed = await client.get(base, headers=counter.staff)
    assert snack["id"] in [item["id"] for item in listed.json()["items"]]
    public = await client.get(f"/api/v1/cinemas/{counter.show.cinema_id}/snacks")
    assert snack["id"] not in [item["id"] for item in public.json()["items"]]  # off sale
    bad = await client.post(
        base, json={"kind": "combo", "name": "x", "price_fen": 100, "contents": []}, headers=counter.staff
    )
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "combo_contents"
    item_with_contents = await client.post(
        base,
        json={"name": "x", "price_fen": 100, "contents": [{"name": "y", "qty": 2}]},
        headers=counter.staff,
    )
    assert item_with_contents.status_code == 409
    assert (
        await client.post(base, json={"name": "x", "price_fen": 0}, headers=counter.staff)
    ).status_code == 422
    other = await counter.shop.show()
    stranger = await staff_headers("stranger", cinemas=(other.cinema_id,))
    assert (await client.get(base, headers=stranger)).status_code == 404
    assert (await client.get(f"/api/v1/staff/snacks/{snack['id']}", headers=stranger)).status_code == 404
    patched = await client.patch(
        f"/api/v1/staff/snacks/{snack['id']}", json={"price_fen": 1}, headers=stranger
    )
    assert patched.status_code == 404


async def test_a_picture_is_re_encoded_square_and_anything_else_refused(counter: Counter) -> None:
    client = counter.shop.client
    url = f"/api/v1/staff/snacks/{counter.popcorn}/picture"
    done = await client.put(
        url, content=picture("PNG", (900, 600)), headers={**counter.staff, "Content-Type": "image/png"}
    )
    assert done.status_code == 200, done.text
    main = done.json()["snack"]["picture_url"]
    assert main.startswith(f"/media/snacks/{counter.popcorn}/") and main.endswith("-320.jpg")
    with Image.open(Path(counter.runtime.settings.data_dir) / main.removeprefix("/")) as stored:
        assert stored.format == "JPEG" and stored.size == (320, 320)
    menu = await client.get(f"/api/v1/cinemas/{counter.show.cinema_id}/snacks")
    assert menu.json()["items"][0]["picture_url"] == main
    for data in (SVG, b"not an image at all", picture("PNG", (9000, 9000))):
        refused = await client.put(url, content=data, headers={**counter.staff, "Content-Type": "image/png"})
        assert refused.status_code in (413, 422), refused.text
    again = await client.get(f"/api/v1/staff/snacks/{counter.popcorn}", headers=counter.staff)
    assert again.json()["picture_url"] == main  # unchanged by the refusals
