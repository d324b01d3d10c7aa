"""What the consumer records when a title's availability changes (news, changes for the notifier) and the
search words it keeps for every title."""

from boto3.dynamodb.conditions import Key

from tests.unit.test_consumer import consume, left, seen
from tvguide.availability_news import AvailabilityNewsReader
from tvguide.repositories import from_dynamo
from tvguide.search import SEARCH_VERSION, SearchIndex, fold, shard_key, shard_of, words


def _changes(table, title_id):
    items = table.query(
        KeyConditionExpression=Key("pk").eq(f"TITLE#{title_id}") & Key("sk").begins_with("CHANGE#")
    )["Items"]
    return [from_dynamo(i) for i in items]


def _news(table_name, source_id):
    return list(AvailabilityNewsReader(table_name).news_since(source_id, "2000", 100))


def test_arrivals_on_tracked_sources_are_news_and_one_change_per_event(aws_env):
    table = aws_env["table"]
    first = seen("1", ["203", "409", "26"], title="Amélie")
    first = first.model_copy(update={"baseline_sources": ("26",)})  # 26's first crawl: not news
    consume(first)
    [change] = _changes(table, "1")
    assert change["kind"] == "AVAILABILITY_CHANGE" and change["arrived"] == ["203", "409"]
    assert change["left"] == [] and change["title"] == "Amélie" and change["purge_at"] > 0
    assert [n["change"] for n in _news(table.name, "203")] == ["arrived"]
    assert _news(table.name, "26") == []

    consume(seen("1", ["203", "409", "26"], title="Amélie"))  # nothing changed: nothing recorded
    assert len(_changes(table, "1")) == 1
    consume(seen("1", ["372"], title="Amélie"))  # arrived on one more
    assert sorted(c["arrived"] for c in _changes(table, "1")) == [["203", "409"], ["372"]]
    consume(left("1", "409"))
    departures = [c for c in _changes(table, "1") if c["left"]]
    assert [c["left"] for c in departures] == [["409"]]
    assert [n["change"] for n in _news(table.name, "409")] == ["left", "arrived"]  # newest first
    consume(left("1", "409"))  # it is not there any more: no news
    assert len(_changes(table, "1")) == 3


def test_a_redelivered_event_writes_the_same_items(aws_env):
    table = aws_env["table"]
    event = seen("2", ["203"], title="Heat")
    consume(event)
    items_before = table.scan()["Items"]
    # The same event again (a retry after the title write failed, say): the title already has 203, so
    # nothing new; and the items keyed on the event are the same ones.
    consume(event)
    assert len(table.scan()["Items"]) == len(items_before)


def test_every_title_is_searchable_by_its_words_whatever_the_case_or_accents(aws_env):
    index = SearchIndex(aws_env["table"].name)
    consume(seen("3", ["203"], title="Le Fabuleux Destin d'Amélie Poulain"))
    assert fold("Amélie") == "amelie" and words("L'été — ÉTÉ! a") == ["ete"]
    assert [m["title_id"] for m in index.matches("amel")] == ["3"]
    assert index.matches("amelie")[0]["folded_title"] == "le fabuleux destin d amelie poulain"
    consume(seen("3", ["203"], title="Amelie"))  # renamed: the old words go
    index.refresh()  # what the viewer API does before each search: the shard changed
    assert index.matches("fabuleux") == [] and [m["word"] for m in index.matches("am")] == ["amelie"]
    assert index.shards_read == 1
    index.refresh()
    assert index.shards_read == 0  # nothing changed: only the versions item read


def test_titles_stored_before_the_index_are_indexed_by_the_next_crawl(aws_env):
    table = aws_env["table"]
    consume(seen("4", ["203"], title="Vertigo"))
    table.update_item(Key={"pk": "TITLE#4", "sk": "TITLE"}, UpdateExpression="REMOVE search_version")
    table.update_item(Key=shard_key(shard_of("4")), UpdateExpression="REMOVE t4")
    assert SearchIndex(table.name).matches("vertigo") == []
    consume(seen("4", ["203"], title="Vertigo"))  # otherwise unchanged
    assert [m["title_id"] for m in SearchIndex(table.name).matches("vertigo")] == ["4"]
    record = from_dynamo(table.get_item(Key={"pk": "TITLE#4", "sk": "TITLE"})["Item"])
    assert record["search_version"] == SEARCH_VERSION


def test_a_title_on_no_source_leaves_the_index_and_comes_back_when_seen_again(aws_env):
    """Reproduced (issue 19): search shards only grew; the names of titles on no source stayed forever."""
    table = aws_env["table"]
    consume(seen("5", ["203", "409"], title="Rear Window"))
    consume(left("5", "203"))
    assert [m["title_id"] for m in SearchIndex(table.name).matches("rear")] == ["5"]  # still on 409
    consume(left("5", "409"))
    assert SearchIndex(table.name).matches("rear") == []
    shard = table.get_item(Key=shard_key(shard_of("5")))["Item"]
    assert "t5" not in shard
    consume(seen("5", ["26"], title="Rear Window"))  # back on a service: searchable again
    assert [m["title_id"] for m in SearchIndex(table.name).matches("rear")] == ["5"]


def test_a_full_search_shard_never_fails_the_batch(aws_env, caplog, capsys, monkeypatch):
    """Reproduced (issue 19): a shard past DynamoDB's 400 KB item limit raised in the consumer's batch
    set-up, outside the per-record dead-letter path, so every batch with a title of that shard failed (and
    a Kinesis shard would stay blocked). The titles are stored; the names that do not fit are logged and
    counted (`SearchShardFull`, alarmed). DynamoDB's refusal is played here (the message it sends)."""
    from botocore.exceptions import ClientError

    from tests.support.stores import TitleStores
    from tvguide_consumer import handler

    table = handler.store().table
    real_update = table.update_item
    full = shard_key(shard_of("32"))

    def update_item(**kwargs):
        if kwargs.get("Key") == full:
            error = {
                "Code": "ValidationException",
                "Message": "Item size to update has exceeded the maximum allowed size",
            }
            raise ClientError({"Error": error}, "UpdateItem")
        return real_update(**kwargs)

    monkeypatch.setattr(table, "update_item", update_item)
    capsys.readouterr()
    response = consume(seen("32", ["203"], title="Thirty-two"), seen("7", ["203"], title="Seven"))
    assert response == {"batchItemFailures": []}
    assert TitleStores(aws_env["table"].name).get("32") and TitleStores(aws_env["table"].name).get("7")
    assert "search shard full: 1 names not indexed" in caplog.text
    assert '"SearchShardFull"' in capsys.readouterr().out
    assert [m["title_id"] for m in SearchIndex(aws_env["table"].name).matches("seven")] == ["7"]
