"""Feeds a stream to a handler exactly as AWS's event source mapping does for Kinesis/DynamoDB streams.

The local emulator ignores ReportBatchItemFailures, retries, bisect and on-failure destinations, so these
semantics are exercised here, against the real handlers:
- records are delivered in order in batches of `batch_size`;
- a response's `batchItemFailures` checkpoints the shard just before the lowest failed sequence number, and
  the batch is retried from there;
- a handler that raises fails the whole batch; with `bisect` the retried batch is split in half;
- after `max_retries` retries the failing batch is sent (as metadata) to the on-failure destination and the
  shard moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]


def _sequence(record: Record) -> str:
    if "kinesis" in record:
        return str(record["kinesis"]["sequenceNumber"])
    return str(record["dynamodb"]["SequenceNumber"])


@dataclass
class EventSourceMappingDriver:
    handler: Callable[[dict[str, Any], Any], dict[str, Any] | None]
    context: Any
    batch_size: int = 100
    max_retries: int = 3
    bisect: bool = True
    on_failure: list[dict[str, Any]] = field(default_factory=list)
    invocations: int = 0

    def run(self, records: list[Record]) -> None:
        position = 0
        while position < len(records):
            batch = records[position : position + self.batch_size]
            retries = 0
            while True:
                self.invocations += 1
                failed_at, whole_batch_error = self._invoke(batch)
                if failed_at is None:
                    position += len(batch)
                    break
                # Checkpoint: everything before the lowest failed record is done.
                position += failed_at
                batch = batch[failed_at:]
                retries += 1
                if retries > self.max_retries:
                    self.on_failure.append(
                        {
                            "condition": "RetryAttemptsExhausted",
                            "first_sequence": _sequence(batch[0]),
                            "last_sequence": _sequence(batch[-1]),
                            "size": len(batch),
                        }
                    )
                    position += len(batch)
                    break
                if self.bisect and whole_batch_error and len(batch) > 1:
                    batch = batch[: len(batch) // 2]

    def _invoke(self, batch: list[Record]) -> tuple[int | None, bool]:
        """Returns (index of the lowest failed record or None, whether the handler raised)."""
        try:
            response = self.handler({"Records": batch}, self.context) or {}
        except Exception:
            return 0, True
        failures = {str(f["itemIdentifier"]) for f in response.get("batchItemFailures", [])}
        if not failures:
            return None, False
        for index, record in enumerate(batch):
            if _sequence(record) in failures:
                return index, False
        return 0, False  # an unknown identifier fails the whole batch, as AWS does
