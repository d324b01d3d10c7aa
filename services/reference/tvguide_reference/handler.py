"""Scheduled (or admin-invoked) refresh of sources and genres, and of what is leaving them soon, run as a
tracked job (daily)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.job_runner import JobEvent, JobReport, run_job
from tvguide.jobs import Job, JobKind
from tvguide.models import utc_now
from tvguide.observability import get_logger
from tvguide.runtime import (
    credit_ledger,
    job_repository,
    new_dynamodb_resource,
    settle_cold_start,
    watchmode_client,
)
from tvguide_reference.logic import refresh_departures, refresh_reference, refresh_releases
from tvguide_reference.settings import reference_settings as settings
from tvguide_reference.store import DepartureWriter, ReferenceWriter, ReleaseWriter

logger = get_logger("reference")
TIMEOUT = timedelta(minutes=15)
settings()  # validated at cold start


@cache
def store() -> ReferenceWriter:
    return ReferenceWriter(settings().table_name, resource_factory=new_dynamodb_resource)


@cache
def departures() -> DepartureWriter:
    return DepartureWriter(settings().table_name, resource_factory=new_dynamodb_resource)


@cache
def releases() -> ReleaseWriter:
    return ReleaseWriter(settings().table_name, resource_factory=new_dynamodb_resource)


def refresh(job: Job, _: JobEvent) -> JobReport:
    """Sources and genres, then departures and releases (a failure of those fails the job; what was
    written before it stays)."""
    config = settings()
    client = watchmode_client("control", config)
    try:
        result = refresh_reference(client, store(), regions=config.regions, source_types=config.source_types)
        now = utc_now()
        today, stamp, region = now.date(), now.isoformat(timespec="seconds"), config.regions[0]
        result |= refresh_departures(client, departures(), today=today, now=stamp, region=region)
        result |= refresh_releases(client, releases(), today=today, now=stamp, region=region)
    finally:
        credit_ledger(config).record("control", client.take_credits())
    logger.info("reference data refreshed", extra={"result": result})
    return JobReport(result=result)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run_job(
        event,
        JobKind.REFERENCE_REFRESH,
        job_repository(settings().table_name),
        refresh,
        timeout=TIMEOUT,
        logger=logger,
        context=context,
    )


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
