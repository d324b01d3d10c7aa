"""What the admin screen asks for, free of Lambda events and of AWS clients (those sit behind the small
interfaces below; `cloud.py` implements them, tests use moto or stand-ins)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from tvguide.identity import Caller
from tvguide.jobs import Job, JobConflict, JobKind, JobRepository, JobStatus
from tvguide.observability import redact

# Which function runs each kind of job (roles as in the `functions` setting).
JOB_FUNCTIONS = {
    JobKind.REFERENCE_REFRESH: "reference",
    JobKind.TITLES_REFRESH: "ingestion",
    JobKind.TITLES_ENRICH: "backfill",
    JobKind.SUMMARY: "admin_api",
}
# Jobs that end when their function returns get a short deadline; pipeline jobs the configured one.
SHORT_JOB = timedelta(minutes=15)


class InvalidRequest(ValueError):
    """Bad input: answered 400."""


class Forbidden(PermissionError):
    """Not allowed for this caller or resource: answered 403."""


class JobNotStarted(RuntimeError):
    """The job's function could not be invoked: the job is recorded failed, answered 502."""


# --- jobs ----------------------------------------------------------------------------------------------


class FunctionInvoker(Protocol):
    def invoke_async(self, function_name: str, payload: Mapping[str, Any]) -> None: ...


@dataclass
class JobLauncher:
    """Creates a job (one of a kind at a time) and invokes its function asynchronously."""

    jobs: JobRepository
    invoker: FunctionInvoker
    functions: Mapping[str, str]
    pipeline_timeout: timedelta

    def launch(self, kind: JobKind, requested_by: Mapping[str, str]) -> Job:
        """Raises JobConflict when a job of the kind is queued or running, JobNotStarted when its
        function cannot be invoked (the job is then recorded failed)."""
        timeout = (
            self.pipeline_timeout if kind in (JobKind.TITLES_REFRESH, JobKind.TITLES_ENRICH) else SHORT_JOB
        )
        job = self.jobs.create(kind, requested_by, timeout)
        payload = {"job_id": job.job_id}
        if kind == JobKind.SUMMARY:
            payload["admin_job"] = kind.value
        try:
            self.invoker.invoke_async(self.functions[JOB_FUNCTIONS[kind]], payload)
        except Exception as exc:
            self.jobs.finish(job.job_id, JobStatus.FAILED, error=f"could not start: {exc}")
            raise JobNotStarted(f"the {kind.value} job could not be started: {exc}") from exc
        return job


# --- table summary -------------------------------------------------------------------------------------


def classify(item: Mapping[str, Any]) -> str | None:
    """The kind of one table item (by its keys), for the summary's counts."""
    pk, sk = str(item.get("pk", "")), str(item.get("sk", ""))
    if sk == "TITLE":
        status = str(item.get("enrichment_status") or "PENDING").lower()
        return f"titles_{status}"
    if pk == "REF#SOURCE":
        return "sources_active" if item.get("active", True) else "sources_inactive"
    if pk == "REF#GENRE":
        return "genres"
    if sk == "PREFERENCES":
        return "viewers_with_preferences"
    if pk.startswith("SOURCE#"):
        return "availability_rows"
    if pk.startswith("JOB#"):
        return "jobs"
    return None


def summarise(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts by kind: titles (total, enriched, pending, failed), sources (active, inactive), genres,
    viewers with preferences, availability rows, jobs."""
    counts = dict.fromkeys(
        (
            "titles_enriched",
            "titles_pending",
            "titles_failed",
            "sources_active",
            "sources_inactive",
            "genres",
            "viewers_with_preferences",
            "availability_rows",
            "jobs",
        ),
        0,
    )
    for item in items:
        kind = classify(item)
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
    titles = {
        "total": counts["titles_enriched"] + counts["titles_pending"] + counts["titles_failed"],
        "enriched": counts["titles_enriched"],
        "pending": counts["titles_pending"],
        "failed": counts["titles_failed"],
    }
    return {
        "titles": titles,
        "sources": {"active": counts["sources_active"], "inactive": counts["sources_inactive"]},
        "genres": counts["genres"],
        "viewers_with_preferences": counts["viewers_with_preferences"],
        "availability_rows": counts["availability_rows"],
        "jobs": counts["jobs"],
    }


# --- function health -----------------------------------------------------------------------------------

# (metric, statistic) per function; counts are summed, Duration's p95 is taken per 5-minute period.
METRICS = (("Invocations", "Sum"), ("Errors", "Sum"), ("Throttles", "Sum"), ("Duration", "p95"))
PERIOD_SECONDS = 300
WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24)}


class MetricsSource(Protocol):
    def lambda_series(
        self,
        function_names: list[str],
        metrics: tuple[tuple[str, str], ...],
        start: datetime,
        end: datetime,
        period: int,
    ) -> dict[tuple[str, str], list[tuple[datetime, float]]]:
        """{(function name, metric): [(period start, value)]}, from one GetMetricData call."""
        ...


def function_health(
    functions: Mapping[str, str], arn_prefix: str, metrics: MetricsSource, now: datetime
) -> list[dict[str, Any]]:
    """Per product function: invocations, errors, successes, throttles and the highest 5-minute p95
    duration over the last hour and the last 24 hours. A metric with no data points reads 0 (counts) or
    null (duration): nothing is invented."""
    names = sorted(set(functions.values()))
    series = metrics.lambda_series(names, METRICS, now - WINDOWS["24h"], now, PERIOD_SECONDS)
    rows = []
    for role, name in sorted(functions.items(), key=lambda kv: kv[0]):
        row: dict[str, Any] = {"name": role, "function_name": name, "arn": arn_prefix + name}
        for window, span in WINDOWS.items():
            since = now - span
            values = {
                metric: [v for t, v in series.get((name, metric), []) if t >= since] for metric, _ in METRICS
            }
            invocations = round(sum(values["Invocations"]))
            errors = round(sum(values["Errors"]))
            row[f"invocations_{window}"] = invocations
            row[f"errors_{window}"] = errors
            row[f"success_count_{window}"] = max(invocations - errors, 0)
            row[f"throttles_{window}"] = round(sum(values["Throttles"]))
            durations = values["Duration"]
            row[f"duration_p95_ms_{window}"] = round(max(durations), 1) if durations else None
        rows.append(row)
    return rows


# --- logs ----------------------------------------------------------------------------------------------

MAX_LOG_EVENTS = 100
MAX_LOG_MESSAGE_CHARS = 4000
MAX_LOG_TOTAL_CHARS = 200_000


class LogSource(Protocol):
    def latest_events(self, log_group: str, limit: int) -> tuple[str | None, list[dict[str, Any]]]:
        """The newest stream's name and its newest events ({timestamp, message}), oldest first."""
        ...


def product_function(functions: Mapping[str, str], arn_prefix: str, function_arn: Any) -> str:
    """The name of the product function `function_arn` names (a version or alias qualifier allowed).
    InvalidRequest without an ARN; Forbidden for anything else."""
    if not isinstance(function_arn, str) or not function_arn.strip():
        raise InvalidRequest("function_arn is required: the ARN of one of the product's functions")
    arn = function_arn.strip()
    if not arn.startswith(arn_prefix):
        raise Forbidden("logs are available for the product's own functions only")
    name = arn.removeprefix(arn_prefix).split(":", 1)[0]
    if name not in set(functions.values()):
        raise Forbidden("logs are available for the product's own functions only")
    return name


def read_logs(source: LogSource, function_name: str) -> dict[str, Any]:
    """The newest log events of a product function: bounded in count and size, tokens and keys redacted."""
    log_group = f"/aws/lambda/{function_name}"
    stream, events = source.latest_events(log_group, MAX_LOG_EVENTS)
    shown: list[dict[str, Any]] = []
    total = 0
    for event in reversed(events):  # keep the newest when the size bound cuts
        message = redact(str(event.get("message", "")))
        if len(message) > MAX_LOG_MESSAGE_CHARS:
            message = message[:MAX_LOG_MESSAGE_CHARS] + " …[truncated]"
        total += len(message)
        if total > MAX_LOG_TOTAL_CHARS:
            break
        shown.append({"timestamp": int(event.get("timestamp", 0)), "message": message})
    shown.reverse()
    return {
        "log_group": log_group,
        "stream_name": stream,
        "events": shown,
        "truncated": len(shown) < len(events),
    }


# --- dead letters --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedMessage:
    message_id: str
    receipt_handle: str
    body: str
    sent_at: int  # epoch milliseconds
    receive_count: int
    attributes: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class QueueSource(Protocol):
    def depth(self, url: str) -> dict[str, int]: ...
    def peek(self, url: str, count: int) -> list[QueuedMessage]: ...
    def receive(self, url: str, count: int) -> list[QueuedMessage]: ...
    def delete(self, url: str, message: QueuedMessage) -> None: ...
    def release(self, url: str, message: QueuedMessage) -> None: ...


class TitleStream(Protocol):
    def put(self, data: bytes, partition_key: str) -> None: ...
    def read_range(self, shard_id: str, first: str, last: str) -> list[tuple[bytes, str]]: ...


def reason_of(message: QueuedMessage) -> str:
    """Why a message is dead: the product's own poison record, an event source mapping's on-failure
    record, or a failed asynchronous invocation."""
    body = message.json()
    if isinstance(body, dict) and "reason" in body:
        return f"{body.get('component', 'unknown')}: {body['reason']}"
    if isinstance(body, dict) and isinstance(body.get("requestContext"), dict):
        context = body["requestContext"]
        response = body.get("responseContext") or {}
        error = response.get("functionError") or ""
        return f"{context.get('condition', 'failed')} {error}".strip()
    error = message.attributes.get("ErrorMessage") or message.attributes.get("ErrorCode")
    return f"asynchronous invocation failed: {error}" if error else "unknown"


def describe(message: QueuedMessage) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "sent_at": datetime.fromtimestamp(message.sent_at / 1000).astimezone().isoformat(timespec="seconds"),
        "receive_count": message.receive_count,
        "reason": redact(reason_of(message))[:1000],
        "body": redact(message.body[:2000]),
    }


def dead_letter_report(
    queues: Mapping[str, str], source: QueueSource, newest: int = 5
) -> list[dict[str, Any]]:
    report = []
    for name, url in sorted(queues.items()):
        messages = sorted(source.peek(url, 10), key=lambda m: m.sent_at, reverse=True)[:newest]
        report.append({"queue": name, **source.depth(url), "newest": [describe(m) for m in messages]})
    return report


MAX_REDRIVE = 100


@dataclass
class Redriver:
    """Puts dead letters back through the pipeline. A record that fails again returns to its DLQ;
    a message that cannot be attributed stays where it is. Bounded per call (MAX_REDRIVE)."""

    queues: Mapping[str, str]
    source: QueueSource
    stream: TitleStream
    launcher: JobLauncher
    invoker: FunctionInvoker
    functions: Mapping[str, str]

    def redrive(self, queue: str, caller: Caller) -> dict[str, Any]:
        if queue not in self.queues:
            raise InvalidRequest(f"unknown dead-letter queue {queue!r}; one of {sorted(self.queues)}")
        url = self.queues[queue]
        redriven, notes = 0, []
        kept: dict[str, QueuedMessage] = {}  # stay invisible until the end, so they are not read twice
        enrich_job: str | None = None
        while redriven + len(kept) < MAX_REDRIVE:
            batch = self.source.receive(url, min(10, MAX_REDRIVE - redriven - len(kept)))
            fresh = [m for m in batch if m.message_id not in kept]
            if not fresh:
                break
            for message in fresh:
                if queue == "consumer":
                    done, note = self._consumer(message)
                elif queue == "enrichment":
                    enrich_job = enrich_job or self._start_enrich(caller)
                    done, note = True, f"re-requested by enrich job {enrich_job}"
                else:
                    done, note = self._async(message, caller)
                if done:
                    self.source.delete(url, message)
                    redriven += 1
                else:
                    kept[message.message_id] = message
                notes.append({"message_id": message.message_id, "redriven": done, "note": note})
        for message in kept.values():
            self.source.release(url, message)
        return {"queue": queue, "redriven": redriven, "kept": len(kept), "messages": notes}

    def _consumer(self, message: QueuedMessage) -> tuple[bool, str]:
        body = message.json()
        if not isinstance(body, dict):
            return False, "not a JSON object"
        record = (body.get("record") or {}).get("kinesis") if isinstance(body.get("record"), dict) else None
        if isinstance(record, dict) and record.get("data") is not None:
            self.stream.put(base64.b64decode(record["data"]), str(record.get("partitionKey") or "redrive"))
            return True, "record re-published to the title stream"
        batch = body.get("KinesisBatchInfo")
        if isinstance(batch, dict):
            records = self.stream.read_range(
                str(batch["shardId"]), str(batch["startSequenceNumber"]), str(batch["endSequenceNumber"])
            )
            for data, partition_key in records:
                self.stream.put(data, partition_key)
            return True, f"{len(records)} record(s) re-read from the stream and re-published"
        return False, "not a title-stream record"

    def _start_enrich(self, caller: Caller) -> str:
        try:
            return self.launcher.launch(JobKind.TITLES_ENRICH, caller.audit()).job_id
        except JobConflict as conflict:
            return conflict.running_job_id  # the running enrich job covers every pending title

    def _async(self, message: QueuedMessage, caller: Caller) -> tuple[bool, str]:
        event = message.json()
        if not isinstance(event, dict):
            return False, "not a JSON object"
        job_id = event.get("job_id")
        if isinstance(job_id, str):
            job = self.launcher.jobs.get(job_id)
            if job is None:
                return False, f"unknown job {job_id}"
            try:
                new = self.launcher.launch(job.kind, caller.audit())
            except JobConflict as conflict:
                return False, f"a {job.kind.value} job is running: {conflict.running_job_id}"
            return True, f"re-run as job {new.job_id}"
        rules = event.get("resources") if event.get("source") == "aws.events" else None
        if isinstance(rules, list) and rules:
            name = str(rules[0]).rsplit("/", 1)[-1].removesuffix("-schedule")
            if name in set(self.functions.values()):
                self.invoker.invoke_async(name, event)
                return True, f"scheduled run of {name} invoked again"
        return False, "no product function to re-run it"
