"""Households through the viewer API's handler (moto): create, invite, join once, shared services, leave."""

from __future__ import annotations

import time

from tests.support.aws import TABLE
from tests.unit.test_preferences_api import call
from tvguide.runtime import new_dynamodb_resource
from tvguide_preferences_api.household_store import _lookup_key


def _household(sub):
    return call("GET", "/household", sub=sub)


def _invite(sub, **body):
    status, invite, _ = call("POST", "/household/invites", sub=sub, body=body)
    assert status == 201, invite
    return invite


def test_two_viewers_form_a_household_and_share_its_services(api_env):
    assert call("PUT", "/preferences", sub="ann", body={"sources": ["203", "372"], "genres": ["4"]})[0] == 200
    assert call("PUT", "/preferences", sub="bob", body={"sources": ["349"], "genres": ["7"]})[0] == 200
    assert _household("ann")[0] == 404
    status, home, _ = call(
        "POST", "/household", sub="ann", body={"name": "  The   Flat ", "your_name": "Ann"}
    )
    assert status == 201 and home["name"] == "The Flat"
    assert [s["id"] for s in home["services"]] == ["203", "372"]
    assert home["members"][0]["you"] and home["members"][0]["can_change_services"]

    invite = _invite("ann")
    assert len(invite["token"]) == 43 and not invite["can_change_services"]
    status, preview, _ = call(
        "POST", "/household/invites/preview", sub="bob", body={"token": invite["token"]}
    )
    assert status == 200 and preview["name"] == "The Flat" and preview["members"] == ["Ann"]
    status, joined, _ = call(
        "POST", "/household/join", sub="bob", body={"token": invite["token"], "name": "Bob"}
    )
    assert status == 200, joined
    assert [m["name"] for m in joined["members"]] == ["Ann", "Bob"] and joined["invites"] == []

    # Bob's services are the household's; his genres stay his own.
    status, prefs, _ = call("GET", "/preferences", sub="bob")
    assert prefs == {
        "sources": ["203", "372"],
        "genres": ["7"],
        "household": {"name": "The Flat", "can_change_services": False},
    }
    # The invite is used up: neither Bob again nor Cat can use it.
    assert call("POST", "/household/join", sub="cat", body={"token": invite["token"]})[0] == 404
    assert call("POST", "/household/invites/preview", sub="cat", body={"token": invite["token"]})[0] == 404

    # Bob may not change the services; his genres he may.
    status, body, _ = call("PUT", "/preferences", sub="bob", body={"sources": ["349"], "genres": ["7"]})
    assert status == 403, body
    status, _, _ = call(
        "PUT", "/preferences", sub="bob", body={"sources": ["372", "203"], "genres": ["4", "7"]}
    )
    assert status == 200
    assert call("GET", "/preferences", sub="bob")[1]["genres"] == ["4", "7"]
    # Ann changes them for both.
    assert call("PUT", "/preferences", sub="ann", body={"sources": ["203"], "genres": ["4"]})[0] == 200
    assert call("GET", "/preferences", sub="bob")[1]["sources"] == ["203"]
    assert call("GET", "/preferences", sub="bob")[1]["genres"] == ["4", "7"]

    # Bob leaves: out at once, with his own services back; Ann is still in.
    status, left, _ = call("DELETE", "/household/me", sub="bob")
    assert status == 200 and not left["ended"]
    assert _household("bob")[0] == 404
    assert call("GET", "/preferences", sub="bob")[1] == {"sources": ["349"], "genres": ["4", "7"]}
    assert [m["name"] for m in _household("ann")[1]["members"]] == ["Ann"]
    # The last one out ends it.
    assert call("DELETE", "/household/me", sub="ann")[1]["ended"]
    assert _household("ann")[0] == 404


def test_invites_expire_are_revoked_and_cannot_be_guessed(api_env):
    call("POST", "/household", sub="ann", body={"name": "Home"})
    revoked = _invite("ann")
    assert [i["invite_id"] for i in _household("ann")[1]["invites"]] == [revoked["invite_id"]]
    assert call("DELETE", f"/household/invites/{revoked['invite_id']}", sub="ann")[0] == 200
    assert call("POST", "/household/join", sub="bob", body={"token": revoked["token"]})[0] == 404

    expired = _invite("ann", expires_in_hours=1)
    table = new_dynamodb_resource().Table(TABLE)
    table.update_item(
        Key=_lookup_key(expired["token"]),
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(time.time()) - 1},
    )
    assert call("POST", "/household/join", sub="bob", body={"token": expired["token"]})[0] == 404

    guessed = expired["token"][:-1] + ("A" if expired["token"][-1] != "A" else "B")
    for token in (guessed, "x" * 43, "not a token", "../../etc"):
        status, body, _ = call("POST", "/household/join", sub="bob", body={"token": token})
        assert status == 404 and "not valid" in body["message"]

    # Only a member who can change the services invites someone who can; a second household is refused.
    good = _invite("ann")
    call("POST", "/household/join", sub="bob", body={"token": good["token"]})
    assert call("POST", "/household/invites", sub="bob", body={"can_change_services": True})[0] == 403
    assert call("POST", "/household", sub="bob", body={"name": "Mine"})[0] == 409


def test_a_non_member_gets_404_on_every_household_route(api_env):
    call("POST", "/household", sub="ann", body={"name": "Home"})
    ann = _household("ann")[1]
    member = ann["members"][0]["member_id"]
    invite = _invite("ann")
    for method, path, body in [
        ("GET", "/household", None),
        ("PATCH", "/household/me", {"share_watchlist": True}),
        ("DELETE", "/household/me", None),
        ("POST", "/household/invites", {}),
        ("DELETE", f"/household/invites/{invite['invite_id']}", None),
        ("GET", "/household/together", None),
        ("GET", f"/household/members/{member}/watchlist", None),
    ]:
        status, answer, _ = call(method, path, sub="stranger", body=body)
        assert status == 404, (method, path, answer)
    # Ann's watchlist is not shared: another member gets 404 too, until she shares it.
    call("POST", "/household/join", sub="bob", body={"token": invite["token"]})
    assert call("GET", f"/household/members/{member}/watchlist", sub="bob")[0] == 404
    assert call("PATCH", "/household/me", sub="ann", body={"share_watchlist": True})[0] == 200
    status, shared, _ = call("GET", f"/household/members/{member}/watchlist", sub="bob")
    assert status == 200 and shared["member"] == "ann"  # from her email address


def test_a_member_with_the_right_grants_it_and_takes_a_member_out(api_env):
    call("PUT", "/preferences", sub="cat", body={"sources": ["349"], "genres": []})
    call("POST", "/household", sub="ann", body={"name": "Home", "your_name": "Ann"})
    for sub in ("bob", "cat"):
        call("POST", "/household/join", sub=sub, body={"token": _invite("ann")["token"]})
    members = {m["name"]: m["member_id"] for m in _household("ann")[1]["members"]}
    bob, cat = members["bob"], members["cat"]
    # Bob, without the right, can neither grant it nor take anybody out.
    assert call("PATCH", f"/household/members/{bob}", sub="bob", body={"can_change_services": True})[0] == 403
    assert call("DELETE", f"/household/members/{cat}", sub="bob")[0] == 403
    # Ann grants it to Bob; she cannot take it from the last one who has it.
    status, home, _ = call(
        "PATCH", f"/household/members/{bob}", sub="ann", body={"can_change_services": True}
    )
    assert status == 200 and next(m for m in home["members"] if m["name"] == "bob")["can_change_services"]
    ann = members["Ann"]
    assert (
        call("PATCH", f"/household/members/{ann}", sub="bob", body={"can_change_services": False})[0] == 200
    )
    assert (
        call("PATCH", f"/household/members/{bob}", sub="bob", body={"can_change_services": False})[0] == 409
    )
    # Bob takes Cat out: she is out at once, with her own services back.
    status, home, _ = call("DELETE", f"/household/members/{cat}", sub="bob")
    assert status == 200 and [m["name"] for m in home["members"]] == ["Ann", "bob"]
    assert _household("cat")[0] == 404
    assert call("GET", "/preferences", sub="cat")[1] == {"sources": ["349"], "genres": []}
    assert call("DELETE", f"/household/members/{bob}", sub="bob")[0] == 400  # leaving is DELETE /household/me
    assert call("DELETE", "/household/members/0123456789abcdef", sub="bob")[0] == 404


def test_a_member_without_preferences_saving_genres_gets_a_whole_preferences_item(api_env):
    """Found in review: a member who never saved preferences saves genres only; the item must still carry
    the keys the preferences index (the pipeline's demand) reads."""
    call("POST", "/household", sub="dan", body={"name": "Empty"})
    assert call("PUT", "/preferences", sub="dan", body={"sources": [], "genres": ["4"]})[0] == 200
    item = new_dynamodb_resource().Table(TABLE).get_item(Key={"pk": "USER#dan", "sk": "PREFERENCES"})["Item"]
    assert item["gsi1pk"] == "PREFERENCES" and item["user_id"] == "dan" and item["sources"] == []
