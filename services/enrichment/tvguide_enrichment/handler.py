"""Enrichment: the DynamoDB-stream handler (only PENDING title records reach it, by the mapping's filter)
and the backfill entry point the admin screen calls."""

from __future__ import annotations

import json
import time
from functools import cache
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from tvguide.job_runner import JobEvent, JobReport, report_job_progress, run_job
from tvguide.jobs import Job, JobKind
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.runtime import (
    credit_ledger,
    job_repository,
    job_timeout,
    lambda_client,
    new_dynamodb_resource,
    watchmode_client,
)
from tvguide.settings import settings
from tvguide_enrichment.logic import (
    DEFERRED_REASON,
    EnrichmentOutcome,
    TitleEnricher,
    plan_spending,
    request_backfill,
)
from tvguide_enrichment.store import TitleEnrichmentStore

logger = get_logger("enrichment")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="enrichment")
MAX_FAILURE_LINES = 50  # error lines per batch; the metric counts them all
NEEDS = ("table_name",)  # validated at the first invocation (Watchmode: the secret or, in tests, a key)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
BACKFILL_CHUNK = 1000  # titles re-requested per invocation of the enrich job


@cache
def store() -> TitleEnrichmentStore:
    return TitleEnrichmentStore(settings().table_name, resource_factory=new_dynamodb_resource)


def _title_id(raw_record: dict[str, Any]) -> str | None:
    image = (raw_record.get("dynamodb") or {}).get("NewImage") or {}
    value = (image.get("id") or {}).get("S")
    return str(value) if value else None


def report_failures(failures: dict[str, str], transient: int) -> None:
    """Each title whose enrichment failed for good is an error line with its reason (bounded per batch);
    the counts go to CloudWatch as metrics (EMF), where an alarm watches them."""
    for title_id, reason in list(failures.items())[:MAX_FAILURE_LINES]:
        logger.error("enrichment failed", extra={"title_id": title_id, "reason": reason})
    if len(failures) > MAX_FAILURE_LINES:
        logger.error("enrichment failed for more titles", extra={"more": len(failures) - MAX_FAILURE_LINES})
    metrics.add_metric(name="EnrichmentFailures", unit=MetricUnit.Count, value=len(failures))
    metrics.add_metric(name="EnrichmentTransientFailures", unit=MetricUnit.Count, value=transient)
    metrics.flush_metrics()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    aws_calls.take()  # count this invocation's calls only
    started = time.monotonic()
    config = settings().require(*NEEDS)
    client = watchmode_client("enrichment")
    enricher = TitleEnricher(client, store(), region=config.regions[0])
    title_ids = [t for t in map(_title_id, records) if t]
    enricher.prefetch(title_ids)
    decision = plan_spending(enricher.current, title_ids, credit_ledger(), store())
    results = enricher.defer(decision.defer, DEFERRED_REASON, workers=config.enrichment_workers)
    try:
        results |= enricher.enrich_many(decision.fetch, workers=config.enrichment_workers)
    finally:
        credit_ledger().settle("enrichment", decision.reserved, client.take_credits())
    outcomes: dict[str, int] = {}
    reported: set[str] = set()

    def handle(record: DynamoDBRecord) -> str:
        """Report each title's result once (on its first record); repeats of a title are skipped."""
        title_id = _title_id(record.raw_event)
        result = results.get(title_id) if title_id and title_id not in reported else EnrichmentOutcome.SKIPPED
        if title_id:
            reported.add(title_id)
        if isinstance(result, Exception):
            outcomes["failed_transiently"] = outcomes.get("failed_transiently", 0) + 1
            raise result
        outcome = (result or EnrichmentOutcome.SKIPPED).value
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return outcome

    response = process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
    report_job_progress(job_repository(), enricher.job_progress, logger)
    report_failures(enricher.failures, outcomes.get("failed_transiently", 0))
    logger.info(
        "batch enriched",
        extra={
            "records": len(records),
            "outcomes": outcomes,
            "details_calls": outcomes.get(EnrichmentOutcome.ENRICHED.value, 0),
            "duration_ms": round((time.monotonic() - started) * 1000),
            "failed": len(response.get("batchItemFailures", [])),
            "deferred": len(decision.defer),
            "budget_scarce": decision.scarce,
            "quota": vars(enricher.details.quota) if hasattr(enricher.details, "quota") else None,
        },
    )
    publish_aws_calls(metrics)
    return dict(response)


class BackfillCursor(BaseModel):
    """Where the next chunk of an enrich job starts, and how many credits the job may still grant."""

    after: str | None = None
    budget_left: int | None = None

    @classmethod
    def parse(cls, raw: str | None) -> BackfillCursor:
        return cls.model_validate_json(raw) if raw else cls()


def backfill(job: Job, request: JobEvent, function_arn: str) -> JobReport:
    """One chunk of the enrich job; the next chunk runs in a fresh invocation (continuation), so each
    fits well inside the function's time limit whatever the number of titles. With a credit budget the
    job grants at most what is left of it this month, best-ranked titles first; a scheduled run (the
    budget's planner) looks only at titles the budget deferred."""
    ledger = credit_ledger()
    cursor = BackfillCursor.parse(request.cursor)
    if cursor.after is None and ledger.budget:
        cursor.budget_left = ledger.state().remaining
    requested, next_after = request_backfill(
        store(),
        job.job_id,
        after=cursor.after,
        chunk=BACKFILL_CHUNK,
        budget_left=cursor.budget_left,
        grant=ledger.month() if ledger.budget else None,
        deferred_only=request.source == "aws.events",
    )
    logger.info("enrichment requested", extra={"titles": requested, "next_cursor": next_after})
    if next_after:
        left = None if cursor.budget_left is None else cursor.budget_left - requested
        following = BackfillCursor(after=next_after, budget_left=left).model_dump_json()
        payload = {"job_id": job.job_id, "cursor": following, "source": request.source}
        lambda_client().invoke(
            FunctionName=function_arn, InvocationType="Event", Payload=json.dumps(payload).encode()
        )
    return JobReport(
        result={"titles_requested": requested},
        counters={"titles_pending": requested},
        dispatch_complete=next_after is None,
    )


def planner_has_work() -> bool:
    """A scheduled run does something only when titles wait for the budget and some of it is left."""
    ledger = credit_ledger()
    if ledger.budget and not ledger.state().remaining:
        return False
    return bool(store().pending_enrichment(limit=1, deferred_only=True))


@logger.inject_lambda_context
def backfill_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = JobEvent.parse(event)
    if request.source == "aws.events" and not request.job_id and not planner_has_work():
        logger.info("nothing to plan: no title deferred by the budget, or none of the budget left")
        return {"status": "skipped", "reason": "nothing deferred or no budget left"}
    return run_job(
        event,
        JobKind.TITLES_ENRICH,
        job_repository(),
        lambda job, req: backfill(job, req, context.invoked_function_arn),
        timeout=job_timeout(),
        logger=logger,
    )
