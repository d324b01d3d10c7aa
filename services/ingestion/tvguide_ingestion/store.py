"""Ingestion's own writes on the table: how many complete crawls in a row each availability row was missing
from (`missed_crawls`, a field only ingestion writes). A title leaves a source only after two."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.repositories import TableRepository, availability_key


class CrawlMisses(TableRepository):
    def mark_missed(self, source_id: str, title_ids: Iterable[str]) -> dict[str, int]:
        """One more complete crawl without these titles: their rows' counts after it."""
        counts: dict[str, int] = {}
        conditional_failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        for title_id in title_ids:
            try:
                response = self.table.update_item(
                    Key=availability_key(source_id, title_id),
                    UpdateExpression="ADD missed_crawls :one",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":one": 1},
                    ReturnValues="UPDATED_NEW",
                )
            except conditional_failed:
                continue  # unfiled meanwhile
            counts[title_id] = int(response["Attributes"]["missed_crawls"])
        return counts

    def clear_missed(self, source_id: str, title_ids: Iterable[str]) -> int:
        """These titles were found again: forget their misses."""
        cleared = 0
        conditional_failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        for title_id in title_ids:
            try:
                self.table.update_item(
                    Key=availability_key(source_id, title_id),
                    UpdateExpression="REMOVE missed_crawls",
                    ConditionExpression="attribute_exists(pk)",
                )
            except conditional_failed:
                continue
            cleared += 1
        return cleared


CRAWLS_KEY = "CRAWLS"


class CrawlStates(TableRepository):
    """When each source was last crawled completely, and why its last attempt failed (one partition,
    `CRAWLS`, one row per source): scheduled runs retry what did not complete, and the admin summary
    shows it."""

    def all(self) -> dict[str, dict[str, Any]]:
        rows = self._query_all(KeyConditionExpression=Key("pk").eq(CRAWLS_KEY))
        return {str(row["source_id"]): row for row in rows}

    def record(self, source_id: str, *, refreshed: bool, error: str | None, now: str) -> None:
        key = {"pk": CRAWLS_KEY, "sk": f"SOURCE#{source_id}"}
        if refreshed:
            self.table.update_item(
                Key=key,
                UpdateExpression="SET source_id = :s, last_complete_at = :now, last_attempt_at = :now, "
                "failures = :zero REMOVE last_error",
                ExpressionAttributeValues={":s": source_id, ":now": now, ":zero": 0},
            )
        else:
            self.table.update_item(
                Key=key,
                UpdateExpression="SET source_id = :s, last_attempt_at = :now, last_error = :e "
                "ADD failures :one",
                ExpressionAttributeValues={
                    ":s": source_id,
                    ":now": now,
                    ":e": (error or "")[:500],
                    ":one": 1,
                },
            )
