"""Jobs: one of a kind at a time, progress fed by the pipeline, success only when the pipeline is done."""

import json
import time
from datetime import datetime, timedelta

import pytest

from fake_watchmode.server import Fault
from tests.support import aws
from tests.support.events import FakeContext, kinesis_record
from tests.support.stores import TitleStores
from tvguide.jobs import JobConflict, JobKind, JobRepository, JobStatus
from tvguide.models import Preferences
from tvguide.repositories import PreferencesRepository

HOUR = timedelta(hours=1)
ADMIN = {"type": "admin", "sub": "sub-1", "email": "admin@example.com"}


@pytest.fixture
def jobs(aws_env):
    return JobRepository(aws_env["table"].name)


def test_one_job_of_a_kind_at_a_time_and_the_lock_is_released_when_it_ends(jobs):
    first = jobs.create(JobKind.TITLES_REFRESH, ADMIN, HOUR)
    assert first.status == JobStatus.QUEUED and first.requested_by == ADMIN
    with pytest.raises(JobConflict) as conflict:
        jobs.create(JobKind.TITLES_REFRESH, ADMIN, HOUR)
    assert conflict.value.running_job_id == first.job_id
    other_kind = jobs.create(JobKind.REFERENCE_REFRESH, ADMIN, HOUR)  # other kinds are independent
    assert jobs.start(first.job_id) and not jobs.start(first.job_id)
    assert jobs.finish(first.job_id, JobStatus.FAILED, error="boom")
    assert not jobs.finish(first.job_id, JobStatus.SUCCEEDED)  # a finished job stays finished
    failed = jobs.get(first.job_id)
    assert failed.status == JobStatus.FAILED and failed.error == "boom" and failed.finished_at
    second = jobs.create(JobKind.TITLES_REFRESH, ADMIN, HOUR)
    assert second.job_id != first.job_id
    assert jobs.get(other_kind.job_id).status == JobStatus.QUEUED


class Clock:
    """The jobs module's clock, moved on by hand."""

    def __init__(self, monkeypatch):
        from tvguide import job_runner, models
        from tvguide import jobs as jobs_module

        self.offset, real = timedelta(), jobs_module.utc_now
        for module in (jobs_module, job_runner, models):  # models: the times written (iso_now)
            monkeypatch.setattr(module, "utc_now", lambda: real() + self.offset)

    def advance(self, seconds):
        self.offset += timedelta(seconds=seconds)


def test_a_killed_run_frees_its_kind_within_minutes_and_its_job_is_marked_failed(jobs, monkeypatch):
    """Reproduced: the lock lasted until the job's deadline (6 h), so a run killed mid-crawl blocked every
    refresh of its kind for hours. A run holds the lock for its own time left plus a continuation's start."""
    from tvguide.jobs import HANDOVER_SECONDS

    clock = Clock(monkeypatch)
    killed = jobs.create(JobKind.TITLES_REFRESH, ADMIN, timedelta(hours=6))
    assert jobs.hold_lock(killed, 900 + HANDOVER_SECONDS) and jobs.start(killed.job_id)  # as run_job does
    clock.advance(900)  # still within its run (and the time a continuation has to start)
    with pytest.raises(JobConflict):
        jobs.create(JobKind.TITLES_REFRESH, ADMIN, HOUR)
    clock.advance(HANDOVER_SECONDS + 2)  # nobody renewed it: the run is gone
    replacement = jobs.create(JobKind.TITLES_REFRESH, ADMIN, HOUR)
    stopped = jobs.get(killed.job_id)
    assert stopped.status == JobStatus.FAILED and "stopped" in stopped.error
    assert jobs.holder(JobKind.TITLES_REFRESH) == replacement.job_id
    assert not jobs.hold_lock(killed, 60)  # the stopped run, were it to wake, holds nothing


def test_the_hourly_sweep_ends_stuck_jobs_and_counts_those_of_the_last_hour(jobs, monkeypatch):
    """Reproduced: a killed run's job stayed `running` until another job of its kind was asked for, an
    overdue one until someone opened the admin screen, and no alarm saw either."""
    from tvguide.job_runner import end_stuck_jobs
    from tvguide.jobs import STOPPED, TIMED_OUT

    clock = Clock(monkeypatch)
    killed = jobs.create(JobKind.TITLES_REFRESH, ADMIN, timedelta(hours=6))
    assert jobs.start(killed.job_id) and jobs.hold_lock(killed, 600)
    waiting = jobs.create(JobKind.TITLES_ENRICH, ADMIN, HOUR)
    assert jobs.start(waiting.job_id) and jobs.hold_lock(waiting)  # held until its deadline
    healthy = jobs.create(JobKind.REFERENCE_REFRESH, ADMIN, timedelta(hours=6))
    assert jobs.start(healthy.job_id) and jobs.hold_lock(healthy, 9000)
    failed = jobs.create(JobKind.SUMMARY, ADMIN, HOUR)
    assert jobs.finish(failed.job_id, JobStatus.FAILED, error="boom")  # failed by its code: not stuck

    assert end_stuck_jobs(jobs) == []
    clock.advance(602)  # the killed run's lease lapsed; nobody asked for another refresh
    assert [(j.job_id, j.error) for j in end_stuck_jobs(jobs)] == [(killed.job_id, STOPPED)]
    assert jobs.get(killed.job_id).status == JobStatus.FAILED
    clock.advance(3100)  # the enrich job is past its deadline; the killed one ended 51 min ago
    stuck = {j.job_id: j.error for j in end_stuck_jobs(jobs)}
    assert stuck == {killed.job_id: STOPPED, waiting.job_id: TIMED_OUT}
    assert jobs.get(healthy.job_id).status == JobStatus.RUNNING
    clock.advance(3700)  # an hour on: both were counted in their hour, nothing is stuck now
    assert end_stuck_jobs(jobs) == []


def test_a_queued_job_whose_function_never_starts_frees_its_kind(jobs, monkeypatch):
    from tvguide.jobs import START_SECONDS

    clock = Clock(monkeypatch)
    lost = jobs.create(JobKind.REFERENCE_REFRESH, ADMIN, HOUR)  # the admin API's invoke never arrived
    clock.advance(START_SECONDS + 2)
    jobs.create(JobKind.REFERENCE_REFRESH, ADMIN, HOUR)
    assert jobs.get(lost.job_id).status == JobStatus.FAILED


def test_a_job_waiting_for_the_pipeline_holds_its_kind_until_it_ends_or_its_deadline(jobs, monkeypatch):
    clock = Clock(monkeypatch)
    waiting = jobs.create(JobKind.TITLES_ENRICH, ADMIN, HOUR)
    jobs.start(waiting.job_id)
    assert jobs.hold_lock(waiting)  # dispatch complete: no run holds it, the pipeline ends the job
    clock.advance(3000)
    with pytest.raises(JobConflict):
        jobs.create(JobKind.TITLES_ENRICH, ADMIN, HOUR)
    clock.advance(700)  # past its deadline
    replacement = jobs.create(JobKind.TITLES_ENRICH, ADMIN, HOUR)
    job = jobs.get(waiting.job_id)
    assert job.status == JobStatus.FAILED and "timed out" in job.error
    assert jobs.get(replacement.job_id).status == JobStatus.QUEUED


def test_run_job_holds_the_lock_for_its_time_left_then_until_the_deadline_once_dispatched(aws_env, jobs):
    from aws_lambda_powertools import Logger

    from tvguide.job_runner import JobReport, run_job
    from tvguide.jobs import HANDOVER_SECONDS, lock_key

    def expires_at():
        item = aws_env["table"].get_item(Key=lock_key(JobKind.TITLES_REFRESH))["Item"]
        return int(item["expires_at"])

    seen = []

    def work(job, request):
        seen.append(expires_at())
        return JobReport(counters={"events_published": 5}, dispatch_complete=len(seen) > 1)

    job = jobs.create(JobKind.TITLES_REFRESH, ADMIN, timedelta(hours=6))
    logger = Logger(service="test")

    def invocation():
        kind = JobKind.TITLES_REFRESH
        run_job({"job_id": job.job_id}, kind, jobs, work, timeout=HOUR, logger=logger, context=FakeContext())

    now = int(time.time())
    invocation()
    assert abs(seen[0] - (now + 300 + HANDOVER_SECONDS)) <= 3  # FakeContext: 300 s left
    invocation()  # the continuation: dispatch complete, the events not yet stored
    deadline = jobs.get(job.job_id).deadline_at
    assert expires_at() == int(datetime.fromisoformat(deadline).timestamp())


def test_jobs_are_listed_newest_first_page_by_page(jobs):
    created = []
    for kind in (JobKind.REFERENCE_REFRESH, JobKind.TITLES_REFRESH, JobKind.TITLES_ENRICH, JobKind.SUMMARY):
        created.append(jobs.create(kind, ADMIN, HOUR).job_id)
    page, cursor = jobs.list(limit=3)
    rest, end = jobs.list(limit=3, before=cursor)
    assert [j.job_id for j in page + rest] == created[::-1] and end is None


def test_progress_counters_add_up_and_reject_unknown_names(jobs):
    job = jobs.create(JobKind.TITLES_REFRESH, ADMIN, HOUR)
    jobs.start(job.job_id)
    jobs.add_progress(job.job_id, {"events_stored": 3, "titles_pending": 2})
    jobs.add_progress(job.job_id, {"events_stored": 4})
    progress = jobs.get(job.job_id).progress
    assert progress["events_stored"] == 7 and progress["titles_pending"] == 2
    with pytest.raises(ValueError, match="unknown job counters"):
        jobs.add_progress(job.job_id, {"bogus": 1})
    assert jobs.add_progress("no-such-job", {"events_stored": 1}) is None


def _seed_viewer(table_name, sources, genres):
    PreferencesRepository(table_name).put("viewer-1", Preferences(sources=sources, genres=genres))


def _consume_stream(consumer):
    records = [kinesis_record(data, i) for i, data in enumerate(aws.read_stream(), start=1)]
    consumer({"Records": records}, FakeContext())


def test_a_titles_refresh_succeeds_only_once_its_titles_are_stored_and_enriched(aws_env, watchmode_env, jobs):
    from tests.unit.test_enrichment import drain
    from tvguide_consumer.handler import lambda_handler as consumer
    from tvguide_ingestion.handler import lambda_handler as ingestion
    from tvguide_reference.handler import lambda_handler as reference

    table = aws_env["table"].name
    reference({}, FakeContext())
    _seed_viewer(table, ["203"], ["4"])
    job = jobs.create(JobKind.TITLES_REFRESH, ADMIN, HOUR)
    result = ingestion({"job_id": job.job_id}, FakeContext())
    assert result["job_status"] == "running" and result["titles_published"] > 0
    after_ingestion = jobs.get(job.job_id)
    assert after_ingestion.progress["sources_requested"] == after_ingestion.progress["sources_complete"] == 1
    assert after_ingestion.progress["events_published"] == result["titles_published"]
    assert after_ingestion.dispatch_complete and after_ingestion.status == JobStatus.RUNNING

    _consume_stream(consumer)
    stored = jobs.get(job.job_id)
    assert stored.progress["events_stored"] == result["titles_published"]
    assert stored.progress["titles_pending"] == result["titles_published"]  # every title was new
    assert stored.status == JobStatus.RUNNING  # still waiting for enrichment

    watchmode_env.state.faults.append(Fault(kind="status", status=404, count=2, path="/v1/title/"))
    assert drain()["status"] == "drained"
    done = jobs.get(job.job_id)
    assert done.status == JobStatus.SUCCEEDED and done.finished_at
    assert done.progress["titles_enrich_failed"] == 2
    assert done.progress["titles_enriched"] == result["titles_published"] - 2
    # The lock was released: the next refresh may start.
    assert jobs.create(JobKind.TITLES_REFRESH, ADMIN, HOUR).status == JobStatus.QUEUED


def test_a_scheduled_run_records_its_job_and_a_second_one_is_refused(aws_env, watchmode_env, jobs):
    from tvguide_ingestion.handler import lambda_handler as ingestion
    from tvguide_reference.handler import lambda_handler as reference

    schedule = {"source": "aws.events", "detail-type": "Scheduled Event"}
    reference({}, FakeContext())
    _seed_viewer(aws_env["table"].name, ["409"], ["4"])  # a source never crawled: due
    first = ingestion(schedule, FakeContext())
    job = jobs.get(first["job_id"])
    assert job.requested_by == {"type": "schedule"} and job.kind == JobKind.TITLES_REFRESH
    assert job.status == JobStatus.RUNNING  # until the consumer and enrichment have done their part

    aws_env["table"].delete_item(Key={"pk": "CRAWLS", "sk": "SOURCE#409"})  # due again
    refused = ingestion(schedule, FakeContext())  # while the first one still holds its kind's lock
    holder = job
    assert refused["status"] == "skipped" and holder.job_id in refused["reason"]
    record = jobs.get(refused["job_id"])
    assert record.status == JobStatus.FAILED and record.error.startswith("not run:")


def test_a_failing_job_is_recorded_failed_and_releases_its_lock(aws_env, watchmode_env, jobs):
    from tvguide_reference.handler import lambda_handler as reference

    job = jobs.create(JobKind.REFERENCE_REFRESH, ADMIN, HOUR)
    watchmode_env.state.faults.append(Fault(kind="status", status=401, count=5))
    with pytest.raises(Exception, match="401"):
        reference({"job_id": job.job_id}, FakeContext())
    failed = jobs.get(job.job_id)
    assert failed.status == JobStatus.FAILED and "401" in failed.error
    assert jobs.create(JobKind.REFERENCE_REFRESH, ADMIN, HOUR)


def test_the_enrich_job_continues_in_chunks_and_succeeds_when_every_title_is_settled(
    aws_env, watchmode_env, jobs, monkeypatch
):
    from tests.unit.test_enrichment import drain, ingest, seen
    from tvguide_enrichment import backfill_handler as handler

    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:5]]
    ingest(*(seen(i, ["203"]) for i in ids))
    watchmode_env.state.faults.append(Fault(kind="status", status=404, count=5, path="/v1/title/"))
    assert drain()["outcomes"] == {"failed_permanently": 5}  # five titles out of the queue
    invocations = []

    class Lambda:
        def invoke(self, **kwargs):
            invocations.append(kwargs)

    monkeypatch.setattr(handler, "BACKFILL_CHUNK", 2)
    monkeypatch.setattr(handler, "lambda_client", Lambda)
    job = jobs.create(JobKind.TITLES_ENRICH, ADMIN, HOUR)
    event = {"job_id": job.job_id}
    while True:
        result = handler.lambda_handler(event, FakeContext())
        if not invocations:
            break
        call = invocations.pop()
        assert call["InvocationType"] == "Event"
        event = json.loads(call["Payload"])
    running = jobs.get(job.job_id)
    assert running.progress["titles_pending"] == 5 and running.dispatch_complete
    assert running.status == JobStatus.RUNNING and result["titles_requested"] == 1

    repo = TitleStores(aws_env["table"].name)
    assert sorted(repo.next_pending(10)) == sorted(ids)  # back in the queue
    assert drain()["outcomes"] == {"enriched": 5}
    done = jobs.get(job.job_id)
    assert done.status == JobStatus.SUCCEEDED and done.progress["titles_enriched"] == 5
    assert repo.next_pending(10) == [] and repo.not_queued() == []


def test_the_enrich_job_requests_only_titles_out_of_the_queue(aws_env, watchmode_env):
    from tests.unit.test_enrichment import drain, ingest, seen

    ingest(seen("1", ["203"]))  # queued: nothing to request
    repo = TitleStores(aws_env["table"].name)
    assert not repo.request_enrichment("1", "job-1")
    drain()  # fails: the fake has no title 1
    assert repo.request_enrichment("1", "job-1")  # failed: back in the queue
    assert not repo.request_enrichment("1", "job-2")  # queued again: nothing more to do
    assert repo.get("1")["enrichment_jobs"] == ["job-1"]


def test_an_id_of_another_kinds_job_starts_a_job_of_its_own(aws_env, watchmode_env, jobs):
    from tvguide_ingestion.handler import lambda_handler as ingestion
    from tvguide_reference.handler import lambda_handler as reference

    _seed_viewer(aws_env["table"].name, [], [])
    first = reference({"job_id": "cycle-1"}, FakeContext())
    second = ingestion({"job_id": "cycle-1"}, FakeContext())  # the same name, another kind: it still runs
    assert first["job_id"] == "cycle-1" and second["job_id"] != "cycle-1" and second["status"] == "succeeded"
    assert jobs.get(second["job_id"]).kind == JobKind.TITLES_REFRESH
