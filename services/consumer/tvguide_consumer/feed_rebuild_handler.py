"""The feed-rebuild job (the feed-rebuild function's entry point): mirrors every availability row into the
feed index when the index is older than this code (`tvguide.feed.FEED_VERSION`), a few thousand rows per
invocation, continuing in a fresh one; hourly, and on demand."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.feed.entries import FEED_VERSION
from tvguide.job_runner import JobEvent, JobReport, run_job
from tvguide.jobs import Job, JobKind
from tvguide.observability import get_logger
from tvguide.runtime import (
    job_repository,
    lambda_client,
    new_dynamodb_resource,
    reference_repository,
    settle_cold_start,
)
from tvguide_consumer.settings import feed_rebuild_settings as settings
from tvguide_consumer.store import FeedRebuildStore

logger = get_logger("consumer")
settings()  # validated at cold start

ROWS_PER_INVOCATION = 5000  # then the job continues in a fresh invocation (whole sources at a time)


@cache
def feed_store() -> FeedRebuildStore:
    return FeedRebuildStore(settings().table_name, resource_factory=new_dynamodb_resource)


def rebuild_feed(job: Job, request: JobEvent, function_arn: str) -> JobReport:
    """Mirror sources' availability rows into the feed, from the cursor's source on, until about
    ROWS_PER_INVOCATION rows are done; the rest continues in a fresh invocation."""
    sources = sorted(
        (s.id for s in reference_repository(settings().table_name).list_sources(include_inactive=True)),
        key=int,
    )
    index = int(request.cursor or 0)
    rows = written = 0
    while index < len(sources) and rows < ROWS_PER_INVOCATION:
        source_rows, source_written = feed_store().rebuild_source(sources[index])
        rows, written, index = rows + source_rows, written + source_written, index + 1
    finished = index >= len(sources)
    if finished:
        feed_store().record_version(FEED_VERSION)
    else:
        payload = {"job_id": job.job_id, "cursor": str(index)}
        lambda_client().invoke(FunctionName=function_arn, InvocationType="Event", Payload=json.dumps(payload))
    logger.info("feed rebuilt", extra={"rows": rows, "entries": written, "next_source_index": index})
    return JobReport(
        result={"rows": rows, "entries_written": written, "sources_done": index, "sources": len(sources)},
        dispatch_complete=finished,
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Hourly (and on demand): rebuilds the feed index only while it is older than this code's."""
    if JobEvent.parse(event).source == "aws.events" and feed_store().built_version() >= FEED_VERSION:
        return {"status": "skipped", "reason": f"the feed index is at version {FEED_VERSION}"}
    return run_job(
        event,
        JobKind.FEED_REBUILD,
        job_repository(settings().table_name),
        lambda job, request: rebuild_feed(job, request, context.invoked_function_arn),
        timeout=settings().job_timeout,
        logger=logger,
        context=context,
    )


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
