"""Structured logging that never prints tokens, keys or passwords.

Every service logs through `get_logger`, a Powertools JSON logger whose formatter redacts sensitive keys
anywhere in a record and scrubs secret-looking values (bearer tokens, JWTs, api keys in URLs) from text.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit

REDACTED = "***"
METRICS_NAMESPACE = "UKTVGuide"  # the product's own CloudWatch metrics (EMF), alarmed in Terraform
_SENSITIVE_KEY = re.compile(
    r"(authorization|api[-_]?key|apikey|token|password|secret|cookie|credential)", re.IGNORECASE
)
_SENSITIVE_TEXT = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + REDACTED),
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"(?i)([?&](?:api_?key|token|key)=)[^&\s\"']+"), r"\1" + REDACTED),
]


def redact(value: Any) -> Any:
    """Return a copy of `value` with sensitive keys and secret-looking text replaced."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and _SENSITIVE_KEY.search(k) else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        for pattern, replacement in _SENSITIVE_TEXT:
            value = pattern.sub(replacement, value)
        return value
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return super().serialize(redact(log) if isinstance(log, dict) else log)


def get_logger(service: str) -> Logger:
    return Logger(service=service, logger_formatter=RedactingFormatter(), use_rfc3339=True)


class AwsCallCounter:
    """Counts AWS API calls made through the clients it is attached to, by "service:Operation"."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-call.*.*", self._count)
        return client

    def _count(self, model: Any, **_: Any) -> None:
        key = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def take(self) -> dict[str, int]:
        """The counts since the last take (one invocation's worth), then reset."""
        with self._lock:
            counts, self.counts = self.counts, {}
        return counts


aws_calls = AwsCallCounter()


def publish_aws_calls(metrics: Metrics, **metadata: Any) -> dict[str, int]:
    """This invocation's AWS calls as CloudWatch metrics (EMF, one blob): `dynamodb.Query`,
    `kinesis.PutRecords`... with `metadata` beside them (e.g. the request's path). Returns the counts."""
    counts = aws_calls.take()
    for call, count in sorted(counts.items()):
        metrics.add_metric(name=call.replace(":", "."), unit=MetricUnit.Count, value=count)
    for key, value in metadata.items():
        metrics.add_metadata(key=key, value=value)
    if counts:
        metrics.flush_metrics()
    else:
        metrics.clear_metrics()
    return counts
