"""Scheduled (or admin-invoked) ingestion of the titles viewers' preferences call for, run as a tracked
job: the job succeeds once the consumer has stored what this run published and enrichment has settled
every title it made pending."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.job_runner import JobEvent, JobReport, run_job
from tvguide.jobs import Job, JobKind
from tvguide.models import Demand, iso_now, utc_now
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.runtime import (
    job_repository,
    job_timeout,
    new_dynamodb_resource,
    preferences_repository,
    reference_repository,
    title_publisher,
    title_repository,
    watchmode_client,
)
from tvguide.settings import settings
from tvguide_ingestion.logic import (
    IngestionFailed,
    IngestionReport,
    compute_demand,
    run_ingestion,
    stale_demands,
)
from tvguide_ingestion.store import CrawlMisses, CrawlStates

logger = get_logger("ingestion")
NEEDS = ("table_name", "title_stream_name")  # validated at the first invocation
metrics = Metrics(namespace=METRICS_NAMESPACE, service="ingestion")


@cache
def crawl_states() -> CrawlStates:
    return CrawlStates(settings().table_name, resource_factory=new_dynamodb_resource)


@cache
def crawl_misses() -> CrawlMisses:
    return CrawlMisses(settings().table_name, resource_factory=new_dynamodb_resource)


def report_suspicious(report: IngestionReport) -> None:
    """A complete crawl listing far fewer titles than are filed removed nothing: say so, loudly."""
    for source_id, why in report.sources_suspicious.items():
        logger.error("suspicious crawl: nothing removed", extra={"source_id": source_id, "detail": why})
    metrics.add_metric(name="SuspiciousCrawls", unit=MetricUnit.Count, value=len(report.sources_suspicious))
    metrics.flush_metrics()


def _counters(report: IngestionReport) -> dict[str, int]:
    return {
        "sources_requested": report.sources_requested,
        "sources_complete": report.sources_complete,
        "sources_failed": len(report.sources_failed),
        "titles_published": report.titles_published,
        "events_published": report.titles_published + report.removals_published,
    }


def wanted_now(scheduled: bool) -> list[Demand]:
    """Every wanted source, or — for a scheduled run — only those due: not refreshed within
    `ingestion_refresh_hours`, or whose last attempt failed (retried with backoff)."""
    active = {s.id for s in reference_repository().list_sources()}
    demands = compute_demand(preferences_repository().all(), active)
    if not scheduled:
        return demands
    return stale_demands(demands, crawl_states().all(), utc_now(), settings().ingestion_refresh_hours)


def record_crawls(report: IngestionReport) -> None:
    now = iso_now()
    for source_id in report.sources_refreshed:
        crawl_states().record(source_id, refreshed=True, error=None, now=now)
    for source_id, error in report.sources_failed.items():
        crawl_states().record(source_id, refreshed=False, error=error, now=now)


def ingest(job: Job, request: JobEvent, correlation_id: str) -> JobReport:
    config = settings().require(*NEEDS)
    demands = wanted_now(scheduled=request.source == "aws.events")
    logger.info("ingestion starting", extra={"sources": len(demands)})
    try:
        report = run_ingestion(
            demands,
            watchmode_client(),
            title_repository(),
            title_publisher(),
            misses=crawl_misses(),
            cause=job.job_id,
            correlation_id=correlation_id,
            region=config.regions[0],
            max_pages=config.ingestion_max_pages_per_source,
            page_limit=config.ingestion_page_limit,
        )
    except IngestionFailed as exc:
        record_crawls(exc.report)  # the sources that failed are retried by the next scheduled runs
        logger.error("ingestion failed", extra={"report": exc.report.as_dict()})
        # What was published is still stored and counted; the job itself has failed.
        job_repository().add_progress(job.job_id, _counters(exc.report), result=exc.report.as_dict())
        raise
    record_crawls(report)
    report_suspicious(report)
    logger.info("ingestion finished", extra={"report": report.as_dict()})
    publish_aws_calls(metrics)
    return JobReport(result=report.as_dict(), counters=_counters(report))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    aws_calls.take()  # count this invocation's calls only
    logger.append_keys(correlation_id=context.aws_request_id)
    if JobEvent.parse(event).source == "aws.events" and not wanted_now(scheduled=True):
        # The schedule runs hourly to retry what failed: with nothing due, no job is recorded.
        logger.info("nothing due: every wanted source was refreshed recently")
        return {"status": "skipped", "reason": "nothing due"}
    return run_job(
        event,
        JobKind.TITLES_REFRESH,
        job_repository(),
        lambda job, request: ingest(job, request, context.aws_request_id),
        timeout=job_timeout(),
        logger=logger,
    )
