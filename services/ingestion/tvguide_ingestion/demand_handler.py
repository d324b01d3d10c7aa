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
from tvguide.runtime import (
    credit_ledger,
    reference_repository,
    title_publisher,
    title_repository,
    watchmode_client,
)
from tvguide_ingestion.logic import (
    Audience,
    IngestionFailed,
    IngestionReport,
    NewDemand,
    new_demands,
    run_ingestion,
)
from tvguide_ingestion.settings import demand_settings as settings
from tvguide_ingestion.wiring import crawl_misses, crawl_states

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


def crawl_new_demand(
    found: list[NewDemand], saved: list[Preferences], correlation_id: str
) -> IngestionReport:
    """Crawl just the new demand (nothing is removed by it) and record what it now covers. A failure is
    recorded on the source, so the hourly schedule retries it; it is not raised (the stream would only
    retry the same crawl)."""
    config = settings()
    demands = [n.demand for n in found]
    client = watchmode_client("ingestion", settings())
    try:
        report = run_ingestion(
            demands,
            client,
            title_repository(settings().table_name),
            title_publisher(settings().title_stream_name),
            misses=crawl_misses(settings().table_name),
            cause=f"{UNTRACKED_CAUSE_PREFIX}{correlation_id}",
            correlation_id=correlation_id,
            region=config.regions[0],
            max_pages=config.ingestion_max_pages_per_source,
            page_limit=config.ingestion_page_limit,
            remove_missing=False,
            baseline=[d.source_id for d in demands],  # all of it is newly wanted
            audience=Audience(saved),
        )
    except IngestionFailed as exc:
        report = exc.report
        logger.error("new demand not fetched; the schedule will retry", extra={"report": report.as_dict()})
    finally:
        credit_ledger(settings()).record("ingestion", client.take_credits())
    now = iso_now()
    for item in found:
        source_id = item.demand.source_id
        if source_id in report.sources_failed:
            crawl_states(settings().table_name).record(
                source_id, refreshed=False, error=report.sources_failed[source_id], now=now
            )
        elif source_id in report.sources_refreshed:
            if item.extends and item.demand.genre_ids:
                crawl_states(settings().table_name).add_genres(source_id, item.demand.genre_ids, now=now)
            else:
                crawl_states(settings().table_name).record(
                    source_id, refreshed=True, error=None, now=now, genre_ids=item.demand.genre_ids
                )
    return report


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
    report = crawl_new_demand(found, saved, context.aws_request_id)
    metrics.add_metric(name="NewDemandSources", unit=MetricUnit.Count, value=len(found))
    publish_aws_calls(metrics)
    return {"status": "failed" if report.sources_failed else "succeeded", "report": report.as_dict()}
