"""The private calendar feed: the events it holds (watchlisted titles only, on the viewer's sources), valid
iCalendar read back by a second, independent parser (vobject), stable event ids, and the link's life:
created, replaced, revoked — an unknown, revoked or guessed token answers 404, never someone's data."""

import json
from datetime import UTC, date, datetime

import vobject

from tests.support.events import FakeContext, api_event
from tvguide.departures import Departure, departures_key
from tvguide.releases import Release, releases_key
from tvguide_preferences_api import handler as api
from tvguide_preferences_api.calendar_feed import calendar_events, etag, render_ics

NAMES = {"203": "Netflix", "26": "Prime Video"}
TODAY = date(2026, 12, 4)


def test_events_hold_only_watchlisted_titles_with_stable_ids():
    departures = [
        Departure(title_id="1", source_id="203", title="Dune", date="2026-12-20", previous_date="2026-12-10"),
        Departure(title_id="2", source_id="203", title="Not watched", date="2026-12-21"),
    ]
    releases = [Release(title_id="1", source_id="26", title="Dune", season=2, date="2026-12-30")]
    alerts = [
        {"alert_id": "a1", "change_id": "c1", "title_id": "1", "title": "Dune", "arrived": ["26"],
         "at": "2026-12-01T10:00:00+00:00"},
        {"alert_id": "a0", "change_id": "c0", "title_id": "1", "title": "Dune", "arrived": ["26"],
         "at": "2026-10-01T10:00:00+00:00"},  # older than 30 days: left out
        {"alert_id": "a2", "change_id": "c2", "title_id": "1", "title": "Dune", "arrived": [], "left": ["26"],
         "at": "2026-12-02T10:00:00+00:00"},  # a departure that happened: not a date to plan for
    ]  # fmt: skip
    events = calendar_events(["1"], departures, releases, alerts, NAMES, today=TODAY)
    assert [(e.day, e.summary) for e in events] == [
        ("2026-12-01", "Now on Prime Video: Dune"),
        ("2026-12-20", "Leaving Netflix: Dune"),
        ("2026-12-30", "On Prime Video: Dune (season 2)"),
    ]
    leaving = events[1]
    assert leaving.uid == "leaving-1-203@uk-tv-guide" and leaving.sequence == 1
    assert "It was due to leave on 2026-12-10" in leaving.description
    moved_again = calendar_events(
        ["1"], [departures[0].model_copy(update={"date": "2026-12-24"})], [], [], NAMES, today=TODAY
    )
    assert moved_again[0].uid == leaving.uid  # the same event, moved: calendar apps update it


def test_the_document_parses_with_an_independent_parser():
    events = calendar_events(
        ["1"],
        [Departure(title_id="1", source_id="203", title='Amélie; "quoted", and, commas', date="2026-12-20")],
        [],
        [],
        NAMES,
        today=TODAY,
    )
    body = render_ics(events, now=datetime(2026, 12, 4, 9, 30, tzinfo=UTC))
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and b"\r\nEND:VCALENDAR\r\n" in body
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded, as RFC 5545 asks
    parsed = vobject.readOne(body.decode())
    assert parsed.prodid.value == "-//UK TV Guide//Watchlist dates//EN"
    [event] = parsed.vevent_list
    assert event.uid.value == "leaving-1-203@uk-tv-guide"
    assert event.dtstart.value == date(2026, 12, 20) and event.dtend.value == date(2026, 12, 21)
    assert event.summary.value == 'Leaving Netflix: Amélie; "quoted", and, commas'
    later = render_ics(events, now=datetime(2026, 12, 5, 9, 30, tzinfo=UTC))
    assert etag(body) == etag(later)  # only DTSTAMP differs: the feed did not change


def call(method, path, *, headers=None, **kwargs):
    event = api_event(method, path, **kwargs)
    event["headers"] |= headers or {}
    response = api.lambda_handler(event, FakeContext())
    out = {
        k: (v[0] if isinstance(v, list) else v) for k, v in (response.get("multiValueHeaders") or {}).items()
    }
    out |= response.get("headers") or {}
    return response["statusCode"], response.get("body") or "", out


def test_a_link_opens_the_viewers_feed_until_it_is_revoked(api_env, capsys):
    table = api_env["table"]
    table.put_item(Item={"pk": "USER#ann", "sk": "PREFERENCES", "sources": ["203"], "genres": []})
    table.put_item(Item={"pk": "USER#ann", "sk": "WATCH#1", "title_id": "1", "added_at": "2026-12-01"})
    today = datetime.now(UTC).date()
    soon = date.fromordinal(today.toordinal() + 5).isoformat()
    table.put_item(Item=departures_key("203") | {"departures": [
        {"title_id": "1", "source_id": "203", "title": "Dune", "date": soon},
        {"title_id": "9", "source_id": "203", "title": "Someone else's", "date": soon},
    ]})  # fmt: skip
    table.put_item(Item=releases_key("26") | {"releases": [
        {"title_id": "1", "source_id": "26", "title": "Dune", "date": soon},  # not ann's source
    ]})  # fmt: skip

    status, body, _ = call("GET", "/calendar", sub="ann")
    assert (status, json.loads(body)) == (200, {"link": None})
    status, body, _ = call("POST", "/calendar", sub="ann")
    assert status == 201
    path = json.loads(body)["link"]["path"]
    assert (
        path.startswith("/calendar-feeds/")
        and path.endswith(".ics")
        and len(path) == len("/calendar-feeds/") + 47
    )

    status, feed, headers = call("GET", path, sub=None)  # no sign-in: the token is the key
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    assert headers["Cache-Control"].startswith("private, max-age=")
    [event] = vobject.readOne(feed).vevent_list
    assert event.summary.value == "Leaving Netflix: Dune"
    status, _, _ = call("GET", path, sub=None, headers={"If-None-Match": headers["ETag"]})
    assert status == 304

    # Someone else, or a guess, gets 404; so do malformed tokens.
    bob_path = json.loads(call("POST", "/calendar", sub="bob")[1])["link"]["path"]
    assert bob_path != path
    for guess in (path[:-5] + "A.ics", "/calendar-feeds/" + "A" * 43, "/calendar-feeds/x.ics", path.upper()):
        if guess != path:
            status, body, _ = call("GET", guess, sub=None)
            assert status == 404 and "Dune" not in body

    # A new link replaces the old one; revoking ends it at once.
    new_path = json.loads(call("POST", "/calendar", sub="ann")[1])["link"]["path"]
    assert call("GET", path, sub=None)[0] == 404 and call("GET", new_path, sub=None)[0] == 200
    status, body, _ = call("DELETE", "/calendar", sub="ann")
    assert status == 200 and json.loads(body)["link"] is None
    assert call("GET", new_path, sub=None)[0] == 404
    assert call("GET", bob_path, sub=None)[0] == 200  # others' links are untouched
    assert call("DELETE", "/calendar", sub="ann")[0] == 200  # idempotent
    logged = capsys.readouterr().out
    assert '"path":"/calendar-feeds/*"' in logged.replace(" ", "")
    assert path.removeprefix("/calendar-feeds/").removesuffix(".ics") not in logged  # tokens never logged
