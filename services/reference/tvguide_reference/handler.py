"""Scheduled (or admin-invoked) refresh of sources and genres, run as a tracked job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.job_runner import JobEvent, JobReport, run_job
from tvguide.jobs import Job, JobKind
from tvguide.observability import get_logger
from tvguide.runtime import job_repository, reference_repository, watchmode_client
from tvguide.settings import settings
from tvguide_reference.logic import refresh_reference

logger = get_logger("reference")
TIMEOUT = timedelta(minutes=15)


def refresh(job: Job, _: JobEvent) -> JobReport:
    config = settings()
    result = refresh_reference(
        watchmode_client(),
        reference_repository(),
        regions=config.regions,
        source_types=config.source_types,
    )
    logger.info("reference data refreshed", extra={"result": result})
    return JobReport(result=result)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run_job(
        event, JobKind.REFERENCE_REFRESH, job_repository(), refresh, timeout=TIMEOUT, logger=logger
    )
