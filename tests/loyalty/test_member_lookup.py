"""The staff member look-up: finding members by id, phone or nickname, and a member's coupons."""

from __future__ import annotations

from seatcore.auth.principal import Principal
from seatcore.store import users
from tests.loyalty.conftest import Auth, Shop, campaign, claim, join, rt, user_id


async def _cinema_staff(shop: Shop) -> Auth:
    staff_id = await users.create_staff(rt(shop).db, "cinema-hand", "not-a-password-hash", "staff", ())
    token = rt(shop).tokens.issue(Principal(kind="staff", id=staff_id, role="staff"))
    return {"Authorization": f"Bearer {token}"}


async def test_admins_find_members_by_id_or_nickname(shop: Shop, admin: Auth) -> None:
    ivy, ivan, zoe = await shop.login("ivy_1"), await shop.login("ivan"), await shop.login("zoe")
    for auth in (ivy, ivan):
        await join(shop, auth)
    ivy_id, zoe_id = await user_id(shop, ivy), await user_id(shop, zoe)

    found = await shop.client.get("/api/v1/staff/members", params={"q": "iv"}, headers=admin)
    assert found.status_code == 200, found.text
    assert [hit["nickname"] for hit in found.json()["items"]] == ["ivy_1", "ivan"]
    assert found.json()["items"][0]["tier_name"] and found.json()["items"][0]["points"] == 0

    by_id = await shop.client.get("/api/v1/staff/members", params={"q": str(ivy_id)}, headers=admin)
    assert [hit["user_id"] for hit in by_id.json()["items"]] == [ivy_id]
    # LIKE's wildcards are taken literally; a moviegoer who never joined is no member.
    literal = await shop.client.get("/api/v1/staff/members", params={"q": "y_"}, headers=admin)
    assert [hit["nickname"] for hit in literal.json()["items"]] == ["ivy_1"]
    wildcard = await shop.client.get("/api/v1/staff/members", params={"q": "%"}, headers=admin)
    assert wildcard.json()["items"] == []
    nobody = await shop.client.get("/api/v1/staff/members", params={"q": str(zoe_id)}, headers=admin)
    assert nobody.json()["items"] == []

    for odd in ("²", "٣", "9" * 40):  # digits Python knows but int() or an id column would not take
        answer = await shop.client.get("/api/v1/staff/members", params={"q": odd}, headers=admin)
        assert answer.status_code == 200 and answer.json()["items"] == [], answer.text
    empty = await shop.client.get("/api/v1/staff/members", params={"q": ""}, headers=admin)
    assert empty.status_code == 422
    hand = await _cinema_staff(shop)
    refused = await shop.client.get("/api/v1/staff/members", params={"q": "iv"}, headers=hand)
    assert refused.status_code == 403


async def test_admins_see_a_members_coupons(shop: Shop, admin: Auth) -> None:
    jo = await shop.login("jo")
    await join(shop, jo)
    uid = await user_id(shop, jo)
    made = await campaign(shop, admin, name="五元券")
    await claim(shop, jo, campaign_id=made["id"])

    answer = await shop.client.get(f"/api/v1/staff/members/{uid}/coupons", headers=admin)
    assert answer.status_code == 200, answer.text
    assert [(c["state"], c["campaign"]["name"]) for c in answer.json()["items"]] == [("available", "五元券")]
    missing = await shop.client.get("/api/v1/staff/members/999999/coupons", headers=admin)
    assert missing.status_code == 404
    hand = await _cinema_staff(shop)
    assert (await shop.client.get(f"/api/v1/staff/members/{uid}/coupons", headers=hand)).status_code == 403
