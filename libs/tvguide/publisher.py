"""Publishes title events to Kinesis with PutRecords, re-sending only the entries that failed."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import boto3

from tvguide.models import TitleEvent

MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 5 * 1024 * 1024


class PublishError(RuntimeError):
    """Some events could not be published after every retry."""


class KinesisTitlePublisher:
    def __init__(
        self,
        stream_name: str,
        client: Any | None = None,
        *,
        max_attempts: int = 6,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.stream_name = stream_name
        self.client = client or boto3.client("kinesis")
        self.max_attempts = max_attempts
        self._sleep = sleep
        self.calls = 0

    def publish(self, events: Sequence[TitleEvent]) -> int:
        """Publish every event (partition key = title id). Returns how many were published."""
        entries = [{"Data": e.model_dump_json().encode(), "PartitionKey": e.title_id} for e in events]
        for chunk in self._chunks(entries):
            self._put_with_retries(chunk)
        return len(entries)

    @staticmethod
    def _chunks(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        chunks: list[list[dict[str, Any]]] = [[]]
        size = 0
        for entry in entries:
            entry_size = len(entry["Data"]) + len(entry["PartitionKey"])
            if len(chunks[-1]) == MAX_RECORDS_PER_CALL or size + entry_size > MAX_BYTES_PER_CALL:
                chunks.append([])
                size = 0
            chunks[-1].append(entry)
            size += entry_size
        return [c for c in chunks if c]

    def _put_with_retries(self, entries: list[dict[str, Any]]) -> None:
        pending = entries
        for attempt in range(self.max_attempts):
            self.calls += 1
            response = self.client.put_records(StreamName=self.stream_name, Records=pending)
            if not response.get("FailedRecordCount"):
                return
            pending = [
                entry
                for entry, result in zip(pending, response["Records"], strict=True)
                if result.get("ErrorCode")
            ]
            self._sleep(random.uniform(0, min(5.0, 0.1 * 2**attempt)))
        raise PublishError(f"{len(pending)} title event(s) not published after {self.max_attempts} tries")
