"""Enrichment: the queue's worker enriches each title once, best rank first, one worker at a time; absent
stays absent; a permanent failure leaves the queue, a transient one stays for a later run; the enrich job."""

import json
import time
from datetime import UTC, datetime, timedelta

from fake_watchmode.server import Fault
from tests.conftest import _clear_runtime_caches
from tests.support.events import FakeContext, aws_calls_published, kinesis_record
from tests.support.stores import TitleStores
from tests.unit.test_consumer import seen
from tvguide_consumer.handler import lambda_handler as consumer
from tvguide_enrichment import handler
from tvguide_enrichment.backfill_handler import lambda_handler as backfill_handler
from tvguide_enrichment.handler import lambda_handler

_seq = iter(range(1, 10**9))


def ingest(*events):
    consumer(
        {"Records": [kinesis_record(e.model_dump_json().encode(), next(_seq)) for e in events]}, FakeContext()
    )


class RecordingLambda:
    """Stands in for the Lambda client: records the invocations (continuations, nudges)."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def invoke(self, **kwargs):
        self.calls.append({"function": kwargs["FunctionName"], "payload": json.loads(kwargs["Payload"])})


class Context(FakeContext):
    def __init__(self, request_id: str = "req-0001", seconds_left: float = 300) -> None:
        self.aws_request_id = request_id
        self.seconds_left = seconds_left

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds_left * 1000)


def drain(context=None):
    """One run of the queue's worker (as its schedule or a nudge starts it)."""
    return lambda_handler({"source": "test"}, context or Context())


def test_details_are_stored_and_genres_reach_the_availability_rows(aws_env, watchmode_env):
    cat = watchmode_env.state.catalogue
    full = next(t for t in cat.titles if t.plot_overview and t.poster and t.user_rating)
    repo = TitleStores(aws_env["table"].name)
    ingest(seen(str(full.id), [str(full.source_ids[0])]))
    assert repo.next_pending(10) == [str(full.id)]  # the consumer queued it
    report = drain()
    assert report["status"] == "drained" and report["outcomes"] == {"enriched": 1}
    item = repo.get(str(full.id))
    assert item["plot_overview"] == full.plot_overview and item["user_rating"] == full.user_rating
    assert item["poster"].endswith(f"/posters/{full.id}.svg")
    assert item["genre_ids"] == [str(g) for g in full.genres] and item["enrichment_status"] == "ENRICHED"
    assert repo.next_pending(10) == [] and repo.not_queued() == []
    # Out of the queue, into the offers-due index: its offers are fetched again in 14 days, under its rank.
    due = (datetime.now(UTC).date() + timedelta(days=14)).isoformat()
    assert item["gsi1pk"] == "OFFERS#DUE" and item["gsi1sk"].startswith(f"{due}#")
    row = next(repo.titles_on_source(str(full.source_ids[0])))
    assert row["genre_ids"] == [str(g) for g in full.genres]


def test_an_enriched_titles_offers_are_fetched_again_when_due_and_it_stays_listed(aws_env, watchmode_env):
    """Offers change: 14 days after enrichment a title is queued again under its rank (it stays enriched
    and listed meanwhile); the worker fetches its details and offers again and it is due 14 days later."""
    from tvguide_enrichment.logic import queue_due_offers

    cat = watchmode_env.state.catalogue
    title = next(t for t in cat.titles if t.user_rating)
    repo = TitleStores(aws_env["table"].name)
    ingest(seen(str(title.id), [str(title.source_ids[0])]))
    rank = repo.get(str(title.id))["gsi1sk"]  # its place in the queue
    assert drain()["outcomes"] == {"enriched": 1}
    today = datetime.now(UTC).date()
    assert queue_due_offers(repo, today + timedelta(days=13), 50) == 0  # not due yet
    assert queue_due_offers(repo, today + timedelta(days=14), 50) == 1
    item = repo.get(str(title.id))
    assert item["enrichment_status"] == "ENRICHED" and item["gsi1pk"] == "ENRICH#PENDING"
    assert item["gsi1sk"] == rank
    assert repo.next_pending(10) == [str(title.id)]
    assert queue_due_offers(repo, today + timedelta(days=14), 50) == 0  # queued once
    watchmode_env.state.reset()
    assert drain()["outcomes"] == {"enriched": 1}
    assert watchmode_env.state.calls["title-details"] == 1  # its details and offers, fetched again
    item = repo.get(str(title.id))
    assert item["gsi1pk"] == "OFFERS#DUE" and repo.next_pending(10) == []


def test_absent_details_stay_absent(aws_env, watchmode_env):
    cat = watchmode_env.state.catalogue
    bare = next(t for t in cat.titles if t.plot_overview is None and not t.poster)
    repo = TitleStores(aws_env["table"].name)
    ingest(seen(str(bare.id), ["203"]))
    drain()
    item = repo.get(str(bare.id))
    assert "plot_overview" not in item and "poster" not in item
    assert item["enrichment_status"] == "ENRICHED"


def test_details_are_fetched_once_per_title_however_often_the_worker_runs(aws_env, watchmode_env):
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:3]]
    ingest(*(seen(i, ["203"]) for i in ids))
    assert drain()["outcomes"] == {"enriched": 3}
    for _ in range(2):  # nothing queued: nothing done
        assert drain() | {"duration_ms": 0} == {
            "status": "drained",
            "stopped": "empty",
            "chunks": 0,
            "outcomes": {},
            "credits_used": 0,
            "credits_returned": 0,
            "left_for_later": 0,
            "queued_for_offers": 0,
            "continued": False,
            "duration_ms": 0,
        }
    assert watchmode_env.state.stats()["credits"]["title-details"] == 3 * 2  # details with their offers


def test_the_queue_is_drained_best_rank_first(aws_env, watchmode_env, monkeypatch):
    """Titles in more viewers' feeds first, whatever order they arrived in."""
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:6]]
    ingest(*(seen(t, ["203"]).model_copy(update={"audience": n}) for n, t in enumerate(ids)))
    order: list[str] = []
    original = handler.TitleEnricher.fetch

    def recording(self, title_id):
        order.append(title_id)
        return original(self, title_id)

    monkeypatch.setattr(handler.TitleEnricher, "fetch", recording)
    monkeypatch.setenv("ENRICHMENT_WORKERS", "1")
    _clear_runtime_caches()
    drain()
    assert order == list(reversed(ids))


def test_unknown_title_leaves_the_queue_as_failed_where_the_enrich_job_finds_it(aws_env, watchmode_env):
    repo = TitleStores(aws_env["table"].name)
    ingest(seen("1", ["203"]))  # the fake has no title 1
    assert drain()["outcomes"] == {"failed_permanently": 1}
    item = repo.get("1")
    assert item["enrichment_status"] == "FAILED" and "404" in item["enrichment_error"]
    assert repo.next_pending(10) == []  # not retried by every run
    assert [t for _, t in repo.not_queued()] == ["1"]


def test_spent_quota_stops_the_worker_without_more_calls(aws_env, watchmode_env, monkeypatch):
    monkeypatch.setenv("ENRICHMENT_WORKERS", "2")
    _clear_runtime_caches()
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:12]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    quota_spent = Fault(kind="status", status=402, count=1000)
    watchmode_env.state.faults.append(quota_spent)
    assert drain()["stopped"] == "blocked"
    assert all(repo.get(i)["enrichment_status"] == "FAILED" for i in ids)
    assert "402" in repo.get(ids[-1])["enrichment_error"]
    assert 1000 - quota_spent.count <= 2  # only the calls already in flight were made


def test_a_transient_failure_leaves_the_title_queued_for_a_later_run(aws_env, watchmode_env, monkeypatch):
    monkeypatch.setenv("WATCHMODE_MAX_RETRIES", "1")
    monkeypatch.setenv("ENRICHMENT_WORKERS", "1")  # so the fault hits the first title
    _clear_runtime_caches()
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:2]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    watchmode_env.state.faults.append(Fault(kind="status", status=503, count=2))
    report = drain()
    assert report["outcomes"] == {"failed_transiently": 1, "enriched": 1} and report["left_for_later"] == 1
    assert repo.get(ids[0])["enrichment_status"] == "PENDING" and repo.next_pending(10) == [ids[0]]
    assert repo.get(ids[1])["enrichment_status"] == "ENRICHED"
    assert drain()["outcomes"] == {"enriched": 1}  # the next run (the schedule's) takes it
    assert repo.next_pending(10) == []


def test_a_429_asking_to_wait_past_the_time_limit_stops_the_run_and_the_titles_wait(
    aws_env, watchmode_env, monkeypatch
):
    """Watchmode answers 429 with a Retry-After of an hour: the worker neither sleeps into its timeout nor
    calls again for the rest of the chunk; the titles stay queued for the schedule's next run."""
    monkeypatch.setenv("ENRICHMENT_WORKERS", "1")
    _clear_runtime_caches()
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:5]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    backoff = Fault(kind="status", status=429, count=1, retry_after=3600)
    watchmode_env.state.faults.append(backoff)
    report = drain()
    assert report["stopped"] == "watchmode_failing" and report["left_for_later"] == 5
    assert backoff.count == 0  # the 429 was served ...
    assert watchmode_env.state.stats()["calls"].get("title-details", 0) == 0  # ... and no call after it
    assert sorted(repo.next_pending(10)) == sorted(ids)
    # This container honours the Retry-After: its next run stops at once, again without a call ...
    assert drain()["stopped"] == "watchmode_failing"
    assert watchmode_env.state.stats()["calls"].get("title-details", 0) == 0
    _clear_runtime_caches()  # ... and a run after the hour (a fresh container here) enriches them
    assert drain()["outcomes"] == {"enriched": 5}


def test_one_worker_at_a_time_and_a_dead_workers_lease_lapses(aws_env, watchmode_env):
    from tvguide_enrichment.store import WorkerLease

    table = aws_env["table"].name
    ingest(seen(str(watchmode_env.state.catalogue.titles[0].id), ["203"]))
    now = time.time()
    running = WorkerLease(table, "req-running", 120)
    assert running.acquire(now=now)
    assert not WorkerLease(table, "req-other", 120).acquire(now=now + 100)  # held
    assert drain(Context("req-nudged")) == {"status": "busy"}  # a nudge while it runs: nothing to do
    assert running.renew(now=now + 100)
    # The running worker died without releasing: after its lease lapses the next run takes over.
    later = now + 100 + 122
    assert WorkerLease(table, "req-next", 120).acquire(now=later)
    assert not running.renew(now=later + 41)  # and the dead one, were it to wake, knows it lost it
    running.release()  # is not its to end
    assert not WorkerLease(table, "req-third", 120).acquire(now=later + 41)


def test_a_worker_out_of_time_continues_in_a_fresh_invocation(aws_env, watchmode_env, monkeypatch):
    recorder = RecordingLambda()
    monkeypatch.setattr(handler, "lambda_client", lambda: recorder)
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:3]]
    ingest(*(seen(i, ["203"]) for i in ids))
    report = drain(Context(seconds_left=handler.SECONDS_PER_CHUNK - 1))
    assert report["stopped"] == "time" and report["continued"] and report["chunks"] == 0
    assert recorder.calls == [
        {"function": Context.invoked_function_arn, "payload": {"source": "enrichment.continue"}}
    ]
    assert drain()["outcomes"] == {"enriched": 3}  # the continuation drains the queue
    assert len(recorder.calls) == 1  # and does not continue again: the queue is empty


def test_the_enrich_job_puts_failed_titles_back_in_the_queue_and_nudges_the_worker(
    aws_env, watchmode_env, monkeypatch
):
    from tvguide import runtime

    recorder = RecordingLambda()
    monkeypatch.setattr(runtime, "lambda_client", lambda: recorder)
    monkeypatch.setenv("ENRICHMENT_FUNCTION_NAME", "t-enrichment")
    _clear_runtime_caches()
    repo = TitleStores(aws_env["table"].name)
    ingest(seen("1", ["203"]), seen(str(watchmode_env.state.catalogue.titles[0].id), ["203"]))
    assert recorder.calls[-1] == {"function": "t-enrichment", "payload": {"source": "enrichment.nudge"}}
    drain()  # "1" fails: unknown title; the other is enriched
    result = backfill_handler({"job_id": "job-9"}, FakeContext())
    assert result == {
        "status": "succeeded",
        "cause": "job-9",
        "job_id": "job-9",
        "job_status": "running",  # until the worker has settled the title
        "titles_requested": 1,
    }
    assert repo.get("1")["enrichment_status"] == "PENDING" and repo.next_pending(10) == ["1"]
    assert repo.get("1")["enrichment_requested_by"] == "job-9"
    assert len(recorder.calls) == 2 and recorder.calls[-1]["function"] == "t-enrichment"


def test_parallel_enrichment_enriches_every_title_once(aws_env, watchmode_env, monkeypatch, caplog, capsys):
    monkeypatch.setenv("ENRICHMENT_WORKERS", "8")
    _clear_runtime_caches()
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:40]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))
    assert drain()["outcomes"] == {"enriched": 40}
    assert all(repo.get(i)["enrichment_status"] == "ENRICHED" for i in ids)
    assert watchmode_env.state.stats()["calls"]["title-details"] == 40
    assert next(r for r in caplog.records if r.getMessage() == "enrichment worker stopped").chunks == 1
    # 40 titles + their 40 availability rows (only genres and rating: the rest is ingestion's) + the lease
    # (taken, renewed once per chunk, released) + one lease of the shared rate budget + the month's credits
    # + one version bump per feed the chunk changed (the source's any-genre feed and one per genre); no
    # whole-row writes, none to pace or defer.
    genres = {g for t in watchmode_env.state.catalogue.titles[:40] for g in t.genres}
    calls = aws_calls_published(capsys.readouterr().out)[-1]
    assert calls["dynamodb:UpdateItem"] == 40 + 40 + 3 + 1 + 1 + 1 + len(genres)
    assert "dynamodb:BatchWriteItem" not in calls


def test_a_failed_index_write_leaves_the_titles_queued(aws_env, watchmode_env, monkeypatch):
    from tvguide_enrichment.store import TitleEnrichmentStore as Repository

    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:3]]
    repo = TitleStores(aws_env["table"].name)
    ingest(*(seen(i, ["203"]) for i in ids))

    def broken(self, rows):
        raise ConnectionError("throttled")

    monkeypatch.setattr(Repository, "set_availability_details", broken)
    assert drain()["left_for_later"] == 3
    assert all(repo.get(i)["enrichment_status"] == "PENDING" for i in ids)
    assert sorted(repo.next_pending(10)) == sorted(ids)


def test_permanent_failures_are_error_lines_with_the_title_and_a_metric(
    aws_env, watchmode_env, capsys, caplog
):
    """Reproduced: 402s and malformed details appeared only as INFO counters; now each is an error line with
    the title and reason, and the count is an EMF metric (alarmed in Terraform)."""
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:3]]
    ingest(*(seen(i, ["203"]) for i in ids))
    capsys.readouterr()
    watchmode_env.state.faults.append(Fault(kind="status", status=402, count=100))
    assert drain()["stopped"] == "blocked"
    errors = [r for r in caplog.records if r.getMessage() == "enrichment failed"]
    assert {e.title_id for e in errors} == set(ids) and all("402" in e.reason for e in errors)
    assert all(e.levelname == "ERROR" for e in errors)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    emf = next(line for line in lines if "_aws" in line)
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "UKTVGuide"
    assert emf["EnrichmentFailures"] == [3.0] or emf["EnrichmentFailures"] == 3.0
    assert emf["service"] == "enrichment"
