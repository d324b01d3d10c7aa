"""Runs a job function's work as a tracked job: the same few steps for every function a job starts.

1. Find the job: the event's `job_id` (the admin API created it, queued), or — for a schedule, or a run
   started by hand — create one now, taking the kind's lock. When another job of the kind holds the lock,
   a failed record says so and nothing runs.
2. Hold the lock for this invocation's time left (a run that is killed frees it within minutes; a job whose
   lock was taken over meanwhile is not run). Mark it running; run the work; report its counters and
   result. A job that waits for the pipeline (titles refresh, enrich) completes when the pipeline's counters
   say so, holding its lock until then; the others complete here.
3. On an exception, mark the job failed with the message, then re-raise (the function's error metric and
   alarm see it). Job functions have no asynchronous retries: a failure is recorded, not re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tvguide.jobs import (
    HANDOVER_SECONDS,
    STOPPED,
    TIMED_OUT,
    Job,
    JobConflict,
    JobKind,
    JobRepository,
    JobStatus,
)
from tvguide.models import utc_now


class JobEvent(BaseModel):
    """What a job function is invoked with: `{"job_id": ...}` from the admin API, a continuation's
    `cursor`, or an EventBridge scheduled event (no job id)."""

    model_config = ConfigDict(extra="ignore")

    job_id: str | None = None
    requested_by: str | None = None
    cursor: str | None = None
    source: str | None = None  # "aws.events" for schedules

    @classmethod
    def parse(cls, event: Any) -> JobEvent:
        return cls.model_validate(event) if isinstance(event, dict) else cls()


@dataclass
class JobReport:
    """What one invocation of a job function did."""

    result: dict[str, Any] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    dispatch_complete: bool = True  # False while continuations remain


def _requester(event: JobEvent) -> dict[str, str]:
    if event.source == "aws.events":
        return {"type": "schedule"}
    return {"type": "invocation", "name": (event.requested_by or "direct invocation")[:100]}


def run_job(
    event: Any,
    kind: JobKind,
    jobs: JobRepository,
    work: Callable[[Job, JobEvent], JobReport],
    *,
    timeout: timedelta,
    logger: Logger,
    context: LambdaContext,
) -> dict[str, Any]:
    """`context`: this invocation's, whose time left is how long it holds the job's lock."""
    request = JobEvent.parse(event)
    job = jobs.get(request.job_id) if request.job_id else None
    new_id = request.job_id
    if job is not None and job.kind != kind:
        job, new_id = None, None  # an id of another kind's job (a caller reusing a name): a job of its own
    if job is None:
        try:
            job = jobs.create(kind, _requester(request), timeout, job_id=new_id)
        except JobConflict as conflict:
            skipped = jobs.record_refused(kind, _requester(request), str(conflict))
            logger.warning("job not run", extra={"job_id": skipped.job_id, "reason": str(conflict)})
            return {"job_id": skipped.job_id, "status": "skipped", "reason": str(conflict)}
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        logger.warning("job already finished", extra={"job_id": job.job_id, "status": job.status})
        return {"job_id": job.job_id, "status": "skipped", "reason": f"job is {job.status.value}"}
    if not jobs.hold_lock(job, context.get_remaining_time_in_millis() / 1000 + HANDOVER_SECONDS):
        logger.warning("job lost its lock", extra={"job_id": job.job_id})
        return {"job_id": job.job_id, "status": "skipped", "reason": "job lost its lock (it lapsed)"}
    if job.status == JobStatus.QUEUED:
        jobs.start(job.job_id)
    logger.append_keys(job_id=job.job_id, cause=job.job_id)
    try:
        report = work(job, request)
    except Exception as exc:
        jobs.finish(job.job_id, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        logger.remove_keys(["job_id", "cause"])  # the container may serve other requests next
    updated = jobs.add_progress(
        job.job_id, report.counters, dispatch_complete=report.dispatch_complete, result=report.result
    )
    if report.dispatch_complete and updated is not None and updated.active:
        jobs.hold_lock(job)  # no run holds it now: the pipeline finishes the job by its deadline
    # `status` is this invocation's own outcome; `job_status` the job's (a titles refresh is still
    # running here: the pipeline finishes it).
    return {"status": "succeeded", "cause": job.job_id, "job_id": job.job_id, **report.result} | {
        "job_status": (jobs.get(job.job_id) or updated or job).status.value
    }


def report_job_progress(
    jobs: JobRepository, progress: Mapping[str, Mapping[str, int]], logger: Logger
) -> None:
    """One update per job for a whole batch ({job id: {counter: n}}). A failure here is logged, never
    raised: the batch's own work is done, and re-running it would count it twice."""
    for job_id, counters in progress.items():
        if not job_id or not any(counters.values()):
            continue
        try:
            jobs.add_progress(job_id, counters)
        except Exception:
            logger.exception("job progress not recorded", extra={"job_id": job_id, "counters": counters})


def end_stuck_jobs(
    jobs: JobRepository, window: timedelta = timedelta(hours=1), newest: int = 50
) -> list[Job]:
    """Fail the active jobs among the newest that are past their deadline (timed out) or whose lease lapsed
    (stopped: their run was killed), and return every job that ended so within the window, these or earlier
    ones (the admin screen may have seen one first). The hourly schedule publishes their number, alarmed, so
    a stuck job is seen without anyone opening the admin screen."""
    since, ended = (utc_now() - window).isoformat(timespec="seconds"), []
    listed, _ = jobs.list(newest)  # an overdue job is failed as timed out here
    for listed_job in listed:
        job = listed_job
        if job.active and not jobs.leased(job):
            jobs.finish(job.job_id, JobStatus.FAILED, error=STOPPED)
            job = jobs.get(job.job_id) or job
        if job.error in (TIMED_OUT, STOPPED) and (job.finished_at or "") >= since:
            ended.append(job)
    return ended
