"""The titles refresh (the ingestion function's entry point): scheduled (or admin-invoked) ingestion of the
titles viewers' preferences call for, run as a tracked job: the job succeeds once the consumer has stored
what this run published and enrichment has settled every title it made pending. (New demand, crawled at
once: `demand_handler.py`.)"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.job_runner import JobEvent, JobReport, end_stuck_jobs, run_job
from tvguide.jobs import Job, JobKind
from tvguide.models import utc_now
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.runtime import (
    job_repository,
    lambda_client,
    preferences_repository,
    reference_repository,
    settle_cold_start,
)
from tvguide_ingestion.logic import IngestionFailed, IngestionReport
from tvguide_ingestion.refresh import CrawlCursor, TitlesRefresh
from tvguide_ingestion.settings import refresh_settings as settings
from tvguide_ingestion.wiring import WatchmodeCrawler, crawl_states

logger = get_logger("ingestion")
settings()  # validated at cold start
metrics = Metrics(namespace=METRICS_NAMESPACE, service="ingestion")


def titles_refresh() -> TitlesRefresh:
    config = settings()
    return TitlesRefresh(
        active_sources=lambda: {s.id for s in reference_repository(config.table_name).list_sources()},
        crawl_states=crawl_states(config.table_name),
        crawl=WatchmodeCrawler(config),
        refresh_hours=config.ingestion_refresh_hours,
        now=utc_now,
    )


def report_suspicious(report: IngestionReport) -> None:
    """A complete crawl listing far fewer titles than are filed removed nothing: say so, loudly."""
    for source_id, why in report.sources_suspicious.items():
        logger.error("suspicious crawl: nothing removed", extra={"source_id": source_id, "detail": why})
    metrics.add_metric(name="SuspiciousCrawls", unit=MetricUnit.Count, value=len(report.sources_suspicious))
    metrics.flush_metrics()


def report_stuck_jobs() -> None:
    """The hourly schedule ends the jobs that are stuck (past their deadline, or their run killed) and
    counts those that ended so in the last hour: any is worth a look (`StuckJobs`, alarmed)."""
    stuck = end_stuck_jobs(job_repository(settings().table_name))
    for job in stuck:
        logger.error("job ended stuck", extra={"job_id": job.job_id, "kind": job.kind, "detail": job.error})
    metrics.add_metric(name="StuckJobs", unit=MetricUnit.Count, value=len(stuck))
    metrics.flush_metrics()


def ingest(job: Job, request: JobEvent, context: LambdaContext) -> JobReport:
    """One invocation of a titles refresh: crawl sources until this invocation's share of work is done
    (`ingestion_sources_per_invocation`, or half the function's time), and hand what is left to a fresh
    invocation of this function, so any catalogue fits Lambda's time and memory limits."""
    config = settings()
    refresh = titles_refresh()
    viewers = list(preferences_repository(config.table_name).all())
    scheduled = request.source == "aws.events"
    cursor = (
        refresh.first_cursor(viewers, scheduled=scheduled)
        if request.cursor is None
        else CrawlCursor.model_validate_json(request.cursor)
    )
    started = context.get_remaining_time_in_millis()

    def should_stop(crawled: int) -> bool:
        used = started - context.get_remaining_time_in_millis()
        return crawled >= config.ingestion_sources_per_invocation or used > started / 2

    logger.info(
        "ingestion starting",
        extra={"sources": len(cursor.demands), "baseline": cursor.baseline, "invocation": cursor.invocation},
    )
    step = refresh.step(
        cursor, viewers, cause=job.job_id, correlation_id=context.aws_request_id, should_stop=should_stop
    )
    report = step.report
    report_suspicious(report)
    publish_aws_calls(metrics)
    if step.following is not None:
        lambda_client().invoke(
            FunctionName=context.invoked_function_arn,
            InvocationType="Event",
            Payload=json.dumps({"job_id": job.job_id, "cursor": step.following.model_dump_json()}).encode(),
        )
        left = len(step.following.demands)
        logger.info("ingestion continues", extra={"report": report.as_dict(), "sources_left": left})
        return JobReport(result=report.as_dict(), counters=step.counters, dispatch_complete=False)
    if step.failed:
        logger.error("ingestion failed", extra={"report": report.as_dict(), "failed": step.failed})
        # What was published is still stored and counted; the job itself has failed.
        result = report.as_dict() | {"sources_failed": step.failed}
        job_repository(config.table_name).add_progress(job.job_id, step.counters, result=result)
        report.sources_failed = step.failed
        raise IngestionFailed(report)
    logger.info("ingestion finished", extra={"report": report.as_dict()})
    return JobReport(result=report.as_dict(), counters=step.counters)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    aws_calls.take()  # count this invocation's calls only
    logger.append_keys(correlation_id=context.aws_request_id)
    scheduled = JobEvent.parse(event).source == "aws.events"
    if scheduled:
        report_stuck_jobs()
    if scheduled and not titles_refresh().wanted_now(
        preferences_repository(settings().table_name).all(), scheduled=True
    ):
        # The schedule runs hourly to retry what failed: with nothing due, no job is recorded.
        logger.info("nothing due: every wanted source was refreshed recently")
        return {"status": "skipped", "reason": "nothing due"}
    return run_job(
        event,
        JobKind.TITLES_REFRESH,
        job_repository(settings().table_name),
        lambda job, request: ingest(job, request, context),
        timeout=settings().job_timeout,
        logger=logger,
        context=context,
    )


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
