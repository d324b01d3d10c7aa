"""Jobs: what an admin (or a schedule) asked the pipeline to do, and how far it has got.

A job record lives in the single table and is fed by every function the job passes through: the function
that runs the job marks it running and reports what it dispatched; the consumer and enrichment add what
they stored and enriched for it (atomic ADDs, one update per job per batch). After every update the
writer checks whether the job is complete and, if so, moves it to `succeeded` — so a titles refresh
succeeds when its titles are stored and enriched, not when the ingestion function returns.

| item | pk | sk | gsi1pk / gsi1sk |
|---|---|---|---|
| job | `JOB#<id>` | `JOB` | `JOBS` / `<created_at>#<id>` (newest first) |
| lock | `JOBLOCK#<kind>` | `LOCK` | (one job of a kind at a time; see below) |

The lock is a lease: written with the queued job (one transaction) for `START_SECONDS`, the time its
function has to start; each invocation that runs the job holds it for its own time left plus
`HANDOVER_SECONDS` (a continuation's start); once the job's dispatch is complete it is held until the job's
deadline, while the pipeline finishes the job. So a run that is killed (timed out, crashed, its continuation
lost) frees its kind within minutes: the next job takes the lapsed lock over and marks the stopped one failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import uuid4

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from tvguide.errors import Conflict
from tvguide.models import iso_now, utc_now
from tvguide.repositories import GSI1, TableRepository, from_dynamo, to_dynamo
from tvguide.update_expression import Update

JOBS_INDEX_KEY = "JOBS"
START_SECONDS = 300  # a queued job's function has this long to start
HANDOVER_SECONDS = 120  # past an invocation's own time left: its continuation's start
TIMED_OUT = "timed out: the pipeline did not finish in time"
STOPPED = "stopped: its run ended without finishing it"


class JobKind(StrEnum):
    REFERENCE_REFRESH = "reference_refresh"
    TITLES_REFRESH = "titles_refresh"
    TITLES_ENRICH = "titles_enrich"
    SUMMARY = "summary"
    FEED_REBUILD = "feed_rebuild"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)

# Every counter a job can carry, each a top-level number attribute updated with ADD.
COUNTERS = (
    "sources_requested",  # ingestion: sources it set out to crawl
    "sources_complete",  # ingestion: sources crawled to the end (or the page cap)
    "sources_failed",  # ingestion: sources Watchmode would not list
    "titles_published",  # ingestion: title.seen events published
    "events_published",  # ingestion: every event published (seen + left_source)
    "events_stored",  # consumer: events of this job it has applied
    "events_dead_lettered",  # consumer: events of this job it could never store (in the DLQ: settled)
    "titles_pending",  # consumer / backfill: titles this job made pending enrichment
    "titles_enriched",  # enrichment: titles enriched for this job
    "titles_enrich_failed",  # enrichment: titles whose enrichment failed permanently
    "titles_enrich_deferred",  # enrichment: titles left for later by the monthly credit budget
)


class JobConflict(Conflict):
    """A job of the same kind is still queued or running (its id joins the answer)."""

    def __init__(self, kind: JobKind, running_job_id: str) -> None:
        super().__init__(
            f"a {kind.value} job is already running: {running_job_id}", {"job_id": running_job_id}
        )
        self.kind = kind
        self.running_job_id = running_job_id


class Job(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job_id: str
    kind: JobKind
    status: JobStatus
    requested_by: dict[str, str] = Field(default_factory=dict)
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    deadline_at: str
    error: str | None = None
    dispatch_complete: bool = False
    result: dict[str, Any] = Field(default_factory=dict)
    progress: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Job:
        data = from_dynamo(dict(item))
        data["progress"] = {name: int(data.get(name, 0)) for name in COUNTERS}
        return cls.model_validate(data)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def overdue(self) -> bool:
        return self.active and datetime.fromisoformat(self.deadline_at) < utc_now()

    def is_complete(self) -> bool:
        """Whether everything the job set in motion has reached its end (only pipeline jobs wait)."""
        p = self.progress
        if not self.dispatch_complete:
            return False
        settled = (
            p["titles_enriched"] + p["titles_enrich_failed"] + p["titles_enrich_deferred"]
            >= p["titles_pending"]
        )
        if self.kind == JobKind.TITLES_REFRESH:
            return p["events_stored"] + p["events_dead_lettered"] >= p["events_published"] and settled
        if self.kind == JobKind.TITLES_ENRICH:
            return settled
        return True

    def view(self) -> dict[str, Any]:
        """The job as the admin API shows it, with elapsed seconds."""
        started = datetime.fromisoformat(self.created_at)
        ended = datetime.fromisoformat(self.finished_at) if self.finished_at else utc_now()
        return self.model_dump(mode="json") | {"elapsed_seconds": round((ended - started).total_seconds())}


def job_key(job_id: str) -> dict[str, str]:
    return {"pk": f"JOB#{job_id}", "sk": "JOB"}


def lock_key(kind: JobKind) -> dict[str, str]:
    return {"pk": f"JOBLOCK#{kind.value}", "sk": "LOCK"}


def new_job_id() -> str:
    """Sortable by creation time, unique: 20261121T110503-3f9c2a1b."""
    return f"{utc_now().strftime('%Y%m%dT%H%M%S')}-{uuid4().hex[:8]}"


def _job_item(
    job_id: str, kind: JobKind, requested_by: Mapping[str, str], moment: datetime, **fields: Any
) -> dict[str, Any]:
    """A new job record, listed newest first by its creation time."""
    return job_key(job_id) | {
        "gsi1pk": JOBS_INDEX_KEY,
        "gsi1sk": f"{moment.isoformat(timespec='microseconds')}#{job_id}",
        "job_id": job_id,
        "kind": kind.value,
        "requested_by": dict(requested_by),
        "created_at": moment.isoformat(timespec="seconds"),
        **fields,
    }


def _conditional_failed(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


class JobRepository(TableRepository):
    """Job records, their one-at-a-time locks, and progress counters."""

    def create(
        self,
        kind: JobKind,
        requested_by: Mapping[str, str],
        timeout: timedelta,
        job_id: str | None = None,
    ) -> Job:
        """Take the kind's lock and write the queued job (one transaction), or raise JobConflict with the
        holder's id. A lapsed lock is taken over, and the job that held it is marked failed."""
        job_id, now = job_id or new_job_id(), utc_now()
        deadline = (now + timeout).isoformat(timespec="seconds")
        fields = {"status": "queued", "deadline_at": deadline, "dispatch_complete": False}
        item = _job_item(job_id, kind, requested_by, now, **fields)
        held = self.table.get_item(Key=lock_key(kind), ConsistentRead=True).get("Item") or {}
        if held and int(held.get("expires_at", 0)) >= int(now.timestamp()):
            raise JobConflict(kind, str(held.get("job_id", "unknown")))
        lock = {
            "TableName": self.table_name,
            "Item": lock_key(kind) | {"job_id": job_id, "expires_at": int(now.timestamp()) + START_SECONDS},
            "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
            "ExpressionAttributeValues": {":now": int(now.timestamp())},
        }
        record = {"TableName": self.table_name, "Item": to_dynamo(item)}
        record["ConditionExpression"] = "attribute_not_exists(pk)"
        try:  # the resource's client: plain Python values, serialized for us
            self.resource.meta.client.transact_write_items(TransactItems=[{"Put": lock}, {"Put": record}])
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            raise JobConflict(kind, self.holder(kind) or "unknown") from exc
        if held.get("job_id"):
            self._fail_lapsed(str(held["job_id"]))
        return Job.from_item(item)

    def _fail_lapsed(self, job_id: str) -> None:
        """The job whose lock was taken over: it timed out, or its run stopped without ending it."""
        job = self.get(job_id)  # an overdue one is failed as timed out here
        if job is not None and job.active:
            self.finish(job_id, JobStatus.FAILED, error=STOPPED)

    def hold_lock(self, job: Job, seconds: float | None = None) -> bool:
        """Hold the job's lock `seconds` from now (None: until the job's deadline), if the job still holds
        it. False when it does not: its lease lapsed and another job took the lock over (this job was then
        marked failed), or the job has ended."""
        now = int(utc_now().timestamp())
        deadline = int(datetime.fromisoformat(job.deadline_at).timestamp())
        until = deadline if seconds is None else min(deadline, now + int(seconds) + 1)
        try:
            self.table.update_item(
                Key=lock_key(job.kind),
                UpdateExpression="SET expires_at = :until",
                ConditionExpression="job_id = :me",
                ExpressionAttributeValues={":me": job.job_id, ":until": max(until, now)},
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def record_refused(self, kind: JobKind, requested_by: Mapping[str, str], reason: str) -> Job:
        """A failed job record for a run that was not started (its kind's lock was held)."""
        moment = utc_now()
        now, error = moment.isoformat(timespec="seconds"), f"not run: {reason}"
        fields = {"status": "failed", "finished_at": now, "deadline_at": now, "error": error}
        item = _job_item(new_job_id(), kind, requested_by, moment, **fields)
        self.table.put_item(Item=to_dynamo(item))
        return Job.from_item(item)

    def holder(self, kind: JobKind) -> str | None:
        """The id of the job holding the kind's lock (it may have ended: its lock is then lapsed or gone)."""
        item = self.table.get_item(Key=lock_key(kind), ConsistentRead=True).get("Item") or {}
        return str(item["job_id"]) if item.get("job_id") else None

    def get(self, job_id: str) -> Job | None:
        item = self.table.get_item(Key=job_key(job_id), ConsistentRead=True).get("Item")
        if not item:
            return None
        job = Job.from_item(item)
        if job.overdue:
            self.finish(job_id, JobStatus.FAILED, error=TIMED_OUT)
            return self.get(job_id)
        return job

    def leased(self, job: Job) -> bool:
        """Whether the job still holds its kind's lock (its lease has not lapsed)."""
        lock = self.table.get_item(Key=lock_key(job.kind), ConsistentRead=True).get("Item") or {}
        return lock.get("job_id") == job.job_id and int(lock.get("expires_at", 0)) >= utc_now().timestamp()

    def list(self, limit: int = 20, before: str | None = None) -> tuple[list[Job], str | None]:
        """Newest first; `before` is the previous page's cursor."""
        condition = Key("gsi1pk").eq(JOBS_INDEX_KEY)
        if before:
            condition = condition & Key("gsi1sk").lt(before)
        response = self.table.query(
            IndexName=GSI1, KeyConditionExpression=condition, ScanIndexForward=False, Limit=limit
        )
        items, last = response.get("Items", []), response.get("LastEvaluatedKey")
        jobs = [self.get(j.job_id) or j if j.overdue else j for j in map(Job.from_item, items)]
        return jobs, (str(last["gsi1sk"]) if last and len(jobs) == limit else None)

    def start(self, job_id: str) -> bool:
        """queued → running. False when the job is not queued (already started, or finished)."""
        try:
            self.table.update_item(
                Key=job_key(job_id),
                UpdateExpression="SET #s = :running, started_at = :now",
                ConditionExpression="#s = :queued",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":running": JobStatus.RUNNING.value,
                    ":queued": JobStatus.QUEUED.value,
                    ":now": iso_now(),
                },
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def add_progress(
        self,
        job_id: str,
        counters: Mapping[str, int],
        *,
        dispatch_complete: bool = False,
        result: Mapping[str, Any] | None = None,
    ) -> Job | None:
        """ADD the counters (and mark the dispatch complete); completes the job when it is done.
        Returns the job, or None when no such job exists (e.g. a run started by hand with a free-form id)."""
        counts = {k: int(v) for k, v in counters.items() if v}
        unknown = set(counts) - set(COUNTERS)
        if unknown:
            raise ValueError(f"unknown job counters: {sorted(unknown)}")
        update = Update()
        for name, count in counts.items():
            update.add(name, count)
        if dispatch_complete:
            update.set("dispatch_complete", True)
        if result:
            update.set("result", dict(result))
        if update.empty:
            return self.get(job_id)
        kwargs = update.arguments(condition="attribute_exists(pk)")
        kwargs["ExpressionAttributeValues"] = to_dynamo(kwargs["ExpressionAttributeValues"])
        try:
            response = self.table.update_item(Key=job_key(job_id), ReturnValues="ALL_NEW", **kwargs)
        except ClientError as exc:
            if _conditional_failed(exc):
                return None
            raise
        job = Job.from_item(response["Attributes"])
        if job.status == JobStatus.RUNNING and job.is_complete():
            self.finish(job_id, JobStatus.SUCCEEDED)
        return job

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        *,
        error: str | None = None,
        result: Mapping[str, Any] | None = None,
    ) -> bool:
        """Move an active job to its final state and release its kind's lock (one transaction).
        False when the job had already finished."""
        current = self.table.get_item(Key=job_key(job_id), ConsistentRead=True).get("Item")
        if not current:
            return False
        values: dict[str, Any] = {
            ":final": status.value,
            ":now": iso_now(),
            ":queued": JobStatus.QUEUED.value,
            ":running": JobStatus.RUNNING.value,
        }
        names, sets = {"#s": "status"}, ["#s = :final", "finished_at = :now"]
        for name, value in (("error", error and error[:1000]), ("result", result and dict(result))):
            if value:
                names[f"#{name}"], values[f":{name}"] = name, value
                sets.append(f"#{name} = :{name}")
        update = {
            "TableName": self.table_name,
            "Key": job_key(job_id),
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": "#s IN (:queued, :running)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_dynamo(values),
        }
        release = {
            "TableName": self.table_name,
            "Key": lock_key(JobKind(current["kind"])),
            "ConditionExpression": "attribute_not_exists(pk) OR job_id = :job",
            "ExpressionAttributeValues": {":job": job_id},
        }
        client = self.resource.meta.client  # the resource's client: plain Python values
        try:
            client.transact_write_items(TransactItems=[{"Update": update}, {"Delete": release}])
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            # Either the job had finished already, or another job holds the lock (ours had lapsed):
            # finish the job alone.
            try:
                client.update_item(**update)
            except ClientError as again:
                if _conditional_failed(again):
                    return False
                raise
        return True
