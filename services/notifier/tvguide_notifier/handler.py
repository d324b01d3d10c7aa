"""The notifier: the table's stream, filtered to availability changes, drives it (see
`tvguide.availability_news`). Each change alerts the title's watchers (see `logic`); a change whose emails
could not all be sent is reported failed, so it is delivered again (nothing already done is repeated)."""

from __future__ import annotations

from functools import cache
from typing import Any

import requests
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.availability_news import CHANGE_KIND
from tvguide.aws_session import new_client
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.repositories import from_dynamo
from tvguide.runtime import new_dynamodb_resource, reference_repository, settle_cold_start, vapid_keys
from tvguide.web_push import PushDevices
from tvguide_notifier.logic import AlertsNotSent, AvailabilityChange, notify
from tvguide_notifier.settings import notifier_settings
from tvguide_notifier.store import AlertWriter, SesMailer, WatcherStore, WebPusher

logger = get_logger("notifier")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="notifier")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
notifier_settings()  # validated at cold start


@cache
def watchers() -> WatcherStore:
    return WatcherStore(notifier_settings().table_name, resource_factory=new_dynamodb_resource)


@cache
def alerts() -> AlertWriter:
    return AlertWriter(notifier_settings().table_name, resource_factory=new_dynamodb_resource)


@cache
def mailer() -> SesMailer | None:
    sender = notifier_settings().alert_sender_email
    if not sender:
        return None
    return SesMailer(new_client("ses"), sender)


@cache
def pusher() -> WebPusher:
    config = notifier_settings()
    return WebPusher(
        PushDevices(config.table_name, resource_factory=new_dynamodb_resource),
        keys=lambda: vapid_keys(config),
        subject=config.push_contact,
        allowed=config.push_service_origins,
        http=requests.Session(),
    )


@cache
def source_names() -> dict[str, str]:
    sources = reference_repository(notifier_settings().table_name).list_sources(include_inactive=True)
    return {s.id: s.name for s in sources}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    aws_calls.take()
    totals = dict.fromkeys(
        ("changes", "alerts_created", "alerts_existing", "emails_sent", "pushes_sent", "pushes_failed"), 0
    )

    def handle(record: DynamoDBRecord) -> str:
        image = from_dynamo(record.dynamodb.new_image) if record.dynamodb else {}
        if image.get("kind") != CHANGE_KIND:
            return "ignored"
        change = AvailabilityChange.from_item(image)
        try:
            report = notify(
                change,
                watchers(),
                alerts(),
                mailer(),
                source_names=source_names(),
                site_url=notifier_settings().site_url,
                pusher=pusher(),
            )
        except AlertsNotSent as exc:
            errors = exc.report.errors
            logger.error("alert emails not sent", extra={"title_id": change.title_id, "errors": errors})
            raise
        if report.push_errors:
            logger.warning(
                "pushes not sent", extra={"title_id": change.title_id, "errors": report.push_errors}
            )
        totals["changes"] += 1
        for name in ("alerts_created", "alerts_existing", "emails_sent", "pushes_sent", "pushes_failed"):
            totals[name] += getattr(report, name)
        return "notified"

    response = process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
    logger.info("changes notified", extra=totals | {"failed": len(response.get("batchItemFailures", []))})
    metrics.add_metric(name="AlertsCreated", unit=MetricUnit.Count, value=totals["alerts_created"])
    metrics.add_metric(name="AlertEmailsSent", unit=MetricUnit.Count, value=totals["emails_sent"])
    metrics.add_metric(name="AlertPushesSent", unit=MetricUnit.Count, value=totals["pushes_sent"])
    metrics.add_metric(name="AlertPushesFailed", unit=MetricUnit.Count, value=totals["pushes_failed"])
    publish_aws_calls(metrics)
    return dict(response)


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
