"""The title pipeline on the real local stack: reference -> ingestion -> Kinesis -> consumer -> DynamoDB
-> stream -> enrichment, with the fake Watchmode behind it. `make test` has already run one cycle."""

from __future__ import annotations

import json

from stack_client import wait_for_pipeline, wait_until
from tests.support.stack_items import demand, expected_titles, filed_under, get_title


def test_every_wanted_title_is_enriched_and_filed_under_exactly_its_real_sources(stack, catalogue, table):
    viewers = stack.info["seeded_viewers"]
    expected = expected_titles(catalogue, viewers)
    assert len(expected) > 100
    for source in demand(viewers):
        rows = filed_under(table, source)
        assert {r["title_id"] for r in rows} == {t for t, s in expected.items() if str(source) in s}, source
        for row in rows:
            assert row["genre_ids"] == [str(g) for g in catalogue.by_id[int(row["title_id"])].genres]
    demanded = {str(s) for s in demand(viewers)}
    for title_id, sources in expected.items():
        item = get_title(table, title_id)
        real = catalogue.by_id[int(title_id)]
        # Among the seeded demand, exactly its real sources (other tests' viewers demand more sources).
        assert set(item["source_ids"]) & demanded == sources
        assert item["enrichment_status"] == "ENRICHED", item
        assert item.get("plot_overview") == real.plot_overview
        assert item.get("user_rating") == real.user_rating
        assert ("poster" in item) == real.poster
        assert item["genre_ids"] == [str(g) for g in real.genres]


def test_hostile_text_is_stored_verbatim(stack, catalogue, table):
    expected = expected_titles(catalogue, stack.info["seeded_viewers"])
    hostile = [catalogue.by_id[int(t)] for t in expected if "<" in catalogue.by_id[int(t)].title]
    for title in hostile:
        assert get_title(table, title.id)["title"] == title.title


def test_a_second_cycle_keeps_enrichment_and_spends_no_details_credits(stack, catalogue, table):
    expected = expected_titles(catalogue, stack.info["seeded_viewers"])
    sample = sorted(expected)[:25]
    before = {t: get_title(table, t) for t in sample}
    credits_before = stack.fake_watchmode("/_fake/stats")["credits"]
    consumed = stack.consumed_records()
    report = stack.invoke(stack.info["functions"]["ingestion"], {"job_id": "it-second-cycle"})
    assert report["status"] == "succeeded" and report["titles_published"] == len(expected)
    wait_for_pipeline(stack, consumed + report["titles_published"], seconds=300)
    credits_after = stack.fake_watchmode("/_fake/stats")["credits"]
    assert credits_after["title-details"] == credits_before["title-details"]
    assert credits_after["list-titles"] > credits_before["list-titles"]
    assert {t: get_title(table, t) for t in sample} == before  # not a single attribute rewritten


def test_a_new_viewers_source_is_fetched_at_once_without_an_ingestion_run(stack, catalogue, table):
    """Saving preferences that ask for a source nobody had crawls just that, at once: its titles are filed
    and enriched (each detailed once) with no ingestion job; saving them again costs nothing."""
    viewers = stack.info["seeded_viewers"]
    known = expected_titles(catalogue, viewers)
    newcomer = {"user_id": "it-new-viewer", "sources": ["444"], "genres": ["15"]}
    expected = expected_titles(catalogue, [*viewers, newcomer])
    new_titles = expected.keys() - known.keys()
    assert new_titles
    jobs_before = stack.jobs().list(limit=5)[0]
    details_before = stack.fake_watchmode("/_fake/stats")["calls"]["title-details"]
    item = {
        "pk": "USER#it-new-viewer", "sk": "PREFERENCES", "gsi1pk": "PREFERENCES",
        "gsi1sk": "USER#it-new-viewer", "user_id": "it-new-viewer",
        "sources": newcomer["sources"], "genres": newcomer["genres"],
    }  # fmt: skip
    table.put_item(Item=item)

    def fetched():
        filed = {r["title_id"] for r in filed_under(table, "444")}
        statuses = [(get_title(table, t) or {}).get("enrichment_status") for t in new_titles]
        enriched = [s for s in statuses if s == "ENRICHED"]
        return filed == {t for t, s in expected.items() if "444" in s} and len(enriched) == len(new_titles), (
            f"{len(filed)} filed under 444, {len(enriched)}/{len(new_titles)} enriched"
        )

    wait_until(fetched, 120, "the new source's titles")
    details_after = stack.fake_watchmode("/_fake/stats")["calls"]["title-details"]
    assert details_after - details_before == len(new_titles)  # once each (with their offers: 2 credits)
    assert [j.job_id for j in stack.jobs().list(limit=5)[0]] == [j.job_id for j in jobs_before]  # no job ran
    list_before = stack.fake_watchmode("/_fake/stats")["credits"]["list-titles"]
    table.put_item(Item=item | {"updated_at": "again"})  # the same demand again: covered, nothing crawled
    checked = len(stack.log_records(stack.info["log_groups"]["demand"], "demand checked"))
    wait_until(
        lambda: (len(stack.log_records(stack.info["log_groups"]["demand"], "demand checked")) > checked, ""),
        180,  # an upper bound: the emulator's one stream poller is slow on a loaded machine
        "the second save to be checked",
    )
    assert stack.fake_watchmode("/_fake/stats")["credits"]["list-titles"] == list_before


def test_backfill_enriches_a_title_whose_enrichment_failed(stack, catalogue, table):
    """The enrich job puts the failed title back in the queue and nudges the worker, which enriches it."""
    title_id = sorted(expected_titles(catalogue, stack.info["seeded_viewers"]))[0]
    table.update_item(
        Key={"pk": f"TITLE#{title_id}", "sk": "TITLE"},
        UpdateExpression="SET enrichment_status = :f, enrichment_error = :e, gsi1pk = :p, gsi1sk = :s "
        "REMOVE plot_overview",
        ExpressionAttributeValues={
            ":f": "FAILED",
            ":e": "simulated",
            ":p": "ENRICH#FAILED",  # where a failure leaves a title: out of the queue
            ":s": f"TITLE#{title_id}",
        },
    )
    result = stack.invoke(stack.info["functions"]["backfill"], {"job_id": "it-backfill"})
    assert result == {
        "status": "succeeded",
        "cause": "it-backfill",
        "job_id": "it-backfill",
        "job_status": "running",
        "titles_requested": 1,
    }

    def enriched():
        item = get_title(table, title_id)
        return item["enrichment_status"] == "ENRICHED", item["enrichment_status"]

    wait_until(enriched, 120, "the backfilled title to be enriched")
    item = get_title(table, title_id)
    assert item.get("plot_overview") == catalogue.by_id[int(title_id)].plot_overview
    # Out of the queue and of the failed index: its offers are due again in 14 days.
    assert "enrichment_error" not in item and item.get("gsi1pk") == "OFFERS#DUE"


def test_a_poison_record_on_the_real_stream_lands_in_the_dlq_and_does_not_block(stack, table):
    kinesis = stack.client("kinesis")
    sqs = stack.client("sqs")
    consumed = stack.consumed_records()
    good = {
        "header": {"event_type": "title.seen", "component": "it", "cause": "it", "correlation_id": "it"},
        "payload": {"id": "999000111", "title": "After the poison", "source_ids": ["203"]},
    }
    kinesis.put_records(
        StreamName=stack.info["title_stream"],
        Records=[
            {"Data": b'{"header": "not an object"}', "PartitionKey": "poison"},
            {"Data": json.dumps(good).encode(), "PartitionKey": "999000111"},
        ],
    )
    wait_until(lambda: (stack.consumed_records() >= consumed + 2, "waiting"), 120, "the consumer")
    assert get_title(table, "999000111")["title"] == "After the poison"
    messages = sqs.receive_message(QueueUrl=stack.info["dlq_urls"]["consumer"], MaxNumberOfMessages=10)
    bodies = [json.loads(m["Body"]) for m in messages.get("Messages", [])]
    assert any(b["component"] == "consumer" and "header" in b["reason"] for b in bodies), bodies
