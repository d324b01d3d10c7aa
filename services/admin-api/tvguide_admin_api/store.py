"""The admin API's own reads and writes on the table: its audit trail, the summary report, the table's
description and the full count the summary job makes.

| item | pk | sk |
|---|---|---|
| audit record | `AUDIT#<yyyy-mm>` | `<timestamp>#<id>` |
| summary report | `REPORT#SUMMARY` | `LATEST` |
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

from boto3.dynamodb.conditions import Key

from tvguide.crawls import CrawlStateReader
from tvguide.models import utc_now
from tvguide.repositories import (
    ENRICHMENT_LEASE_KEY,
    FAILED_INDEX_KEY,
    GSI1,
    PENDING_INDEX_KEY,
    TableRepository,
    from_dynamo,
    to_dynamo,
)

SUMMARY_KEY = {"pk": "REPORT#SUMMARY", "sk": "LATEST"}
SCAN_SEGMENTS = 4


class AdminStore(TableRepository):
    def record_action(
        self, who: Mapping[str, str], action: str, *, job_id: str | None = None, detail: str | None = None
    ) -> dict[str, Any]:
        now = utc_now()
        item = {
            "pk": f"AUDIT#{now.strftime('%Y-%m')}",
            "sk": f"{now.isoformat(timespec='microseconds')}#{uuid4().hex[:8]}",
            "at": now.isoformat(timespec="seconds"),
            "sub": who.get("sub", ""),
            "email": who.get("email", ""),
            "action": action,
            "job_id": job_id,
            "detail": detail,
        }
        self.table.put_item(Item=to_dynamo(item))
        return item

    def recent_actions(self, limit: int = 50) -> list[dict[str, Any]]:
        """This month's admin actions, newest first."""
        response = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"AUDIT#{utc_now().strftime('%Y-%m')}"),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [
            {k: v for k, v in from_dynamo(i).items() if k not in ("pk", "sk")}
            for i in response.get("Items", [])
        ]

    def describe(self) -> dict[str, Any]:
        table = self.resource.meta.client.describe_table(TableName=self.table_name)["Table"]
        return {
            "name": table["TableName"],
            "item_count": int(table.get("ItemCount", 0)),
            "size_bytes": int(table.get("TableSizeBytes", 0)),
        }

    def save_summary(self, counts: Mapping[str, Any], job_id: str) -> dict[str, Any]:
        item = SUMMARY_KEY | {
            "counts": dict(counts),
            "generated_at": utc_now().isoformat(timespec="seconds"),
            "job_id": job_id,
        }
        self.table.put_item(Item=to_dynamo(item))
        return item

    def latest_summary(self) -> dict[str, Any] | None:
        item = self.table.get_item(Key=SUMMARY_KEY).get("Item")
        return from_dynamo(item) if item else None

    def sources_not_refreshed(self) -> list[dict[str, Any]]:
        """Sources whose last crawl failed (they are retried by the hourly schedule), from the crawl states
        ingestion keeps (one small partition: a Query, not a scan)."""
        rows = list(CrawlStateReader(self.table_name, self.resource).all().values())
        return [
            {
                "source_id": str(row.get("source_id")),
                "last_complete_at": row.get("last_complete_at"),
                "last_attempt_at": row.get("last_attempt_at"),
                "failures": int(row.get("failures") or 0),
                "error": row.get("last_error"),
            }
            for row in sorted(rows, key=lambda r: str(r.get("source_id")))
            if int(row.get("failures") or 0) > 0
        ]

    def enrichment_queue(self, head: int = 10, count_up_to: int = 10_000) -> dict[str, Any]:
        """The enrichment queue as the worker sees it: its first `head` titles best rank first, how many
        are queued and how many failed (each counted up to `count_up_to`), and the worker's lease."""
        first = self.table.query(
            IndexName=GSI1,
            KeyConditionExpression=Key("gsi1pk").eq(PENDING_INDEX_KEY),
            ProjectionExpression="id, title, gsi1sk, audience",
            Limit=head,
        ).get("Items", [])
        lease = self.table.get_item(Key=ENRICHMENT_LEASE_KEY, ConsistentRead=True).get("Item") or {}
        return {
            "head": [from_dynamo(i) for i in first],
            "queued": self._count(PENDING_INDEX_KEY, count_up_to),
            "failed": self._count(FAILED_INDEX_KEY, count_up_to),
            "lease": from_dynamo(lease),
        }

    def _count(self, index_key: str, up_to: int) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "IndexName": GSI1,
            "KeyConditionExpression": Key("gsi1pk").eq(index_key),
            "Select": "COUNT",
        }
        total = 0
        while total <= up_to:
            page = self.table.query(**kwargs)
            total += int(page.get("Count", 0))
            if not page.get("LastEvaluatedKey"):
                return {"count": total, "more": False}
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return {"count": total, "more": True}

    def every_item_key(self) -> Iterator[dict[str, Any]]:
        """The keys (and the few attributes the summary classifies by) of every item: a parallel Scan,
        for the summary job only — no request path scans."""

        def segment(number: int) -> list[dict[str, Any]]:
            client = self._factory().meta.client
            items: list[dict[str, Any]] = []
            kwargs: dict[str, Any] = {
                "TableName": self.table_name,
                "Segment": number,
                "TotalSegments": SCAN_SEGMENTS,
                "ProjectionExpression": "pk, sk, enrichment_status, active",
            }
            while True:
                page = client.scan(**kwargs)
                items.extend(page.get("Items", []))
                if not page.get("LastEvaluatedKey"):
                    return items
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

        with ThreadPoolExecutor(max_workers=SCAN_SEGMENTS) as pool:
            for items in pool.map(segment, range(SCAN_SEGMENTS)):
                yield from (from_dynamo(i) for i in items)
