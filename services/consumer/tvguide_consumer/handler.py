"""The consumer's entry point (Kinesis): parses title events, applies them, reports partial batch failures.
(The feed-rebuild job, which mirrors every availability row into the feed index when the index is older
than the code: `feed_rebuild_handler.py`.)

A record that can never be parsed (poison) goes straight to the dead-letter queue with the reason and is
not reported as failed, so it neither blocks the shard nor is lost; it counts for its job as dead-lettered
(settled), when the job can still be read from it, so the job still ends. If the batch's index write fails,
the handler raises and the whole batch is retried (nothing else was written). A record that fails for a
transient reason is reported in `batchItemFailures`; AWS retries it (bisecting, bounded) and finally sends it
to the mapping's on-failure destination.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import DecimalException
from functools import cache
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.parser.models.kinesis import KinesisDataStreamRecordPayload
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pydantic import ValidationError

from tvguide.dead_letters import DeadLetterQueue
from tvguide.job_runner import report_job_progress
from tvguide.models import TitleEvent, job_of_cause
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger, publish_aws_calls
from tvguide.runtime import (
    job_repository,
    new_dynamodb_resource,
    nudge_enrichment_worker,
    settle_cold_start,
    sqs,
)
from tvguide_consumer.logic import EventOutcome, PlannedEvent, TitleEventApplier, write_titles
from tvguide_consumer.settings import consumer_settings as settings
from tvguide_consumer.store import TitleIngestStore

logger = get_logger("consumer")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="consumer")
processor = BatchProcessor(event_type=EventType.KinesisDataStreams, raise_on_entire_batch_failure=False)
settings()  # validated at cold start


@cache
def store() -> TitleIngestStore:
    return TitleIngestStore(settings().table_name, resource_factory=new_dynamodb_resource)


def unstorable(error: Exception) -> str | None:
    """Why a record can never be stored (DynamoDB refused its shape, or a value no item can hold), or None
    when the failure is transient (throttling, a network error): that one the mapping retries."""
    if isinstance(error, ClientError):
        if error.response.get("Error", {}).get("Code") != "ValidationException":
            return None
        return f"cannot be stored: {error.response['Error'].get('Message', '')[:300]}"
    return f"cannot be stored: {type(error).__name__}: {str(error)[:300]}"


def job_named_by(data: bytes) -> str:
    """The job an unparseable record still names (its header's `cause`), or "" when none can be read."""
    try:
        header = json.loads(data).get("header") or {}
        cause = header.get("cause")
    except (ValueError, AttributeError):
        return ""
    if not isinstance(cause, str) or not cause.isprintable() or not 0 < len(cause) <= 100:
        return ""
    return job_of_cause(cause)


class BatchContext:
    """Events parsed once per batch; `prepare` plans them (one batch read), writes their availability rows
    together, then their title records (several titles at once); each record's handler then reports its
    write's outcome. The constructor does no I/O."""

    def __init__(self, event: dict[str, Any], applier: TitleEventApplier, dlq: DeadLetterQueue) -> None:
        self.dlq = dlq
        self._applier = applier
        parsed: dict[str, TitleEvent] = {}
        self.poison: dict[str, str] = {}
        self.poison_jobs: dict[str, str] = {}  # the job a poison record names, when it can be read
        for raw in event.get("Records") or []:
            sequence = str((raw.get("kinesis") or {}).get("sequenceNumber"))
            payload = None
            try:
                # Powertools' typed Kinesis payload decodes the record's data; the envelope parses the event.
                payload = KinesisDataStreamRecordPayload.model_validate(raw.get("kinesis") or {})
                if not isinstance(payload.data, bytes):
                    raise TypeError("a Kinesis record's data is bytes")
                parsed[sequence] = TitleEvent.parse(payload.data)
            except (ValueError, ValidationError, TypeError) as exc:
                self.poison[sequence] = f"{type(exc).__name__}: {str(exc)[:300]}"
                if payload is not None and isinstance(payload.data, bytes):
                    self.poison_jobs[sequence] = job_named_by(payload.data)
        self.parsed = parsed
        self.planned: dict[str, PlannedEvent] = {}
        self.written: dict[str, EventOutcome | Exception] = {}  # each title write's outcome, or its error
        self.index_writes = 0
        self.outcomes: dict[str, int] = {}
        # Each stored record's progress ({sequence: (job id, {counter: n})}), reported once for the batch.
        self.record_progress: dict[str, tuple[str, dict[str, int]]] = {}
        self.queued = 0  # titles this batch put in the enrichment queue

    def prepare(self) -> BatchContext:
        """Plan every parsed event against the current titles (one batch read), write the batch's
        availability rows, feed entries and search names together, then the title records."""
        plans, changes = self._applier.plan_batch(list(self.parsed.values()))
        self.planned = dict(zip(self.parsed, plans, strict=True))
        self.index_writes = changes.write_to(self._applier.store)
        self.written = write_titles(self.planned)
        return self

    def handle(self, record: KinesisStreamRecord) -> str:
        sequence = record.kinesis.sequence_number
        if sequence in self.poison:
            self.dlq.send(component="consumer", reason=self.poison[sequence], record=record.raw_event)
            logger.warning("poison record sent to the DLQ", extra={"sequence_number": sequence})
            outcome = "dead_lettered"
            if self.poison_jobs.get(sequence):
                self.record_progress[sequence] = (self.poison_jobs[sequence], {"events_dead_lettered": 1})
        else:
            planned, written = self.planned[sequence], self.written[sequence]
            if isinstance(written, EventOutcome):
                outcome = written.value
            elif isinstance(written, (ClientError, DecimalException, TypeError, ValueError)):
                reason = unstorable(written)
                if reason is None:
                    raise written  # transient: reported, and retried by the mapping
                # It parses but can never be stored: dead-letter it with the reason, whatever the cause.
                self.dlq.send(component="consumer", reason=reason, record=record.raw_event)
                logger.error("unstorable record sent to the DLQ", extra={"sequence_number": sequence})
                outcome = "dead_lettered"
            else:
                raise written  # transient: reported, and retried by the mapping
            counts = {"events_dead_lettered" if outcome == "dead_lettered" else "events_stored": 1}
            if planned.makes_pending:
                counts["titles_pending"] = 1
                self.queued += 1
            self.record_progress[sequence] = (planned.job_id, counts)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        return outcome

    def job_progress(self, failures: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
        """The batch's progress by job. AWS retries a batch from its lowest failed sequence number on, so a
        record after it is processed again: its `events_stored` (or `events_dead_lettered`) counts then, not
        now. `titles_pending` counts
        now (the write that queued the title happened; processed again, the record changes nothing)."""
        failed = [int(f["itemIdentifier"]) for f in failures if str(f.get("itemIdentifier", "")).isdigit()]
        first_failed = min(failed) if failed else None
        progress: dict[str, dict[str, int]] = {}
        for sequence, (job_id, counts) in self.record_progress.items():
            retried = first_failed is not None and int(sequence) >= first_failed
            totals = progress.setdefault(job_id, {})
            for counter, n in counts.items():
                if not (retried and counter in ("events_stored", "events_dead_lettered")):
                    totals[counter] = totals.get(counter, 0) + n
        return progress


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = settings()
    aws_calls.take()  # count this invocation's calls only
    batch = BatchContext(
        event,
        TitleEventApplier(store(), stale_days=config.enrichment_stale_days),
        DeadLetterQueue(config.dlq_url, sqs()),
    ).prepare()
    response = process_partial_response(
        event=event, record_handler=batch.handle, processor=processor, context=context
    )
    report_job_progress(
        job_repository(config.table_name), batch.job_progress(response.get("batchItemFailures", [])), logger
    )
    if store().names_not_indexed:  # a full search shard: the batch went on, the alarm says so
        metrics.add_metric(name="SearchShardFull", unit=MetricUnit.Count, value=store().names_not_indexed)
        store().names_not_indexed = 0
    if batch.queued:  # a viewer's new service is enriched within seconds
        nudge_enrichment_worker(config.enrichment_function_name, logger)
    logger.info(
        "batch processed",
        extra={
            "records": len(event.get("Records") or []),
            "failed": len(response.get("batchItemFailures", [])),
            "poison": len(batch.poison),
            "index_rows_written": batch.index_writes,
            "outcomes": batch.outcomes,
            "queued_for_enrichment": batch.queued,
        },
    )
    publish_aws_calls(metrics)
    return dict(response)


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
