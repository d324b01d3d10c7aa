"""Dead letters: what is waiting in each DLQ and why, and putting it back through the pipeline."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from tvguide.errors import InvalidRequest
from tvguide.identity import Caller
from tvguide.jobs import JobConflict
from tvguide.observability import redact
from tvguide_admin_api.logic import FunctionInvoker, JobLauncher

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
        while redriven + len(kept) < MAX_REDRIVE:
            batch = self.source.receive(url, min(10, MAX_REDRIVE - redriven - len(kept)))
            fresh = [m for m in batch if m.message_id not in kept]
            if not fresh:
                break
            for message in fresh:
                if queue == "consumer":
                    done, note = self._consumer(message)
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
            expected = int(batch.get("batchSize") or 0)
            if not records or len(records) < expected:
                # The stream keeps records 24 h, the queue its messages 14 days: never delete a dead letter
                # whose records were not all re-published.
                return False, (
                    f"kept: {len(records)} of {expected or 'its'} record(s) still in the stream "
                    "(it keeps them 24 h); nothing re-published"
                )
            for data, partition_key in records:
                self.stream.put(data, partition_key)
            return True, f"{len(records)} record(s) re-read from the stream and re-published"
        return False, "not a title-stream record"

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
