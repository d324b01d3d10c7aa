"""The enrichment queue's worker (the enrichment function's entry point): started by its schedule, nudged
when titles are queued, continuing in a fresh invocation while work remains. (The enrich job the admin
screen starts: `backfill_handler.py`.)"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.job_runner import report_job_progress
from tvguide.jobs import JobKind
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.runtime import (
    credit_ledger,
    job_repository,
    lambda_client,
    new_dynamodb_resource,
    settle_cold_start,
    watchmode_client,
)
from tvguide_enrichment.logic import (
    DrainReport,
    EnrichmentOutcome,
    QueueWorker,
    StopReason,
    TitleEnricher,
    queue_due_offers,
)
from tvguide_enrichment.settings import worker_settings as settings
from tvguide_enrichment.store import WorkerLease
from tvguide_enrichment.wiring import store

logger = get_logger("enrichment")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="enrichment")
MAX_FAILURE_LINES = 50  # error lines per chunk; the metric counts them all
LEASE_SECONDS = 120  # a worker renews its lease every chunk; a dead one's lapses this long after
SECONDS_PER_CHUNK = 40  # the worker stops this long before its time limit (then continues afresh)
TITLES_JOBS = (JobKind.TITLES_REFRESH, JobKind.TITLES_ENRICH)
settings()  # validated at cold start


def report_failures(failures: dict[str, str]) -> None:
    """Each title whose enrichment failed for good is an error line with its reason (bounded per chunk);
    the counts go to CloudWatch as metrics (EMF), where an alarm watches them."""
    for title_id, reason in list(failures.items())[:MAX_FAILURE_LINES]:
        logger.error("enrichment failed", extra={"title_id": title_id, "reason": reason})
    if len(failures) > MAX_FAILURE_LINES:
        logger.error("enrichment failed for more titles", extra={"more": len(failures) - MAX_FAILURE_LINES})
    metrics.add_metric(name="EnrichmentFailures", unit=MetricUnit.Count, value=len(failures))
    metrics.flush_metrics()


def after_chunk(enricher: TitleEnricher) -> None:
    """Each chunk's job progress and failures, reported as the worker goes (by its writer thread, while the
    next chunk is fetched), then forgotten."""
    progress, failures = enricher.take_reports()
    if progress:
        report_job_progress(job_repository(settings().table_name), progress, logger)
    if failures:
        report_failures(failures)


def settle_jobs_waiting_for_credits() -> None:
    """The month's credits are spent: a running titles job stops waiting for the titles still queued for
    it (counted `titles_enrich_deferred`, one update per job, none per title), so it can end. A title
    queued for it later tops this up again the next time the worker finds no credits."""
    jobs = job_repository(settings().table_name)
    for kind in TITLES_JOBS:
        job_id = jobs.holder(kind)
        job = jobs.get(job_id) if job_id else None
        if job is None or not job.active:
            continue
        p = job.progress
        waiting = p["titles_pending"] - p["titles_enriched"] - p["titles_enrich_failed"]
        waiting -= p["titles_enrich_deferred"]
        if waiting > 0:
            jobs.add_progress(job.job_id, {"titles_enrich_deferred": waiting})


def should_continue(report: DrainReport) -> bool:
    """Out of time with work left; or the queue looked empty, but titles were queued while this worker
    finished (their nudge found the lease taken): a fresh invocation takes them."""
    if report.stopped == StopReason.TIME:
        return True
    settled = sum(n for k, n in report.outcomes.items() if k != EnrichmentOutcome.SKIPPED.value)
    if report.stopped != StopReason.EMPTY or not settled:
        return False
    return bool(store(settings().table_name).next_pending(1, skip=report.still_queued()))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The queue's worker: one at a time (the lease); the others return at once."""
    aws_calls.take()  # count this invocation's calls only
    started = time.monotonic()
    config = settings()
    lease = WorkerLease(
        config.table_name, context.aws_request_id, LEASE_SECONDS, resource_factory=new_dynamodb_resource
    )
    if not lease.acquire():
        logger.info("another worker is draining the queue", extra={"trigger": event.get("source")})
        return {"status": "busy"}
    today = datetime.now(UTC).date()
    refreshed = queue_due_offers(store(config.table_name), today, config.offers_refresh_per_run)
    client = watchmode_client("enrichment", config)
    client.time_left = lambda: context.get_remaining_time_in_millis() / 1000 - SECONDS_PER_CHUNK / 2
    worker = QueueWorker(
        enricher=TitleEnricher(
            client,
            store(config.table_name),
            region=config.regions[0],
            offers_refresh_days=config.offers_refresh_days,
        ),
        queue=store(config.table_name),
        lease=lease,
        ledger=credit_ledger(config),
        time_left=lambda: context.get_remaining_time_in_millis() / 1000,
        credits_used=client.take_credits,
        workers=config.enrichment_workers,
        seconds_per_chunk=SECONDS_PER_CHUNK,
        after_chunk=after_chunk,
    )
    try:
        report = worker.drain()
    finally:
        lease.release()
    if report.stopped == StopReason.CREDITS:
        settle_jobs_waiting_for_credits()
    continued = should_continue(report)
    if continued:
        payload = json.dumps({"source": "enrichment.continue"}).encode()
        lambda_client().invoke(
            FunctionName=context.invoked_function_arn, InvocationType="Event", Payload=payload
        )
    metrics.add_metric(name="EnrichmentTransientFailures", unit=MetricUnit.Count, value=len(report.transient))
    summary = {
        "status": "drained" if report.stopped == StopReason.EMPTY else "stopped",
        "stopped": report.stopped.value,
        "chunks": report.chunks,
        "outcomes": report.outcomes,
        "credits_used": report.credits_used,
        "credits_returned": report.credits_returned,
        "left_for_later": len(report.transient),
        "queued_for_offers": refreshed,
        "continued": continued,
        "duration_ms": round((time.monotonic() - started) * 1000),
    }
    logger.info("enrichment worker stopped", extra=summary | {"trigger": event.get("source")})
    publish_aws_calls(metrics)
    return summary


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
