"""AWS event-source-mapping semantics (checkpoint, retries, bisect, on-failure) against the real consumer."""

import json

from tests.support import aws
from tests.support.esm_driver import EventSourceMappingDriver
from tests.support.events import FakeContext, kinesis_record
from tests.support.stores import TitleStores
from tests.unit.test_consumer import seen
from tvguide_consumer import handler as consumer_handler


class CountingRepository(TitleStores):
    """Counts writes per title, and fails one title's writes a given number of times (a transient fault)."""

    def __init__(self, *args, flaky=None, failures=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.writes: dict[str, int] = {}
        self.flaky, self.failures = flaky, failures

    def save_ingested(self, summary, **kwargs):
        if summary.id == self.flaky and self.failures:
            self.failures -= 1
            raise ConnectionError("throttled")
        self.writes[summary.id] = self.writes.get(summary.id, 0) + 1
        return super().save_ingested(summary, **kwargs)


def run(aws_env, monkeypatch, records, repo, **driver_kwargs):
    monkeypatch.setattr(consumer_handler, "store", lambda: repo)
    driver = EventSourceMappingDriver(consumer_handler.lambda_handler, FakeContext(), **driver_kwargs)
    driver.run(records)
    return driver


def records_for(items):
    return [
        kinesis_record(i if isinstance(i, bytes) else seen(i, ["203"]).model_dump_json().encode(), n)
        for n, i in enumerate(items, start=1)
    ]


def test_poison_ends_in_the_dlq_and_good_records_are_stored_exactly_once(aws_env, monkeypatch):
    repo = CountingRepository(aws_env["table"].name)
    items = [str(i) for i in range(1, 8)]
    records = records_for(items[:3] + [b"\x00poison"] + items[3:])
    driver = run(aws_env, monkeypatch, records, repo, batch_size=4)
    assert repo.writes == {i: 1 for i in items}
    assert driver.on_failure == [] and driver.invocations == 2
    assert len(aws.drain_queue(aws_env["queue_url"])) == 1


def test_transient_failure_is_retried_from_the_checkpoint_and_nothing_is_written_twice(aws_env, monkeypatch):
    repo = CountingRepository(aws_env["table"].name, flaky="3", failures=2)
    items = [str(i) for i in range(1, 7)]
    driver = run(aws_env, monkeypatch, records_for(items), repo, batch_size=6, max_retries=3)
    assert repo.writes == {i: 1 for i in items}
    assert driver.on_failure == [] and driver.invocations == 3


def test_a_record_failing_past_the_retry_limit_goes_to_the_on_failure_destination(aws_env, monkeypatch):
    repo = CountingRepository(aws_env["table"].name, flaky="2", failures=10**6)
    items = ["1", "2", "3"]
    driver = run(aws_env, monkeypatch, records_for(items), repo, batch_size=1, max_retries=2)
    assert repo.writes == {"1": 1, "3": 1}
    assert driver.on_failure == [
        {"condition": "RetryAttemptsExhausted", "first_sequence": "2", "last_sequence": "2", "size": 1}
    ]
    item = TitleStores(aws_env["table"].name).get("2")
    assert item is None


def test_handler_error_bisects_the_batch(aws_env, monkeypatch):
    calls, done = [], []

    def handler(event, context):
        sequences = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
        calls.append(len(sequences))
        if "4" in sequences and len(sequences) > 1:
            raise RuntimeError("boom: only fails alongside others")
        done.extend(sequences)
        return {"batchItemFailures": []}

    driver = EventSourceMappingDriver(handler, FakeContext(), batch_size=8, max_retries=5)
    driver.run(records_for([str(i) for i in range(1, 9)]))
    assert calls[:3] == [8, 4, 2] and 1 in calls
    assert done == [str(i) for i in range(1, 9)] and driver.on_failure == []


def test_numbers_no_item_can_hold_are_dropped_on_the_way_in_and_nothing_is_retried(aws_env, monkeypatch):
    """Reproduced: a title event with `year` and `tmdb_id` of 2**200 raised decimal.Inexact in boto3's
    serializer (not the ValidationException the consumer caught), so with AWS's semantics it was retried,
    bisected and sent to the on-failure destination as metadata only, its reason lost. Out-of-range numbers
    are absent now (no information), and the title is stored."""
    repo = CountingRepository(aws_env["table"].name)
    event = json.loads(seen("1", ["203"]).model_dump_json())
    event["payload"] |= {"year": 2**200, "tmdb_id": 2**200}
    data = json.dumps(event).encode()
    driver = run(aws_env, monkeypatch, [kinesis_record(data, 1)], repo, batch_size=1, max_retries=2)
    assert driver.on_failure == [] and driver.invocations == 1
    item = TitleStores(aws_env["table"].name).get("1")
    assert item is not None and "year" not in item and "tmdb_id" not in item


def test_any_storage_failure_that_is_not_transient_goes_to_the_dlq_with_its_reason(aws_env, monkeypatch):
    """Whatever makes a record unstorable (here a value the serializer refuses), it is dead-lettered with
    the reason once, not retried until AWS drops it as metadata; throttling is still retried."""
    from decimal import Inexact

    class Unstorable(CountingRepository):
        def save_ingested(self, summary, **kwargs):
            if summary.id == "2":
                raise Inexact("[<class 'decimal.Inexact'>]")
            return super().save_ingested(summary, **kwargs)

    repo = Unstorable(aws_env["table"].name)
    driver = run(aws_env, monkeypatch, records_for(["1", "2", "3"]), repo, batch_size=3, max_retries=2)
    assert driver.on_failure == [] and driver.invocations == 1
    assert repo.writes == {"1": 1, "3": 1}
    [message] = aws.drain_queue(aws_env["queue_url"])
    assert "cannot be stored: Inexact" in json.dumps(message)


def test_a_retried_batch_counts_its_jobs_progress_once(aws_env, monkeypatch):
    """Reproduced: a batch whose third record failed transiently counted the records after it as stored,
    and AWS's retry (from the failed record on) counted them again: a job could look done too early. Only
    the records before the first failure count; the retry counts the rest."""
    from datetime import timedelta

    from tvguide.jobs import JobKind, JobRepository

    jobs = JobRepository(aws_env["table"].name)
    jobs.create(JobKind.TITLES_REFRESH, {"type": "schedule"}, timedelta(hours=1), job_id="job")
    jobs.start("job")  # the job the events' cause names (tests/unit/test_consumer.seen)
    repo = CountingRepository(aws_env["table"].name, flaky="3", failures=2)
    items = [str(i) for i in range(1, 7)]
    driver = run(aws_env, monkeypatch, records_for(items), repo, batch_size=6, max_retries=3)
    assert driver.invocations == 3 and repo.writes == {i: 1 for i in items}
    progress = jobs.get("job").progress
    assert progress["events_stored"] == 6 and progress["titles_pending"] == 6


def test_dead_lettered_events_count_as_settled_so_their_job_still_ends(aws_env, monkeypatch):
    """A record its job can never store (one that does not parse but still names its job, one DynamoDB
    refuses) is dead-lettered and counted for the job as settled: the job ends once its titles are enriched,
    instead of waiting for events that will never be stored until its deadline fails it."""
    from datetime import timedelta
    from decimal import Inexact

    from tvguide.jobs import JobKind, JobRepository, JobStatus

    class Unstorable(CountingRepository):
        def save_ingested(self, summary, **kwargs):
            if summary.id == "2":
                raise Inexact("[<class 'decimal.Inexact'>]")
            return super().save_ingested(summary, **kwargs)

    jobs = JobRepository(aws_env["table"].name)
    jobs.create(JobKind.TITLES_REFRESH, {"type": "schedule"}, timedelta(hours=1), job_id="job")
    jobs.start("job")
    jobs.add_progress("job", {"events_published": 3}, dispatch_complete=True)
    broken = json.loads(seen("9", ["203"]).model_dump_json())
    broken["payload"]["title"] = {"not": "a name"}  # parses as JSON, not as a title event
    unnamed = b"\x00not even json"  # its job cannot be read: dead-lettered, counted for no job
    records = records_for(["1", json.dumps(broken).encode(), "2", unnamed])
    driver = run(aws_env, monkeypatch, records, Unstorable(aws_env["table"].name), batch_size=4)
    assert driver.on_failure == [] and len(aws.drain_queue(aws_env["queue_url"])) == 3
    job = jobs.get("job")
    assert job.progress["events_stored"] == 1 and job.progress["events_dead_lettered"] == 2
    assert job.status == JobStatus.RUNNING  # title 1 still waits for its enrichment
    jobs.add_progress("job", {"titles_enriched": job.progress["titles_pending"]})
    assert jobs.get("job").status == JobStatus.SUCCEEDED
