"""Households on the local stack: two viewers form one through a one-time invite; the invite cannot be used
again, guessed, or used once expired or revoked; a non-member gets 404 on every household route; watch
together holds only titles on the household's services in every member's genres; leaving takes access away
at once. And a watchlist brought along: each kind of export matched, searched, added and undone."""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter

import requests

from stack_client import wait_until
from tests.integration.test_personal_guide import new_viewer
from tests.integration.test_viewer_api import sign_in
from tvguide.search import fold


def _seeded_services(stack):
    """The seeded viewer's services and genres: titles already there, and no demand the pipeline tests do
    not expect (every household here picks among them)."""
    seeded = next(u for u in stack.info["users"] if u["role"] == "viewer")
    token = sign_in(stack, seeded["email"], seeded["password"])
    prefs = requests.get(
        stack.info["preferences_api"]["url"] + "/preferences", headers={"Authorization": token}, timeout=30
    ).json()
    return prefs["sources"], prefs["genres"]


def _status(viewer, method, path, **kwargs):
    return viewer(method, path, **kwargs).status_code


def test_two_viewers_form_a_household_and_watch_together(stack, table):
    sources, genres = _seeded_services(stack)
    ann = new_viewer(stack, sources, genres[:2])
    bob = new_viewer(stack, sources[:1], genres[1:])
    stranger = new_viewer(stack, sources[:1], genres[:1])
    created = ann("POST", "/household", json={"name": "Flat 2", "your_name": "Ann"})
    assert created.status_code == 201, created.text

    invite = ann("POST", "/household/invites", json={"expires_in_hours": 24}).json()
    joined = bob("POST", "/household/join", json={"token": invite["token"], "name": "Bob"})
    assert joined.status_code == 200, joined.text
    assert [m["name"] for m in joined.json()["members"]] == ["Ann", "Bob"]
    assert bob.get("/preferences")["sources"] == sources  # the household's services are his now
    assert bob.get("/preferences")["genres"] == genres[1:]  # his genres his own
    # Used once: neither again nor by anybody else.
    assert _status(stranger, "POST", "/household/join", json={"token": invite["token"]}) == 404
    assert _status(bob, "POST", "/household/join", json={"token": invite["token"]}) in (404, 409)

    # Guessed, revoked or expired: the same 404.
    guessed = invite["token"][:-2] + ("AA" if not invite["token"].endswith("AA") else "BB")
    assert _status(stranger, "POST", "/household/join", json={"token": guessed}) == 404
    revoked = ann("POST", "/household/invites", json={}).json()
    assert _status(ann, "DELETE", f"/household/invites/{revoked['invite_id']}") == 200
    assert _status(stranger, "POST", "/household/join", json={"token": revoked["token"]}) == 404
    expired = ann("POST", "/household/invites", json={"expires_in_hours": 1}).json()
    hashed = __import__("hashlib").sha256(expired["token"].encode()).hexdigest()
    table.update_item(
        Key={"pk": f"HOUSEHOLD_INVITE#{hashed}", "sk": "HOUSEHOLD_INVITE"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(time.time()) - 5},
    )
    assert _status(stranger, "POST", "/household/invites/preview", json={"token": expired["token"]}) == 404
    assert _status(stranger, "POST", "/household/join", json={"token": expired["token"]}) == 404

    # A non-member: 404 on every household route.
    home = ann.get("/household")
    member = home["members"][0]["member_id"]
    pending = home["invites"][0]["invite_id"]
    for method, path, body in [
        ("GET", "/household", None),
        ("PATCH", "/household/me", {"share_watchlist": True}),
        ("DELETE", "/household/me", None),
        ("POST", "/household/invites", {}),
        ("DELETE", f"/household/invites/{pending}", None),
        ("GET", "/household/together", None),
        ("GET", f"/household/members/{member}/watchlist", None),
    ]:
        assert _status(stranger, method, path, json=body) == 404, (method, path)

    # Watch together: on the household's services, in both members' genres, best rated first.
    wait_until(lambda: (bool(ann.get("/titles", limit=5)), "no titles yet"), 180, "the household's titles")
    together = ann.get("/household/together", limit=50)["items"]
    assert together, "nothing to watch together"
    ann_genres, bob_genres = set(genres[:2]), set(genres[1:])
    for title in together:
        assert set(title["source_ids"]) & set(sources), title
        assert set(title["genre_ids"]) & ann_genres and set(title["genre_ids"]) & bob_genres, title
    ratings = [t["user_rating"] for t in together if t["user_rating"] is not None]
    assert ratings == sorted(ratings, reverse=True)
    # "how" as on /titles: to rent or buy keeps the household's shops only.
    shops = {
        s["id"] for s in requests.get(ann.base + "/sources", timeout=30).json() if s.get("type") == "purchase"
    }
    for title in ann.get("/household/together", limit=50, how="rent_or_buy")["items"]:
        assert set(title["source_ids"]) & shops & set(sources), title
    # Ann shares her watchlist: the view marks her titles; Bob's stays private.
    pick = together[0]["id"]
    assert _status(ann, "PUT", f"/watchlist/{pick}") == 200
    assert ann("PATCH", "/household/me", json={"share_watchlist": True}).status_code == 200
    marked = bob.get("/household/together", limit=50)["items"]
    assert next(t for t in marked if t["id"] == pick)["on_shared_watchlists"] == ["Ann"]
    assert bob.get(f"/household/members/{member}/watchlist")["items"][0]["id"] == pick
    bob_id = next(m["member_id"] for m in home["members"] if m["name"] == "Bob")
    assert _status(ann, "GET", f"/household/members/{bob_id}/watchlist") == 404

    # Bob may not change the services; leaving takes his access away at once.
    assert _status(bob, "PUT", "/preferences", json={"sources": sources[:1], "genres": genres}) == 403
    assert _status(bob, "DELETE", "/household/me") == 200
    assert _status(bob, "GET", "/household") == 404
    assert _status(bob, "GET", "/household/together") == 404
    assert _status(bob, "GET", f"/household/members/{member}/watchlist") == 404
    assert bob.get("/preferences")["sources"] == sources[:1]  # his own again
    assert ann("DELETE", "/household/me").json()["ended"]  # the last one out


def _guide_titles(viewer, catalogue, count):
    """Titles on the viewer's services, as the fake knows them (with IMDb and TMDb ids)."""
    listed = [t["id"] for t in viewer.get("/titles", limit=100)]
    known = [catalogue.by_id[int(i)] for i in listed if int(i) in catalogue.by_id]
    names = Counter(fold(t.title) for t in catalogue.titles)
    return [t for t in known if t.imdb_id and t.year and names[fold(t.title)] == 1][:count]


def test_each_kind_of_export_is_matched_searched_added_and_undone(stack, catalogue, table):
    sources, genres = _seeded_services(stack)
    viewer = new_viewer(stack, sources[:1], genres)
    wait_until(lambda: (bool(viewer.get("/titles", limit=5)), "no titles yet"), 180, "the viewer's titles")
    mine = _guide_titles(viewer, catalogue, 6)
    listed = {int(i["id"]) for i in viewer.get("/titles", limit=100)}
    # A title the guide does not know at all (on no service anybody chose): only Watchmode's search finds it.
    elsewhere = next(
        t
        for t in catalogue.titles
        if t.imdb_id and "Item" not in table.get_item(Key={"pk": f"TITLE#{t.id}", "sk": "TITLE"})
    )
    assert len(mine) == 6 and elsewhere.id not in listed

    letterboxd = io.StringIO()
    writer = csv.writer(letterboxd)
    writer.writerow(["Date", "Name", "Year", "Letterboxd URI"])
    for t in mine[:2]:
        writer.writerow(["2024-01-01", t.title, t.year, f"https://boxd.it/{t.id}"])
    writer.writerow(["2024-01-02", mine[0].title, mine[0].year, "https://boxd.it/dup"])  # a duplicate
    writer.writerow(["2024-01-03", 'Amélie « l\'autre » "Poulain"', "", "https://boxd.it/none"])  # unknown
    imdb = io.StringIO()
    writer = csv.writer(imdb)
    writer.writerow(
        ["Position", "Const", "Created", "Modified", "Description", "Title", "URL", "Title Type", "Year"]
    )
    for n, t in enumerate([*mine[2:4], elsewhere], 1):
        writer.writerow([n, t.imdb_id, "2024-01-01", "", "", t.title, "", "Movie", t.year or ""])
    trakt = []
    for t in mine[4:6]:
        kind = "movie" if t.tmdb_type == "movie" else "show"
        ids = {"trakt": t.id, "imdb": t.imdb_id, "tmdb": t.tmdb_id}
        trakt.append(
            {
                "listed_at": "2024-01-01T00:00:00.000Z",
                "type": kind,
                kind: {"title": t.title, "year": t.year, "ids": ids},
            }
        )

    # Wrong and hostile files: a clear 400, nothing kept.
    too_many = "Date,Name,Year,Letterboxd URI\n" + "".join(f"2024-01-01,T{n},2001,u\n" for n in range(5001))
    for content, says in [
        (too_many, "at most 5,000"),
        ("\x89PNG\r\n\x1a\n" + "\x00" * 64, "not text"),
        ("<html><script>alert(1)</script></html>", "not a Letterboxd, IMDb or Trakt export"),
    ]:
        refused = viewer("POST", "/watchlist/imports", json={"filename": "x", "content": content})
        assert refused.status_code == 400 and says in refused.json()["message"], refused.text
    assert viewer.get("/watchlist/imports")["items"] == []

    added: set[str] = set()
    for name, content, found, unmatched in [
        ("watchlist.csv", letterboxd.getvalue(), mine[:2], 1),
        ("list.csv", imdb.getvalue(), mine[2:4], 1),
        ("watchlist.json", json.dumps(trakt), mine[4:6], 0),
    ]:
        started = viewer("POST", "/watchlist/imports", json={"filename": name, "content": content})
        assert started.status_code == 201, started.text
        report = started.json()
        assert {m["title_id"] for m in report["matched"]} == {str(t.id) for t in found}, (name, report)
        assert len(report["unmatched"]) == unmatched and report["search"]["credits"] == unmatched
        if name == "watchlist.csv":
            assert report["duplicates"] == 1
        if name == "list.csv":  # searched on Watchmode: found there, though on none of the guide's services
            searched = viewer("POST", f"/watchlist/imports/{report['import_id']}/search", json={"titles": 5})
            assert searched.status_code == 200, searched.text
            assert str(elsewhere.id) in {m["title_id"] for m in searched.json()["matched"]}
        done = viewer("POST", f"/watchlist/imports/{report['import_id']}/add")
        assert done.status_code == 200, done.text
        added |= {m["title_id"] for m in done.json()["matched"]}
    ids = {i["id"] for i in viewer.get("/watchlist")["items"]}
    assert ids == added == {str(t.id) for t in mine} | {str(elsewhere.id)}

    exported = viewer("GET", "/watchlist/export")
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    assert {r["imdb_id"] for r in csv.DictReader(io.StringIO(exported.text))} == {
        t.imdb_id for t in [*mine, elsewhere]
    }
    # Undo the IMDb import in one step: its three titles go, the others stay.
    last = viewer.get("/watchlist/imports")["items"]
    imdb_import = next(i for i in last if i["format"] == "imdb")["import_id"]
    assert viewer("DELETE", f"/watchlist/imports/{imdb_import}").json()["removed"] == 3
    left = {i["id"] for i in viewer.get("/watchlist")["items"]}
    assert left == {str(t.id) for t in [*mine[:2], *mine[4:6]]}
