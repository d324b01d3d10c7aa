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
from pydantic import BaseModel

from tvguide.crawls import coverage
from tvguide.job_runner import JobEvent, JobReport, end_stuck_jobs, run_job
from tvguide.jobs import Job, JobKind
from tvguide.models import Demand, Preferences, iso_now, utc_now
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.runtime import (
    credit_ledger,
    job_repository,
    lambda_client,
    preferences_repository,
    reference_repository,
    title_publisher,
    title_repository,
    watchmode_client,
)
from tvguide_ingestion.logic import (
    Audience,
    IngestionFailed,
    IngestionReport,
    compute_demand,
    run_ingestion,
    stale_demands,
)
from tvguide_ingestion.settings import refresh_settings as settings
from tvguide_ingestion.wiring import crawl_misses, crawl_states

logger = get_logger("ingestion")
settings()  # validated at cold start
metrics = Metrics(namespace=METRICS_NAMESPACE, service="ingestion")


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


def _counters(report: IngestionReport) -> dict[str, int]:
    return {
        "sources_requested": report.sources_requested,
        "sources_complete": report.sources_complete,
        "sources_failed": len(report.sources_failed),
        "titles_published": report.titles_published,
        "events_published": report.titles_published + report.removals_published,
    }


def wanted_now(scheduled: bool, viewers: list[Preferences] | None = None) -> list[Demand]:
    """Every wanted source, or — for a scheduled run — only those due: not refreshed within
    `ingestion_refresh_hours`, or whose last attempt failed (retried with backoff)."""
    active = {s.id for s in reference_repository(settings().table_name).list_sources()}
    demands = compute_demand(
        viewers if viewers is not None else preferences_repository(settings().table_name).all(), active
    )
    if not scheduled:
        return demands
    return stale_demands(
        demands, crawl_states(settings().table_name).all(), utc_now(), settings().ingestion_refresh_hours
    )


def record_crawls(report: IngestionReport, demands: list[Demand]) -> None:
    now = iso_now()
    genres = {d.source_id: d.genre_ids for d in demands}
    for source_id in report.sources_refreshed:
        crawl_states(settings().table_name).record(
            source_id, refreshed=True, error=None, now=now, genre_ids=genres[source_id]
        )
    for source_id, error in report.sources_failed.items():
        crawl_states(settings().table_name).record(source_id, refreshed=False, error=error, now=now)


class CrawlCursor(BaseModel):
    """What a titles refresh still has to crawl, carried from one invocation to the next."""

    demands: list[Demand]
    baseline: list[str] = []
    failed: dict[str, str] = {}  # sources that failed in earlier invocations: the job fails at the end
    invocation: int = 1


def first_cursor(request: JobEvent, viewers: list[Preferences]) -> CrawlCursor:
    demands = wanted_now(scheduled=request.source == "aws.events", viewers=viewers)
    states = crawl_states(settings().table_name).all()
    # Sources crawled for the first time (or for genres newly wanted): what is on them is not news.
    baseline = [
        d.source_id
        for d in demands
        if not coverage(states.get(d.source_id), set(d.genre_ids) or None).covered
    ]
    return CrawlCursor(demands=demands, baseline=baseline)


def ingest(job: Job, request: JobEvent, context: LambdaContext) -> JobReport:
    """One invocation of a titles refresh: crawl sources until this invocation's share of work is done
    (`ingestion_sources_per_invocation`, or half the function's time), publish, and hand what is left to
    a fresh invocation of this function, so any catalogue fits Lambda's time and memory limits."""
    config = settings()
    first = request.cursor is None
    viewers = list(preferences_repository(settings().table_name).all())
    cursor = first_cursor(request, viewers) if first else CrawlCursor.model_validate_json(str(request.cursor))
    started = context.get_remaining_time_in_millis()

    def should_stop(crawled: int) -> bool:
        used = started - context.get_remaining_time_in_millis()
        return crawled >= config.ingestion_sources_per_invocation or used > started / 2

    logger.info(
        "ingestion starting",
        extra={"sources": len(cursor.demands), "baseline": cursor.baseline, "invocation": cursor.invocation},
    )
    client = watchmode_client("ingestion", settings())
    try:
        report = run_ingestion(
            cursor.demands,
            client,
            title_repository(settings().table_name),
            title_publisher(settings().title_stream_name),
            misses=crawl_misses(settings().table_name),
            cause=job.job_id,
            correlation_id=context.aws_request_id,
            region=config.regions[0],
            max_pages=config.ingestion_max_pages_per_source,
            page_limit=config.ingestion_page_limit,
            baseline=cursor.baseline,
            audience=Audience(viewers),
            should_stop=should_stop,
        )
    except IngestionFailed as exc:  # the failed sources are carried; the job fails at the end
        report = exc.report
    finally:
        credit_ledger(settings()).record("ingestion", client.take_credits())
    record_crawls(report, cursor.demands)
    report_suspicious(report)
    counters = _counters(report)
    counters["sources_requested"] = len(cursor.demands) if first else 0
    failed = cursor.failed | report.sources_failed
    if report.sources_left:
        following = CrawlCursor(
            demands=report.sources_left,
            baseline=cursor.baseline,
            failed=failed,
            invocation=cursor.invocation + 1,
        )
        lambda_client().invoke(
            FunctionName=context.invoked_function_arn,
            InvocationType="Event",
            Payload=json.dumps({"job_id": job.job_id, "cursor": following.model_dump_json()}).encode(),
        )
        left = len(following.demands)
        logger.info("ingestion continues", extra={"report": report.as_dict(), "sources_left": left})
        publish_aws_calls(metrics)
        return JobReport(result=report.as_dict(), counters=counters, dispatch_complete=False)
    if failed:
        logger.error("ingestion failed", extra={"report": report.as_dict(), "failed": failed})
        # What was published is still stored and counted; the job itself has failed.
        result = report.as_dict() | {"sources_failed": failed}
        job_repository(settings().table_name).add_progress(job.job_id, counters, result=result)
        publish_aws_calls(metrics)
        report.sources_failed = failed
        raise IngestionFailed(report)
    logger.info("ingestion finished", extra={"report": report.as_dict()})
    publish_aws_calls(metrics)
    return JobReport(result=report.as_dict(), counters=counters)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    aws_calls.take()  # count this invocation's calls only
    logger.append_keys(correlation_id=context.aws_request_id)
    scheduled = JobEvent.parse(event).source == "aws.events"
    if scheduled:
        report_stuck_jobs()
    if scheduled and not wanted_now(scheduled=True):
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
