"""The weekly digest (a second function of the notifier service, on a weekly schedule): one email to each
viewer who chose a weekly digest instead of one per alert, of what arrived on their services (see
`digest`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from tvguide.availability_news import AvailabilityNewsReader
from tvguide.aws_session import new_client
from tvguide.models import utc_now
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.runtime import new_dynamodb_resource, reference_repository, settle_cold_start, title_repository
from tvguide_notifier.digest import send_digests
from tvguide_notifier.settings import digest_settings
from tvguide_notifier.store import DigestStore, SesMailer

logger = get_logger("notifier-digest")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="notifier-digest")
digest_settings()  # validated at cold start


@cache
def directory() -> DigestStore:
    return DigestStore(digest_settings().table_name, resource_factory=new_dynamodb_resource)


@cache
def news() -> AvailabilityNewsReader:
    return AvailabilityNewsReader(digest_settings().table_name, resource_factory=new_dynamodb_resource)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    aws_calls.take()
    config = digest_settings()
    if not config.alert_sender_email:
        logger.warning("no digest sent: the stack has no alert sender (alert_sender_email)")
        return {"sent": 0, "reason": "no alert sender"}
    sources = reference_repository(config.table_name).list_sources(include_inactive=True)
    report = send_digests(
        directory(),
        news(),
        title_repository(config.table_name),
        SesMailer(new_client("ses"), config.alert_sender_email),
        source_names={s.id: s.name for s in sources},
        now=utc_now(),
        site_url=config.site_url,
    )
    summary = {k: v for k, v in vars(report).items() if k != "errors"} | {"failed": len(report.errors)}
    if report.errors:
        logger.error("digests not sent", extra={"errors": report.errors[:10]})
    logger.info("weekly digests", extra=summary)
    metrics.add_metric(name="DigestsSent", unit=MetricUnit.Count, value=report.sent)
    publish_aws_calls(metrics)
    if report.errors:  # visible as a failed invocation (and retried by the schedule's async retries)
        raise RuntimeError(f"{len(report.errors)} digest(s) not sent: {report.errors[:3]}")
    return summary


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
