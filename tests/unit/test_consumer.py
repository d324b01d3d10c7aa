"""The consumer: idempotent upserts that keep enrichment, the availability index, poison to the DLQ."""

from boto3.dynamodb.conditions import Key

from tests.support import aws
from tests.support.events import FakeContext, aws_calls_published, kinesis_record
from tests.support.stores import TitleStores
from tvguide.feed import feed_pk
from tvguide.models import EventHeader, TitleDetails, TitleEvent, TitleLeftSource, TitleSummary
from tvguide_consumer.handler import lambda_handler

_seq = iter(range(1, 10**9))


def seen(title_id, sources, title="A title", year=2020):
    return TitleEvent(
        header=EventHeader(event_type="title.seen", component="ingestion", cause="job", correlation_id="c"),
        payload=TitleSummary(id=title_id, title=title, year=year, type="movie", source_ids=sources),
    )


def left(title_id, source_id):
    return TitleEvent(
        header=EventHeader(
            event_type="title.left_source", component="ingestion", cause="job", correlation_id="c"
        ),
        payload=TitleLeftSource(title_id=title_id, source_id=source_id),
    )


def consume(*events_or_bytes):
    records = [
        kinesis_record(e if isinstance(e, bytes) else e.model_dump_json().encode(), next(_seq))
        for e in events_or_bytes
    ]
    return lambda_handler({"Records": records}, FakeContext())


def sources_index(repo, source_id):
    return sorted(r["title_id"] for r in repo.titles_on_source(source_id))


def test_new_title_is_stored_pending_and_filed_under_its_sources(aws_env):
    assert consume(seen("1", ["203", "409"])) == {"batchItemFailures": []}
    repo = TitleStores(aws_env["table"].name)
    item = repo.get("1")
    assert item["source_ids"] == ["203", "409"] and item["enrichment_status"] == "PENDING"
    assert item["gsi1pk"] == "ENRICH#PENDING"
    assert sources_index(repo, "203") == ["1"] and sources_index(repo, "409") == ["1"]
    assert repo.next_pending(10) == ["1"]  # queued for enrichment


def test_reingestion_never_erases_enrichment_and_unchanged_titles_are_not_rewritten(aws_env):
    repo = TitleStores(aws_env["table"].name)
    consume(seen("1", ["203"]))
    repo.apply_enrichment(
        TitleDetails(id="1", plot_overview="Plot", poster="http://p", user_rating=8.1, genres=[4])
    )
    before = repo.get("1")
    consume(seen("1", ["203"]))
    after = repo.get("1")
    assert after == before  # not even ingested_at moved: nothing was written
    consume(seen("1", ["203", "26"], title="Renamed"))
    renamed = repo.get("1")
    assert renamed["title"] == "Renamed" and renamed["source_ids"] == ["26", "203"]
    assert (renamed["plot_overview"], renamed["poster"], renamed["user_rating"]) == ("Plot", "http://p", 8.1)
    assert renamed["enrichment_status"] == "ENRICHED" and "gsi1pk" not in renamed
    rows = {r["source_id"]: r for s in ("203", "26") for r in repo.titles_on_source(s)}
    assert rows["26"]["genre_ids"] == ["4"] and rows["26"]["title"] == "Renamed"


def test_stale_enrichment_is_requested_again(aws_env):
    repo = TitleStores(aws_env["table"].name)
    consume(seen("1", ["203"]))
    repo.apply_enrichment(TitleDetails(id="1", plot_overview="Plot"))
    aws_env["table"].update_item(
        Key={"pk": "TITLE#1", "sk": "TITLE"},
        UpdateExpression="SET enriched_at = :t",
        ExpressionAttributeValues={":t": "2020-01-01T00:00:00+00:00"},
    )
    consume(seen("1", ["203"]))
    assert repo.get("1")["enrichment_status"] == "PENDING"


def test_title_leaving_a_source_is_unfiled_from_it_only(aws_env):
    repo = TitleStores(aws_env["table"].name)
    consume(seen("1", ["203", "409"]))
    consume(left("1", "409"))
    assert repo.get("1")["source_ids"] == ["203"]
    assert sources_index(repo, "409") == [] and sources_index(repo, "203") == ["1"]
    consume(seen("1", ["203"]))  # the next sighting does not bring the old source back
    assert repo.get("1")["source_ids"] == ["203"]


def test_events_for_one_title_in_one_batch_apply_in_order(aws_env):
    repo = TitleStores(aws_env["table"].name)
    consume(seen("1", ["203"]), seen("1", ["409"]), left("1", "203"))
    assert repo.get("1")["source_ids"] == ["409"]
    assert sources_index(repo, "203") == [] and sources_index(repo, "409") == ["1"]


def test_poison_record_goes_to_the_dlq_and_good_records_around_it_are_stored(aws_env):
    response = consume(seen("1", ["203"]), b"{not json", seen("2", ["203"]))
    assert response == {"batchItemFailures": []}
    repo = TitleStores(aws_env["table"].name)
    assert repo.get("1") and repo.get("2")
    dead = aws.drain_queue(aws_env["queue_url"])
    assert len(dead) == 1 and dead[0]["component"] == "consumer"
    assert "JSONDecodeError" in dead[0]["reason"] and dead[0]["record"]["kinesis"]["sequenceNumber"]


def test_a_batch_reads_current_titles_with_one_batch_read_and_publishes_its_aws_calls(
    aws_env, caplog, capsys
):
    capsys.readouterr()
    consume(*(seen(str(i), ["203", "409"]) for i in range(1, 51)))
    record = next(r for r in caplog.records if r.getMessage() == "batch processed")
    assert aws_calls_published(capsys.readouterr().out)[-1] == {
        "dynamodb:BatchGetItem": 1,
        # 50 titles, the job's progress once for the whole batch, one version bump per feed written (the
        # two any-genre feeds: their heads are out of date), the names into the 32 search shards (ids 1 to
        # 50) and one bump of the shards' versions
        "dynamodb:UpdateItem": 53 + 32 + 1,
        # 25 items to a request: the batch's 100 availability rows and their 100 feed entries (any genre:
        # none known yet), and for each title that arrived, its availability change and one news item per
        # source (150)
        "dynamodb:BatchWriteItem": 14,
    }
    assert record.outcomes == {"created": 50}
    assert record.index_rows_written == 100


def test_enrichment_landing_between_the_consumers_read_and_write_is_not_undone(aws_env):
    """Reproduced: the consumer read a title (no genres yet), enrichment then wrote the row's genres and
    rating, and the consumer's whole-row write from its snapshot wiped them, so the title left genre
    filters and recommendations. Now each writer updates only the attributes it owns."""
    from tvguide_consumer.logic import TitleEventApplier

    repo = TitleStores(aws_env["table"].name)
    consume(seen("1", ["203"]))  # stored, pending enrichment, filed under 203 without genres
    applier = TitleEventApplier(repo)
    plans, changes = applier.plan_batch([seen("1", ["409"], title="A title, renamed")])  # reads the snapshot
    repo.set_availability_details([("1", "203", ["4", "7"], 8.1)])  # enrichment lands now
    repo.apply_enrichment(TitleDetails(id="1", genres=["4", "7"], user_rating=8.1))
    changes.write_to(repo)  # then the consumer writes what it planned
    for plan in plans:
        plan.execute()
    rows = {r["source_id"]: r for r in repo.titles_on_source("203")} | {
        r["source_id"]: r for r in repo.titles_on_source("409")
    }
    assert rows["203"]["genre_ids"] == ["4", "7"] and rows["203"]["user_rating"] == 8.1
    assert rows["203"]["title"] == "A title, renamed"  # the consumer's own field did change
    assert set(rows) == {"203", "409"}
    # Reproduced: the row filed for 409 came from the snapshot (no genres) and enrichment, done before 409
    # was on the title, never patched it. The consumer's title write now sees the enrichment and heals it.
    assert rows["409"]["genre_ids"] == ["4", "7"] and rows["409"]["user_rating"] == 8.1
    genre_feed = aws_env["table"].query(KeyConditionExpression=Key("pk").eq(feed_pk("409", "7")))["Items"]
    assert {e["title_id"] for e in genre_feed} == {"1"}  # in the genre's feed too


def test_a_row_filed_while_enrichment_fetches_the_title_gets_its_genres(aws_env):
    """The other order: enrichment read the title (on 203), the consumer then filed it under 409 and wrote
    the title, and enrichment stored the details: its title write finds 409 and patches that row too."""
    from tvguide_enrichment.logic import EnrichmentOutcome, TitleEnricher

    class Details:
        def title_details(self, title_id, region="GB"):
            return TitleDetails(id=title_id, genres=["4", "7"], user_rating=8.1)

    repo = TitleStores(aws_env["table"].name)
    consume(seen("1", ["203"]))
    enricher = TitleEnricher(Details(), repo)
    enricher.prefetch(["1"])  # enrichment's read: on 203 only
    consume(seen("1", ["409"]))  # the consumer files the title under 409 meanwhile
    assert enricher.enrich_many(["1"], workers=1) == {"1": EnrichmentOutcome.ENRICHED}
    for source in ("203", "409"):
        [row] = repo.titles_on_source(source)
        assert row["genre_ids"] == ["4", "7"] and row["user_rating"] == 8.1, source


def test_a_title_on_a_new_source_gets_a_whole_row_and_its_other_rows_are_left_alone(aws_env):
    """Issue 24 (a new source's titles listed within 60 s at 30,000 titles): a title already stored that
    turns up on a new source had every row rewritten field by field (an UpdateItem and conditional feed
    puts per row, one at a time). Its new row does not exist yet: it is written whole with the batch's rows,
    with the title's genres and rating; its other rows change only when its name, type or year does."""
    repo = TitleStores(aws_env["table"].name)
    table = aws_env["table"]
    consume(seen("1", ["203"]))
    repo.set_availability_details([("1", "203", ["4"], 7.5)])
    repo.apply_enrichment(TitleDetails(id="1", genres=["4"], user_rating=7.5))

    def row(source):
        return table.get_item(Key={"pk": f"SOURCE#{source}", "sk": "TITLE#1"})["Item"]

    revision = row("203")["rev"]
    consume(seen("1", ["203", "409"]))  # the title is now also on 409
    assert row("203")["rev"] == revision  # not rewritten: nothing it carries changed
    new = row("409")
    assert new["genre_ids"] == ["4"] and float(new["user_rating"]) == 7.5 and new["title"] == "A title"
    genre_feed = table.query(KeyConditionExpression=Key("pk").eq(feed_pk("409", "4")))["Items"]
    assert {e["title_id"] for e in genre_feed} == {"1"}
    consume(seen("1", ["203", "409"], title="A title, renamed"))  # a change the rows repeat
    assert row("203")["title"] == row("409")["title"] == "A title, renamed"
    assert row("203")["rev"] == revision + 1


def test_enrichment_does_not_bring_back_a_row_the_consumer_unfiled(aws_env):
    repo = TitleStores(aws_env["table"].name)
    consume(seen("1", ["203", "409"]))
    consume(left("1", "409"))
    assert repo.set_availability_details([("1", "409", ["4"], 7.5), ("1", "203", ["4"], 7.5)]) == 1
    assert sources_index(repo, "409") == [] and sources_index(repo, "203") == ["1"]


def test_an_oversized_title_is_trimmed_on_the_way_in_and_stored(aws_env):
    """Reproduced: a 450 KB title failed the consumer's batch again and again (it blocked the shard)."""
    huge = seen("1", ["203"], title="A" * 450_000)
    assert consume(huge) == {"batchItemFailures": []}
    repo = TitleStores(aws_env["table"].name)
    assert repo.get("1")["title"] == "A" * 500
    assert next(repo.titles_on_source("203"))["title"] == "A" * 500


def test_a_record_that_parses_but_can_never_be_stored_goes_to_the_dlq_with_its_reason(aws_env, monkeypatch):
    from botocore.exceptions import ClientError

    def refuse(self, summary, **kwargs):
        raise ClientError(
            {
                "Error": {
                    "Code": "ValidationException",
                    "Message": "Item size has exceeded the maximum allowed size",
                }
            },
            "UpdateItem",
        )

    from tvguide_consumer.store import TitleIngestStore

    monkeypatch.setattr(TitleIngestStore, "save_ingested", refuse)
    assert consume(seen("1", ["203"]), seen("2", ["203"])) == {"batchItemFailures": []}
    dead = aws.drain_queue(aws_env["queue_url"])
    assert len(dead) == 2 and all("cannot be stored: Item size" in d["reason"] for d in dead)


def test_title_writes_run_several_titles_at_once_and_each_titles_writes_in_order():
    """Two titles' writes meet at a barrier (they only pass it running at once); one title's three writes
    land in the batch's order, and the one that fails does not stop the title's later write."""
    import threading

    from tvguide_consumer.logic import EventOutcome, PlannedEvent, write_titles

    barrier = threading.Barrier(2, timeout=5)
    landed: list[str] = []

    def write(name: str, *, meet: bool = False, fail: bool = False):
        def run() -> None:
            if meet:
                barrier.wait()
            if fail:
                raise ValueError(name)
            landed.append(name)

        return run

    planned = {
        "1": PlannedEvent(EventOutcome.CREATED, write("a1", meet=True), title_id="a"),
        "2": PlannedEvent(EventOutcome.UPDATED, write("a2", fail=True), title_id="a"),
        "3": PlannedEvent(EventOutcome.UPDATED, write("b1", meet=True), title_id="b"),
        "4": PlannedEvent(EventOutcome.UPDATED, write("a3"), title_id="a"),
        "5": PlannedEvent(EventOutcome.UNCHANGED, title_id="c"),
    }
    results = write_titles(planned, writers=4)

    assert list(results) == ["1", "2", "3", "4", "5"]
    assert results["1"] == EventOutcome.CREATED and results["4"] == EventOutcome.UPDATED
    assert isinstance(results["2"], ValueError)
    assert results["5"] == EventOutcome.UNCHANGED
    assert [n for n in landed if n.startswith("a")] == ["a1", "a3"]
    assert "b1" in landed
