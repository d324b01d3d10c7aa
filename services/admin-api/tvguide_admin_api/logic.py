"""What the admin screen asks for, free of Lambda events and of AWS clients (those sit behind the small
interfaces below; `cloud.py` implements them, tests use moto or stand-ins)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from tvguide.errors import Conflict, Forbidden, InvalidRequest, NotFound, UpstreamFailed
from tvguide.jobs import Job, JobKind, JobRepository, JobStatus
from tvguide.observability import redact

# Which function runs each kind of job (roles as in the `functions` setting).
JOB_FUNCTIONS = {
    JobKind.REFERENCE_REFRESH: "reference",
    JobKind.TITLES_REFRESH: "ingestion",
    JobKind.TITLES_ENRICH: "backfill",
    JobKind.SUMMARY: "admin_api",
    JobKind.FEED_REBUILD: "feed_rebuild",
}
# Jobs that end when their function returns get a short deadline; pipeline jobs the configured one.
SHORT_JOB = timedelta(minutes=15)


class JobNotStarted(UpstreamFailed):
    """The job's function could not be invoked: the job is recorded failed (answered 502)."""


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
    if sk == "HOUSEHOLD" and pk.startswith("HOUSEHOLD#"):
        return "households"
    if pk.startswith("SOURCE#"):
        return "availability_rows"
    if pk.startswith("JOB#"):
        return "jobs"
    return None


def summarise(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts by kind: titles (total, enriched, pending = in the enrichment queue, failed, and deferred: left
    out of the queue by the credit budget before the queue existed, until the enrich job queues them), sources
    (active, inactive), genres, viewers with preferences, households, availability rows, jobs."""
    counts = dict.fromkeys(
        (
            "titles_enriched",
            "titles_pending",
            "titles_failed",
            "titles_deferred",
            "sources_active",
            "sources_inactive",
            "genres",
            "viewers_with_preferences",
            "households",
            "availability_rows",
            "jobs",
        ),
        0,
    )
    for item in items:
        kind = classify(item)
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
    statuses = ("enriched", "pending", "failed", "deferred")
    titles = {"total": sum(counts[f"titles_{s}"] for s in statuses)}
    titles |= {s: counts[f"titles_{s}"] for s in statuses}
    return {
        "titles": titles,
        "sources": {"active": counts["sources_active"], "inactive": counts["sources_inactive"]},
        "genres": counts["genres"],
        "viewers_with_preferences": counts["viewers_with_preferences"],
        "households": counts["households"],
        "availability_rows": counts["availability_rows"],
        "jobs": counts["jobs"],
    }


def summary_view(
    table: Mapping[str, Any],
    report: Mapping[str, Any] | None,
    not_refreshed: list[dict[str, Any]],
    credits: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The summary route's answer: the contract's tables and message, the latest counts by kind with their
    time, the sources whose last crawl failed, and this month's Watchmode credits against the budget."""
    counts = report["counts"] if report else None
    message = f"Table {table['name']}: {table['item_count']} items, {table['size_bytes']} bytes."
    if report:
        titles = counts["titles"] if counts else {}
        message += (
            f" Full summary of {report['generated_at']}: {titles.get('total', 0)} titles "
            f"({titles.get('enriched', 0)} enriched, {titles.get('pending', 0)} queued for enrichment, "
            f"{titles.get('failed', 0)} failed"
            + (
                f", {titles['deferred']} deferred before the queue: the enrich job queues them"
                if titles.get("deferred")
                else ""
            )
            + ")."
        )
    else:
        message += " No full summary yet: generate one."
    if not_refreshed:
        message += f" {len(not_refreshed)} source(s) not refreshed: their last crawl failed (retried hourly)."
    if credits and credits.get("budget"):
        message += f" Watchmode credits {credits['month']}: {credits['spent']} of {credits['budget']} spent."
    return {
        "credits": dict(credits) if credits else None,
        "tables": [dict(table)],
        "counts": counts,
        "counts_generated_at": report["generated_at"] if report else None,
        "counts_job_id": report["job_id"] if report else None,
        "sources_not_refreshed": not_refreshed,
        "message": message,
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


def queue_view(
    queue: Mapping[str, Any], credits: Mapping[str, Any], now: float | None = None
) -> dict[str, Any]:
    """The enrichment queue for the admin screen: the titles next in line (best rank first, with how many
    viewers' feeds each is in), how many wait and how many failed, whether a worker is draining it now
    (its lease unexpired) and the month's credits."""
    lease = queue.get("lease") or {}
    expires_at = int(lease.get("expires_at") or 0)
    now = time.time() if now is None else now
    return {
        "queued": queue["queued"]["count"],
        "queued_more": queue["queued"]["more"],
        "failed": queue["failed"]["count"],
        "failed_more": queue["failed"]["more"],
        "next": [
            {
                "id": str(item.get("id")),
                "title": item.get("title"),
                "viewers": int(item.get("audience") or 0),
                "rank": str(item.get("gsi1sk") or ""),
            }
            for item in queue.get("head") or []
        ],
        "worker": {
            "running": expires_at > now,
            "owner": lease.get("owner"),
            "renewed_at": lease.get("renewed_at"),
            "expires_at": expires_at or None,
        },
        "credits": dict(credits),
    }


def cancel(jobs: JobRepository, job_id: str, who: str) -> Job:
    """Cancel a queued or running job: it ends failed ("cancelled by <who>") and releases its kind's lock
    at once, so the next job of its kind can start; its pending continuations find it ended and stop.
    Returns the cancelled job; NotFound without such a job, Conflict when it had already ended."""
    job = jobs.get(job_id)
    if job is None:
        raise NotFound(f"No job {job_id}")
    if not jobs.finish(job_id, JobStatus.FAILED, error=f"cancelled by {who}"):
        raise Conflict(f"Job {job_id} has already ended ({job.status.value})")
    return jobs.get(job_id) or job
