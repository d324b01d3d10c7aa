"""The enrich job (the enrichment-backfill function's entry point), started from the admin screen: titles out
of the queue (failed, or deferred before the queue existed) are put back in it, best rank first, a chunk
per invocation, and the worker is nudged."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from tvguide.job_runner import JobEvent, JobReport, run_job
from tvguide.jobs import Job, JobKind
from tvguide.observability import get_logger
from tvguide.runtime import job_repository, lambda_client, nudge_enrichment_worker, settle_cold_start
from tvguide_enrichment.logic import request_backfill
from tvguide_enrichment.settings import backfill_settings as settings
from tvguide_enrichment.wiring import store

logger = get_logger("enrichment")
settings()  # validated at cold start
BACKFILL_CHUNK = 1000  # titles put back in the queue per invocation of the enrich job


class BackfillCursor(BaseModel):
    """Where the next chunk of an enrich job starts."""

    after: str | None = None

    @classmethod
    def parse(cls, raw: str | None) -> BackfillCursor:
        return cls.model_validate_json(raw) if raw else cls()


def backfill(job: Job, request: JobEvent, function_arn: str) -> JobReport:
    """One chunk of the enrich job: titles out of the queue (failed, or deferred before the queue existed)
    are put back in it, best rank first, and the worker is nudged; the next chunk runs in a fresh invocation
    (continuation), so each fits well inside the time limit whatever the number of titles."""
    cursor = BackfillCursor.parse(request.cursor)
    requested, next_after = request_backfill(
        store(settings().table_name), job.job_id, after=cursor.after, chunk=BACKFILL_CHUNK
    )
    logger.info("enrichment requested", extra={"titles": requested, "next_cursor": next_after})
    if requested:
        nudge_enrichment_worker(settings().enrichment_function_name, logger)
    if next_after:
        following = BackfillCursor(after=next_after).model_dump_json()
        payload = {"job_id": job.job_id, "cursor": following, "source": request.source}
        lambda_client().invoke(
            FunctionName=function_arn, InvocationType="Event", Payload=json.dumps(payload).encode()
        )
    return JobReport(
        result={"titles_requested": requested},
        counters={"titles_pending": requested},
        dispatch_complete=next_after is None,
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run_job(
        event,
        JobKind.TITLES_ENRICH,
        job_repository(settings().table_name),
        lambda job, req: backfill(job, req, context.invoked_function_arn),
        timeout=settings().job_timeout,
        logger=logger,
        context=context,
    )


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
