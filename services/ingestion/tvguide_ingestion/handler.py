"""Scheduled (or admin-invoked) ingestion of the titles viewers' preferences call for."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.observability import aws_calls, get_logger
from tvguide.runtime import (
    preferences_repository,
    reference_repository,
    title_publisher,
    title_repository,
    watchmode_client,
)
from tvguide.settings import settings
from tvguide_ingestion.logic import IngestionFailed, compute_demand, run_ingestion

logger = get_logger("ingestion")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    aws_calls.take()  # count this invocation's calls only
    cause = str(event.get("job_id") or "schedule") if isinstance(event, dict) else "schedule"
    correlation_id = context.aws_request_id
    logger.append_keys(cause=cause, correlation_id=correlation_id)
    config = settings()
    active = {s.id for s in reference_repository().list_sources()}
    demands = compute_demand(preferences_repository().all(), active)
    logger.info("ingestion starting", extra={"sources": len(demands)})
    try:
        report = run_ingestion(
            demands,
            watchmode_client(),
            title_repository(),
            title_publisher(),
            cause=cause,
            correlation_id=correlation_id,
            region=config.regions[0],
            max_pages=config.ingestion_max_pages_per_source,
            page_limit=config.ingestion_page_limit,
        )
    except IngestionFailed as exc:
        logger.error("ingestion failed", extra={"report": exc.report.as_dict()})
        raise
    logger.info("ingestion finished", extra={"report": report.as_dict(), "aws_calls": aws_calls.take()})
    return {"cause": cause, **report.as_dict()}
