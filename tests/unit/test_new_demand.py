"""Instant titles: saved preferences that ask for what no crawl covers are crawled at once, for just that."""

import json

from tests.support import aws
from tests.support.events import FakeContext, dynamodb_record
from tvguide.crawls import Coverage, coverage
from tvguide.models import Demand, Preferences
from tvguide.repositories import PreferencesRepository
from tvguide_ingestion.logic import NewDemand, new_demands, stale_demands
from tvguide_reference.handler import lambda_handler as reference_handler

CRAWLED = "2026-11-21T10:00:00+00:00"


def test_coverage_of_a_source_by_its_crawls():
    assert coverage(None, {"4"}) == Coverage(crawled=False, failing=False, missing=("4",))
    assert coverage(None, None).missing == ()
    every = {"last_complete_at": CRAWLED, "all_genres": True}
    assert coverage(every, {"4"}).covered and coverage(every, None).covered
    some = {"last_complete_at": CRAWLED, "all_genres": False, "genre_ids": ["4", "6"]}
    assert coverage(some, {"6", "4"}).covered
    assert coverage(some, {"4", "11", "7"}).missing == ("7", "11")
    assert coverage(some, None) == Coverage(crawled=True, failing=False, missing=())
    # rows written before genres were tracked came from full crawls
    assert coverage({"last_complete_at": CRAWLED}, {"99"}).covered
    failing = {"last_attempt_at": CRAWLED, "failures": 2}
    assert coverage(failing, {"4"}) == Coverage(crawled=False, failing=True, missing=("4",))


def test_only_demand_no_crawl_covers_is_new():
    states = {
        "203": {"last_complete_at": CRAWLED, "all_genres": False, "genre_ids": ["4"]},
        "26": {"last_complete_at": CRAWLED, "all_genres": True},
        "372": {"last_attempt_at": CRAWLED, "failures": 1},  # failing: the schedule retries it
    }
    saved = [
        Preferences(sources=["203", "26", "409", "372", "999"], genres=["4", "6"]),
        Preferences(sources=["203"], genres=["4"]),
    ]
    assert new_demands(saved, states, {"203", "26", "409", "372"}) == [
        NewDemand(Demand(source_id="203", genre_ids=("6",)), extends=True),
        NewDemand(Demand(source_id="409", genre_ids=("4", "6")), extends=False),
    ]
    # a viewer wanting every genre of a source crawled for some: the whole source
    assert new_demands([Preferences(sources=["203"])], states, {"203"}) == [
        NewDemand(Demand(source_id="203", genre_ids=()), extends=True)
    ]
    # what is covered already costs nothing
    assert new_demands([Preferences(sources=["26", "203"], genres=["4"])], states, {"26", "203"}) == []


def test_the_schedule_also_crawls_genres_no_crawl_covered():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    states = {"1": {"last_complete_at": CRAWLED, "all_genres": False, "genre_ids": ["4"], "failures": 0}}
    assert stale_demands([Demand(source_id="1", genre_ids=("4",))], states, now, 20) == []
    wider = [Demand(source_id="1", genre_ids=("4", "6"))]
    assert stale_demands(wider, states, now, 20) == wider


def _saved(table_name, user, prefs, sequence):
    PreferencesRepository(table_name).put(user, prefs)
    item = {
        "pk": f"USER#{user}",
        "sk": "PREFERENCES",
        "sources": list(prefs.sources),
        "genres": list(prefs.genres),
    }
    return dynamodb_record(item, sequence, "INSERT")


def test_saved_preferences_fetch_just_the_new_demand_at_once(aws_env, watchmode_env):
    from tvguide_ingestion.demand_handler import lambda_handler as demand_handler
    from tvguide_ingestion.handler import lambda_handler
    from tvguide_ingestion.store import CrawlStates

    reference_handler({}, FakeContext())
    table = aws_env["table"].name
    _saved(table, "old", Preferences(sources=["203"], genres=["4"]), 1)
    lambda_handler({"job_id": "first"}, FakeContext())  # 203 with genre 4 is crawled
    published = len(aws.read_stream())
    before = watchmode_env.state.stats()["credits"]["list-titles"]

    record = _saved(table, "new", Preferences(sources=["203", "409"], genres=["4", "6"]), 2)
    result = demand_handler({"Records": [record]}, FakeContext())

    assert result["status"] == "succeeded"
    events = [json.loads(d) for d in aws.read_stream()[published:]]
    published += len(events)
    cat = watchmode_env.state.catalogue
    expected = {str(t.id) for t in cat.matching({203}, {6})} | {
        str(t.id) for t in cat.matching({409}, {4, 6})
    }
    assert {e["payload"]["id"] for e in events} == expected
    assert all(e["header"]["cause"].startswith("demand-") for e in events)
    assert all(e["header"]["event_type"] == "title.seen" for e in events)  # it never removes anything
    states = CrawlStates(table).all()
    assert states["203"]["genre_ids"] == ["4", "6"] and states["203"]["last_complete_at"]
    assert states["409"]["genre_ids"] == ["4", "6"] and states["409"]["all_genres"] is False
    spent = watchmode_env.state.stats()["credits"]["list-titles"] - before

    # The same save again (a re-delivered record), or another viewer wanting the same: nothing to do.
    again = _saved(table, "other", Preferences(sources=["409"], genres=["6"]), 3)
    assert demand_handler({"Records": [record, again]}, FakeContext())["status"] == "skipped"
    assert watchmode_env.state.stats()["credits"]["list-titles"] - before == spent
    assert len(aws.read_stream()) == published


def test_other_items_on_the_stream_are_ignored(aws_env, watchmode_env):
    from tvguide_ingestion.demand_handler import lambda_handler as demand_handler

    reference_handler({}, FakeContext())
    title = dynamodb_record({"pk": "TITLE#1", "sk": "TITLE", "sources": ["203"]}, 1)
    assert demand_handler({"Records": [title]}, FakeContext())["status"] == "skipped"
    assert watchmode_env.state.stats()["credits"].get("list-titles", 0) == 0
