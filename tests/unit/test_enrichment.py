"""Enrichment: details once per title, absent stays absent, permanent vs transient failures, backfill."""

import json

from fake_watchmode.server import Fault
from tests.conftest import _clear_runtime_caches
from tests.support.events import FakeContext, aws_calls_published, dynamodb_record, kinesis_record
from tests.support.stores import TitleStores
from tests.unit.test_consumer import seen
from tvguide_consumer.handler import lambda_handler as consumer
from tvguide_enrichment.handler import backfill_handler, lambda_handler

_seq = iter(range(1, 10**9))


def ingest(*events):
    consumer(
        {"Records": [kinesis_record(e.model_dump_json().encode(), next(_seq)) for e in events]}, FakeContext()
    )


def stream_records(repo, ids):
    return [dynamodb_record(repo.get(i) | {"pk": f"TITLE#{i}", "sk": "TITLE"}, next(_seq)) for i in ids]


def enrich(repo, ids):
    return lambda_handler({"Records": stream_records(repo, ids)}, FakeContext())


def test_details_are_stored_and_genres_reach_the_availability_rows(aws_env, watchmode_env):
    cat = watchmode_env.state.catalogue
    full = next(t for t in cat.titles if t.plot_overview and t.poster and t.user_rating)
    repo = TitleStores(aws_env["table"].name)
    ingest(seen(str(full.id), [str(full.source_ids[0])]))
    assert enrich(repo, [str(full.id)]) == {"batchItemFailures": []}
    item = repo.get(str(full.id))
    assert item["plot_overview"] == full.plot_overview and item["user_rating"] == full.user_rating
    assert item["poster"].endswith(f"/posters/{full.id}.svg")
    assert item["genre_ids"] == [str(g) for g in full.genres] and item["enrichment_status"] == "ENRICHED"
    assert "gsi1pk" not in item and list(repo.pending_enrichment()) == []
    row = next(repo.titles_on_source(str(full.source_ids[0])))
    assert row["genre_ids"] == [str(g) for g in full.genres]


def test_absent_details_stay_absent(aws_env, watchmode_env):
    cat = watchmode_env.state.catalogue
    bare = next(t for t in cat.titles if t.plot_overview is None and not t.poster)
    repo = TitleStores(aws_env["table"].name)
    ingest(seen(str(bare.id), ["203"]))
    enrich(repo, [str(bare.id)])
    item = repo.get(str(bare.id))
    assert "plot_overview" not in item and "poster" not in item
    assert item["enrichment_status"] == "ENRICHED"


def test_details_are_fetched_once_per_title_even_when_records_repeat(aws_env, watchmode_env):
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:3]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    records = stream_records(repo, ids) + stream_records(repo, ids)
    lambda_handler({"Records": records}, FakeContext())
    lambda_handler({"Records": records}, FakeContext())
    assert watchmode_env.state.stats()["credits"]["title-details"] == 3


def test_unknown_title_is_marked_failed_not_retried(aws_env, watchmode_env):
    repo = TitleStores(aws_env["table"].name)
    ingest(seen("1", ["203"]))  # the fake has no title 1
    assert enrich(repo, ["1"]) == {"batchItemFailures": []}
    item = repo.get("1")
    assert item["enrichment_status"] == "FAILED" and "404" in item["enrichment_error"]
    assert [t for _, t in repo.pending_enrichment()] == ["1"]  # the backfill can still find it


def test_spent_quota_fails_the_rest_of_the_batch_without_more_calls(aws_env, watchmode_env, monkeypatch):
    monkeypatch.setenv("ENRICHMENT_WORKERS", "2")
    _clear_runtime_caches()
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:12]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    quota_spent = Fault(kind="status", status=402, count=1000)
    watchmode_env.state.faults.append(quota_spent)
    assert enrich(repo, ids) == {"batchItemFailures": []}
    assert all(repo.get(i)["enrichment_status"] == "FAILED" for i in ids)
    assert "402" in repo.get(ids[-1])["enrichment_error"]
    assert 1000 - quota_spent.count <= 2  # only the calls already in flight were made


def test_transient_failure_is_reported_for_retry(aws_env, watchmode_env, monkeypatch):
    monkeypatch.setenv("WATCHMODE_MAX_RETRIES", "1")
    monkeypatch.setenv("ENRICHMENT_WORKERS", "1")  # so the fault hits the first title
    _clear_runtime_caches()
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:2]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    watchmode_env.state.faults.append(Fault(kind="status", status=503, count=2))
    records = stream_records(repo, ids)
    response = lambda_handler({"Records": records}, FakeContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]}
    assert repo.get(ids[0])["enrichment_status"] == "PENDING"
    assert repo.get(ids[1])["enrichment_status"] == "ENRICHED"


def test_backfill_requests_every_title_still_needing_enrichment(aws_env, watchmode_env):
    repo = TitleStores(aws_env["table"].name)
    ingest(seen("1", ["203"]), seen(str(watchmode_env.state.catalogue.titles[0].id), ["203"]))
    enrich(repo, ["1"])  # fails: unknown title
    result = backfill_handler({"job_id": "job-9"}, FakeContext())
    assert result == {
        "status": "succeeded",
        "cause": "job-9",
        "job_id": "job-9",
        "job_status": "running",  # until enrichment has settled both titles
        "titles_requested": 2,
    }
    assert repo.get("1")["enrichment_status"] == "PENDING"
    assert repo.get("1")["enrichment_requested_by"] == "job-9"


def test_parallel_enrichment_enriches_every_title_once(aws_env, watchmode_env, monkeypatch, caplog, capsys):
    monkeypatch.setenv("ENRICHMENT_WORKERS", "8")
    _clear_runtime_caches()
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:40]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    assert enrich(repo, ids + ids[:5]) == {"batchItemFailures": []}
    assert all(repo.get(i)["enrichment_status"] == "ENRICHED" for i in ids)
    assert watchmode_env.state.stats()["calls"]["title-details"] == 40
    assert next(r for r in caplog.records if r.getMessage() == "batch enriched").outcomes["enriched"] == 40
    # 40 titles + their 40 availability rows (only genres and rating: the rest is ingestion's) + the job's
    # progress, once per batch + one lease of the shared rate budget + the month's credits + one version
    # bump per feed the batch changed (the source's any-genre feed and one per genre); no whole-row writes.
    genres = {g for t in watchmode_env.state.catalogue.titles[:40] for g in t.genres}
    calls = aws_calls_published(capsys.readouterr().out)[-1]
    assert calls["dynamodb:UpdateItem"] == 83 + 1 + len(genres)
    assert "dynamodb:BatchWriteItem" not in calls


def test_a_failed_index_write_leaves_the_titles_pending_and_reported(aws_env, watchmode_env, monkeypatch):
    from tvguide_enrichment.store import TitleEnrichmentStore as Repository

    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:3]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    records = stream_records(repo, ids)

    def broken(self, rows):
        raise ConnectionError("throttled")

    monkeypatch.setattr(Repository, "set_availability_details", broken)
    response = lambda_handler({"Records": records}, FakeContext())
    assert len(response["batchItemFailures"]) == 3
    assert all(repo.get(i)["enrichment_status"] == "PENDING" for i in ids)


def test_permanent_failures_are_error_lines_with_the_title_and_a_metric(
    aws_env, watchmode_env, capsys, caplog
):
    """Reproduced: 402s and malformed details appeared only as INFO counters; now each is an error line with
    the title and reason, and the count is an EMF metric (alarmed in Terraform)."""
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:3]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    capsys.readouterr()
    watchmode_env.state.faults.append(Fault(kind="status", status=402, count=100))
    enrich(repo, ids)
    errors = [r for r in caplog.records if r.getMessage() == "enrichment failed"]
    assert {e.title_id for e in errors} == set(ids) and all("402" in e.reason for e in errors)
    assert all(e.levelname == "ERROR" for e in errors)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    emf = next(line for line in lines if "_aws" in line)
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "UKTVGuide"
    assert emf["EnrichmentFailures"] == [3.0] or emf["EnrichmentFailures"] == 3.0
    assert emf["service"] == "enrichment"
