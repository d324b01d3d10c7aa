"""Leaving soon (issue 21): Watchmode's leaving dates parsed tolerantly, both plans' limits, dates that move,
the reference function keeping each source's departures, and the viewer API's "leaving soon"."""

from datetime import date, timedelta

import pytest
import requests

from fake_watchmode.departures import all_departures
from tests.conftest import FAKE_KEY
from tests.support.events import FakeContext
from tvguide.departures import (
    WINDOW_DAYS,
    Departure,
    DepartureCrawl,
    DepartureReader,
    crawl_departures,
    merge_departures,
    parse_listing,
)
from tvguide.watchmode import WatchmodeClient

TODAY = date(2026, 12, 4)
GOOD = {
    "id": 345534,
    "title": "Sherlock",
    "title_type": "tv_series",
    "region": "GB",
    "type": "sub",
    "leaving_date": "2026-12-20",
    "provider_id": 203,
    "season": 2,
}


def test_a_listing_parses_and_any_field_may_be_missing_or_wrong():
    assert parse_listing(GOOD) == Departure(
        title_id="345534", source_id="203", title="Sherlock", type="tv_series", season=2, date="2026-12-20"
    )
    assert parse_listing(GOOD | {"leaving_date": "20261220", "season": None}).date == "2026-12-20"
    assert parse_listing(GOOD | {"season": None}).season is None  # a movie
    for broken in ("id", "provider_id", "leaving_date", "title"):
        assert parse_listing({k: v for k, v in GOOD.items() if k != broken}) is None, broken
    for field, value in [("id", "x"), ("id", True), ("leaving_date", "soon"), ("leaving_date", "2026-13-01")]:
        assert parse_listing(GOOD | {field: value}) is None, (field, value)
    assert parse_listing(GOOD | {"region": "US"}) is None
    assert parse_listing(GOOD | {"season": "two"}).season is None
    assert parse_listing(["not", "a", "listing"]) is None


def _client(fake):
    return WatchmodeClient(fake.public_url + "/v1/", FAKE_KEY, backoff_base=0)


def test_a_paid_plan_reads_every_departure_of_the_next_90_days(fake):
    fake.state.today = TODAY
    crawl = crawl_departures(_client(fake), TODAY)
    expected = [
        x for x in all_departures(fake.state.catalogue, {}, TODAY) if x.leaving <= TODAY + timedelta(days=90)
    ]
    assert not crawl.preview and crawl.seen_until == (TODAY + timedelta(days=WINDOW_DAYS)).isoformat()
    assert [(d.title_id, d.source_id, d.date) for d in crawl.departures] == [
        (str(x.title_id), str(x.source_id), x.leaving.isoformat()) for x in expected
    ]
    assert len(expected) > 20 and crawl.pages == fake.state.credits["title-leaving-dates"] >= 1


def test_a_free_plan_gets_the_preview_of_the_next_10_and_nothing_more(fake):
    fake.state.today, fake.state.plan = TODAY, "free"
    base, headers = fake.public_url + "/v1/title-leaving-dates/", {"X-API-Key": FAKE_KEY}
    for params in ({"start_date": "20261210"}, {"page": 2}, {"limit": 50}):
        answer = requests.get(base, params=params, headers=headers, timeout=10)
        assert answer.status_code == 403 and "LEAVING_PREVIEW_LIMIT" in answer.text, params
    crawl = crawl_departures(_client(fake), TODAY)
    assert crawl.preview and len(crawl.departures) == 10 and crawl.pages == 1
    # What lies past the tenth (and beside it, on its day) was not seen.
    assert crawl.seen_until == (date.fromisoformat(crawl.departures[-1].date) - timedelta(days=1)).isoformat()
    assert fake.state.credits["title-leaving-dates"] == 1  # the refused paid-plan ask costs nothing


def _departure(title_id, when, **extra):
    return Departure(title_id=title_id, source_id="203", title=f"Title {title_id}", date=when, **extra)


def test_dates_move_and_what_a_preview_could_not_see_is_kept():
    stored = [
        _departure("1", "2026-12-10", first_seen="2026-12-01T00:00:00+00:00"),
        _departure("2", "2026-12-12"),  # no longer listed, within what the crawl saw: cancelled
        _departure("3", "2027-01-20"),  # past what a preview saw: still true as far as anyone knows
        _departure("4", "2026-12-01"),  # gone by
    ]
    listed = [_departure("1", "2026-12-24"), _departure("5", "2026-12-15")]
    now = "2026-12-04T06:00:00+00:00"
    merged = merge_departures(stored, listed, seen_until="2026-12-24", today="2026-12-04", now=now)
    assert [(d.title_id, d.date) for d in merged] == [
        ("5", "2026-12-15"),
        ("1", "2026-12-24"),
        ("3", "2027-01-20"),
    ]
    moved = merged[1]
    assert (moved.previous_date, moved.first_seen, moved.seen_at) == (
        "2026-12-10",
        "2026-12-01T00:00:00+00:00",
        now,
    )
    assert merged[0].first_seen == now and merged[0].previous_date is None
    # Seen again at the same date: it keeps the date it moved from.
    again = merge_departures(
        merged, [_departure("1", "2026-12-24")], seen_until="2027-03-04", today="2026-12-05", now=now
    )
    assert [(d.title_id, d.previous_date) for d in again] == [("1", "2026-12-10")]


def test_a_paid_crawl_that_lists_nothing_for_a_source_empties_it():
    crawl = DepartureCrawl([], "2027-03-04", False, 1)
    merged = merge_departures(
        [_departure("3", "2027-01-20")],
        crawl.departures,
        seen_until=crawl.seen_until,
        today="2026-12-04",
        now="x",
    )
    assert merged == []


def test_the_reference_job_keeps_each_sources_departures_and_their_moves(aws_env, watchmode_env):
    from tvguide_reference.handler import lambda_handler

    fake = watchmode_env
    fake.state.today = TODAY
    result = first_crawl = lambda_handler({"source": "aws.events"}, FakeContext())
    assert result["status"] == "succeeded" and not result["departures_preview_only"]
    assert result["departures"] > 20 and result["departure_sources_written"] > 3
    reader = DepartureReader(aws_env["table"].name)
    first = all_departures(fake.state.catalogue, {}, TODAY)[0]
    source = str(first.source_id)
    [stored] = [
        d
        for d in reader.soonest([source], today="2026-12-04", until="2027-03-04")
        if d.title_id == str(first.title_id)
    ]
    later = first.leaving + timedelta(days=9)
    fake.state.moved_departures[(first.title_id, first.source_id)] = later
    fake.state.plan = "free"  # and the account went down to a free plan
    result = lambda_handler({"source": "aws.events"}, FakeContext())
    assert result["status"] == "succeeded" and result["departures_preview_only"]
    after = {d.key: d for d in reader.soonest([source], today="2026-12-04", until="2027-03-04")}
    moved = after[stored.key]
    assert (moved.date, moved.previous_date, moved.first_seen) == (
        later.isoformat(),
        stored.date,
        stored.first_seen,
    )
    # The departures past the preview's tenth are all still there (none of them was seen to go).
    everywhere = {str(s["id"]) for s in fake.state.catalogue.sources}
    kept = reader.soonest(everywhere, today="2026-12-04", until="2027-03-04")
    assert len(kept) == first_crawl["departures"] and result["departures"] == 10


@pytest.fixture
def leaving_stack(watchmode_env, api_env):
    """The reference job has run (sources, genres, departures as of today): `api_env` runs it."""
    return watchmode_env


def test_leaving_soon_lists_the_viewers_sources_departures_soonest_first(leaving_stack):
    from tests.unit.test_preferences_api import call

    departures = all_departures(leaving_stack.state.catalogue, {}, date.today())
    sources = sorted({str(x.source_id) for x in departures[:40]})[:3]
    assert call("PUT", "/preferences", body={"sources": sources, "genres": []})[0] == 200
    status, body, _ = call("GET", "/titles/leaving-soon", query={"days": "90", "limit": "200"})
    assert status == 200 and body["count"] == len(body["items"]) > 0
    dates = [t["leaving_date"] for t in body["items"]]
    assert dates == sorted(dates) and dates[0] >= date.today().isoformat()
    expected = {
        str(x.title_id)
        for x in departures
        if str(x.source_id) in sources and x.leaving <= date.today() + timedelta(days=90)
    }
    assert {t["id"] for t in body["items"]} == expected
    first = body["items"][0]
    assert first["title"] and first["leaving"][0]["source_id"] in sources
    assert first["leaving"][0]["source_name"] and first["leaving"][0]["seen_at"]
    week = call("GET", "/titles/leaving-soon", query={"days": "7"})[1]
    assert all(t["leaving_date"] <= (date.today() + timedelta(days=7)).isoformat() for t in week["items"])
    assert call("GET", "/titles/leaving-soon", query={"days": "91"})[0] == 400
    # With genres chosen, a title the guide has not fetched is not of them (none is fetched here).
    call("PUT", "/preferences", body={"sources": sources, "genres": ["4"]})
    assert call("GET", "/titles/leaving-soon", query={"days": "90"})[1]["items"] == []


def test_a_watchlisted_title_leaving_within_a_week_alerts_each_watcher_once(
    aws_env, watchmode_env, monkeypatch
):
    """The reference job writes a departure's notice once; the notifier makes it one alert per watcher who
    has the source (and one email for those who opted in), however often either runs."""
    import boto3

    from tests.conftest import _clear_runtime_caches
    from tests.support.events import dynamodb_record
    from tvguide.alerts import alert_settings_key
    from tvguide.models import Preferences
    from tvguide.repositories import PreferencesRepository
    from tvguide_notifier.handler import lambda_handler as notifier
    from tvguide_preferences_api.store import AlertInbox, WatchlistStore
    from tvguide_reference.handler import lambda_handler as reference

    ses = boto3.client("ses")
    ses.verify_email_identity(EmailAddress="alerts@tvguide.local")
    monkeypatch.setenv("ALERT_SENDER_EMAIL", "alerts@tvguide.local")
    _clear_runtime_caches()
    fake, table = watchmode_env, aws_env["table"]
    kinds = {s["id"]: s["type"] for s in fake.state.catalogue.sources}
    title = next(t for t in fake.state.catalogue.titles if any(kinds[s] == "sub" for s in t.source_ids))
    source = next(s for s in title.source_ids if kinds[s] == "sub")
    fake.state.today = TODAY
    fake.state.moved_departures[(title.id, source)] = TODAY + timedelta(days=3)
    prefs = PreferencesRepository(table.name)
    prefs.put("ann", Preferences(sources=[str(source)], genres=[]))
    prefs.put("bob", Preferences(sources=["999"], genres=[]))
    table.put_item(
        Item=alert_settings_key("ann")
        | {"email_alerts": True, "email": "ann@example.org", "email_verified": True}
    )
    for user in ("ann", "bob"):
        WatchlistStore(table.name).add(user, str(title.id))

    first = reference({"source": "aws.events"}, FakeContext())
    assert first["departure_notices"] >= 1
    fake.state.moved_departures[(title.id, source)] = TODAY + timedelta(days=5)  # the date moves
    assert reference({"source": "aws.events"}, FakeContext())["departure_notices"] == 0  # noticed already
    [notice] = [i for i in table.scan()["Items"] if i["pk"] == f"DEPARTING#{title.id}"]
    assert (
        notice["leaving"] == [str(source)] and notice["leaving_on"] == (TODAY + timedelta(days=3)).isoformat()
    )
    for delivery in range(2):  # a stream record is delivered at least once
        assert notifier({"Records": [dynamodb_record(notice, delivery, "INSERT")]}, FakeContext()) == {
            "batchItemFailures": []
        }
    [alert] = AlertInbox(table.name).latest("ann")
    assert alert["leaving"] == [str(source)] and alert["leaving_on"] == notice["leaving_on"]
    assert AlertInbox(table.name).latest("bob") == []  # not bob's service
    assert ses.get_send_quota()["SentLast24Hours"] == 1


class _Api:
    def __init__(self, rows):
        self.rows = rows

    def get(self, path, params=None, *, endpoint, credits):
        return {"titles": self.rows, "page": 1, "total_pages": 1, "total_results": len(self.rows)}


def test_a_crawl_with_an_unreadable_listing_takes_nothing_as_gone():
    """The listing it could not read may be a stored departure: the stored ones it did not list stay."""
    whole = crawl_departures(_Api([GOOD]), TODAY)
    broken = crawl_departures(_Api([GOOD, GOOD | {"id": "not a number"}]), TODAY)
    assert whole.seen_until == (TODAY + timedelta(days=WINDOW_DAYS)).isoformat() and not whole.unreadable
    assert broken.unreadable == 1 and broken.seen_until < TODAY.isoformat()
    stored = [_departure("9", "2026-12-30")]
    kept = merge_departures(
        stored, broken.departures, seen_until=broken.seen_until, today="2026-12-04", now="x"
    )
    assert "9" in {d.title_id for d in kept}
