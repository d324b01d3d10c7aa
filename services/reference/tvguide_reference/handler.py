"""Scheduled (or admin-invoked) refresh of sources and genres."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.observability import get_logger
from tvguide.runtime import reference_repository, watchmode_client
from tvguide.settings import settings
from tvguide_reference.logic import refresh_reference

logger = get_logger("reference")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    cause = str(event.get("job_id") or "schedule") if isinstance(event, dict) else "schedule"
    logger.append_keys(cause=cause)
    config = settings()
    result = refresh_reference(
        watchmode_client(),
        reference_repository(),
        regions=config.regions,
        source_types=config.source_types,
    )
    logger.info("reference data refreshed", extra={"result": result})
    return {"status": "succeeded", "cause": cause, **result}
