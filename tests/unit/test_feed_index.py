"""The feed index follows the availability rows whoever writes them, and a stack that predates it gets it
rebuilt by a job."""

import json

from boto3.dynamodb.conditions import Attr

from tests.support.events import FakeContext
from tests.support.stores import TitleStores
from tests.unit.test_consumer import consume, left, seen
from tvguide.feed.entries import FEED_VERSION_KEY, by_rating, by_title
from tvguide.models import TitleDetails
from tvguide.repositories import from_dynamo
from tvguide_reference.handler import lambda_handler as reference_handler

SCHEDULE = {"source": "aws.events", "detail-type": "Scheduled Event"}


def enrich(table, title_id, sources, rating, genres):
    """What enrichment does: the record's details, then each row's genres and rating."""
    store = TitleStores(table.name)
    store.apply_enrichment(TitleDetails(id=title_id, user_rating=rating, genres=genres))
    store.set_availability_details((title_id, s, [str(g) for g in genres], rating) for s in sources)


def feed(table):
    items = table.scan(FilterExpression=Attr("pk").begins_with("FEED#"))["Items"]
    return {(i["pk"], i["sk"]): from_dynamo(i) for i in items}


def test_entries_mirror_each_row_in_every_order_and_follow_its_changes(aws_env):
    table = aws_env["table"]
    consume(seen("1", ["203", "409"], title="Amélie", year=2001))
    entries = feed(table)
    assert set(entries) == {("FEED#203#*", "TITLE#1"), ("FEED#409#*", "TITLE#1")}  # genres not known yet
    entry = entries[("FEED#203#*", "TITLE#1")]
    assert entry["by_title"] == by_title("Amélie", "1") and entry["by_rating"] == by_rating(
        None, "Amélie", "1"
    )
    assert entry["by_year"].startswith("07999 ") and entry["type"] == "movie"

    enrich(table, "1", ["203", "409"], 8.4, [4, 7])
    assert set(feed(table)) == {(f"FEED#{s}#{g}", "TITLE#1") for s in ("203", "409") for g in ("*", "4", "7")}
    assert feed(table)[("FEED#409#7", "TITLE#1")]["by_rating"] == by_rating(8.4, "Amélie", "1")

    enrich(table, "1", ["203", "409"], 6.0, [4])  # lost genre 7
    assert ("FEED#203#7", "TITLE#1") not in feed(table)
    consume(seen("1", ["203", "409"], title="Amélie (2001)", year=2001))  # renamed
    assert feed(table)[("FEED#203#4", "TITLE#1")]["by_title"] == by_title("Amélie (2001)", "1")
    consume(left("1", "409"))
    assert {pk for pk, _ in feed(table)} == {"FEED#203#*", "FEED#203#4"}


def test_an_older_state_never_overwrites_a_newer_one(aws_env):
    from tvguide.feed.entries import entries_for_row, write_entries

    table = aws_env["table"]
    consume(seen("2", ["203"], title="Heat"))
    enrich(table, "2", ["203"], 7.5, [4])
    current = feed(table)[("FEED#203#4", "TITLE#2")]
    stale_row = {"title_id": "2", "source_id": "203", "title": "Old name", "genre_ids": ["4"], "rev": 1}
    assert write_entries(table, entries_for_row(stale_row)) == 0  # a writer holding an older snapshot
    assert feed(table)[("FEED#203#4", "TITLE#2")] == current


def test_a_stack_without_the_index_gets_it_rebuilt_once_by_the_job(aws_env, watchmode_env, monkeypatch):
    from tvguide_consumer import feed_rebuild_handler as handler

    table = aws_env["table"]
    reference_handler({}, FakeContext())
    for n in range(1, 6):
        consume(seen(str(n), ["203", "409"], title=f"Title {n}"))
    enrich(table, "3", ["203", "409"], 9.0, [4])
    built = feed(table)
    for key in built:  # as if the stack predated the feed
        table.delete_item(Key={"pk": key[0], "sk": key[1]})
    monkeypatch.setattr(handler, "ROWS_PER_INVOCATION", 3)  # one source per invocation
    continuations = []

    class Lambda:
        def invoke(self, **request):
            continuations.append(request)

    monkeypatch.setattr(handler, "lambda_client", Lambda)
    first = handler.lambda_handler(SCHEDULE, FakeContext())
    while continuations:
        handler.lambda_handler(json.loads(continuations.pop()["Payload"]), FakeContext())
    assert first["status"] == "succeeded" and feed(table) == built
    assert from_dynamo(table.get_item(Key=FEED_VERSION_KEY)["Item"])["version"] >= 1
    assert handler.lambda_handler(SCHEDULE, FakeContext())["status"] == "skipped"  # up to date
