"""Coming soon (issue 21): Watchmode's releases parsed tolerantly, kept per source by the daily reference
job (what is no longer announced is gone), and the viewer API's "coming soon"."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import FAKE_KEY
from tests.support.events import FakeContext
from tvguide.releases import WINDOW_DAYS, Release, ReleaseReader, crawl_releases, parse_release
from tvguide.watchmode import WatchmodeClient

TODAY = date(2026, 12, 4)
ROW = {
    "id": 1582954,
    "title": "The Crown",
    "type": "tv_series",
    "tmdb_id": 65494,
    "tmdb_type": "tv",
    "imdb_id": "tt4786824",
    "season_number": 6,
    "poster_url": "https://cdn.watchmode.com/posters/01582954_poster_w185.jpg",
    "source_release_date": "2026-12-16",
    "source_id": 203,
    "source_name": "Netflix",
    "is_original": 1,
}


def test_a_release_parses_and_any_field_may_be_missing_or_wrong():
    assert parse_release(ROW) == Release(
        title_id="1582954",
        source_id="203",
        title="The Crown",
        type="tv_series",
        season=6,
        date="2026-12-16",
        poster=ROW["poster_url"],
        original=True,
    )
    for broken in ("id", "source_id", "source_release_date", "title"):
        assert parse_release({k: v for k, v in ROW.items() if k != broken}) is None, broken
    assert parse_release(ROW | {"poster_url": "javascript:alert(1)"}).poster is None
    assert parse_release(ROW | {"season_number": None, "is_original": None}).season is None
    assert parse_release(ROW | {"source_release_date": "next year"}) is None
    assert parse_release("nonsense") is None


def test_the_crawl_reads_the_next_60_days_in_one_call(fake):
    fake.state.today = TODAY
    client = WatchmodeClient(fake.public_url + "/v1/", FAKE_KEY, backoff_base=0)
    found, unreadable = crawl_releases(client, TODAY)
    last = (TODAY + timedelta(days=WINDOW_DAYS)).isoformat()
    assert found and unreadable == 0 and all(TODAY.isoformat() <= r.date <= last for r in found)
    assert fake.state.credits["releases"] == 1


def test_the_reference_job_replaces_each_sources_releases(aws_env, watchmode_env, monkeypatch):
    from tvguide_reference import handler
    from tvguide_reference.handler import lambda_handler

    fake = watchmode_env
    fake.state.today = TODAY
    clock = [datetime(2026, 12, 4, 6, tzinfo=UTC)]
    monkeypatch.setattr(handler, "utc_now", lambda: clock[0])
    result = lambda_handler({"source": "aws.events"}, FakeContext())
    assert result["status"] == "succeeded" and result["releases"] > 0
    everywhere = [str(s["id"]) for s in fake.state.catalogue.sources]
    reader = ReleaseReader(aws_env["table"].name)
    stored = reader.soonest(everywhere, today=TODAY.isoformat(), until="2027-12-31")
    assert len(stored) == result["releases"]
    dates = [r.date for r in stored]
    assert dates == sorted(dates)
    fake.state.today = TODAY + timedelta(days=200)  # what was announced has arrived; new ones are
    clock[0] += timedelta(days=200)
    lambda_handler({"source": "aws.events"}, FakeContext())
    later = reader.soonest(everywhere, today=fake.state.today.isoformat(), until="2027-12-31")
    # The releases first stored have all arrived: none of them is left (what is there is newly announced).
    assert later and all(r.date >= fake.state.today.isoformat() for r in later)
    assert not {(r.title_id, r.date) for r in stored} & {(r.title_id, r.date) for r in later}


@pytest.fixture
def coming_stack(watchmode_env, api_env):
    """The reference job has run (as of today: `api_env` runs it)."""
    return watchmode_env


def test_coming_soon_lists_the_viewers_sources_arrivals_soonest_first(coming_stack):
    from tests.unit.test_preferences_api import call

    today = datetime.now(UTC).date()
    everywhere = [str(s["id"]) for s in coming_stack.state.catalogue.sources]
    assert call("PUT", "/preferences", body={"sources": everywhere[:40], "genres": []})[0] == 200
    status, body, _ = call("GET", "/titles/coming-soon", query={"days": "60", "limit": "200"})
    assert status == 200 and body["count"] == len(body["items"]) > 0
    dates = [t["arriving_date"] for t in body["items"]]
    assert dates == sorted(dates) and dates[0] >= today.isoformat()
    first = body["items"][0]
    assert first["title"] and first["poster"] and first["arriving"][0]["source_id"] in everywhere[:40]
    assert first["arriving"][0]["source_name"] and "original" in first["arriving"][0]
    assert call("GET", "/titles/coming-soon", query={"days": "0"})[0] == 400
