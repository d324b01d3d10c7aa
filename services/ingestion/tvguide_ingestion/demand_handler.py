"""New demand, crawled at once (the ingestion-demand function's entry point): saved preferences (the table's
stream, filtered to preference items) that ask for a source or genre no crawl covers yet are crawled for just
that new demand, so a viewer's titles appear within seconds. Demand that already exists costs nothing."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.models import UNTRACKED_CAUSE_PREFIX, Preferences, iso_now
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.runtime import reference_repository, settle_cold_start
from tvguide_ingestion.logic import new_demands
from tvguide_ingestion.refresh import crawl_new_demand
from tvguide_ingestion.settings import demand_settings as settings
from tvguide_ingestion.wiring import WatchmodeCrawler, crawl_states

logger = get_logger("ingestion")
settings()  # validated at cold start
metrics = Metrics(namespace=METRICS_NAMESPACE, service="ingestion")


def saved_preferences(event: dict[str, Any]) -> list[Preferences]:
    """The preferences written by the stream records (inserts and changes; deletions want nothing)."""
    saved = []
    for record in DynamoDBStreamEvent(event).records:
        image = record.dynamodb.new_image if record.dynamodb else {}
        if image.get("sk") != "PREFERENCES":
            continue
        try:
            saved.append(Preferences.model_validate(image))
        except ValueError:
            logger.warning("unreadable preferences item skipped", extra={"pk": image.get("pk")})
    return saved


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    aws_calls.take()
    logger.append_keys(correlation_id=context.aws_request_id)
    active = {s.id for s in reference_repository(settings().table_name).list_sources()}
    saved = saved_preferences(event)
    found = new_demands(saved, crawl_states(settings().table_name).all(), active)
    # One line per invocation: the local tools wait on it (how many saved preferences were checked).
    logger.info(
        "demand checked",
        extra={"preferences": len(saved), "new_demand": [n.demand.model_dump() for n in found]},
    )
    if not found:
        publish_aws_calls(metrics)
        return {"status": "skipped", "reason": "no new demand"}
    report = crawl_new_demand(
        found,
        saved,
        crawl=WatchmodeCrawler(settings()),
        crawl_states=crawl_states(settings().table_name),
        cause=f"{UNTRACKED_CAUSE_PREFIX}{context.aws_request_id}",
        correlation_id=context.aws_request_id,
        now=iso_now(),
    )
    if report.sources_failed:  # recorded on the sources: the hourly schedule retries them
        logger.error("new demand not fetched; the schedule will retry", extra={"report": report.as_dict()})
    metrics.add_metric(name="NewDemandSources", unit=MetricUnit.Count, value=len(found))
    publish_aws_calls(metrics)
    return {"status": "failed" if report.sources_failed else "succeeded", "report": report.as_dict()}


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
