"""Where titles arrived and left, as the consumer records it, read by the viewer API and the notifier.

| item | pk | sk |
|---|---|---|
| availability change | `TITLE#<id>` | `CHANGE#<event id>` |
| news | `NEWS#<source id>` | `<ISO time>#<title id>#<arrived or left>` |

An availability change is written per event that changed where a title is, with the sources it `arrived`
on and `left` (`kind` = `AVAILABILITY_CHANGE`: the notifier's stream filter); a news item per source it
arrived on (`change` = `arrived`) or left (`left`).

Both carry `purge_at` (the table's TTL attribute): kept `NEWS_RETENTION_DAYS`. Arrivals on a source's first
crawl are not news (the events say which sources those were), so a viewer who adds a service does not see
its whole catalogue as "new".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.repositories import TableRepository, from_dynamo

CHANGE_KIND = "AVAILABILITY_CHANGE"
NEWS_RETENTION_DAYS = 45
ARRIVED, LEFT = "arrived", "left"


def change_key(title_id: str, change_id: str) -> dict[str, str]:
    return {"pk": f"TITLE#{title_id}", "sk": f"CHANGE#{change_id}"}


def news_key(source_id: str, at: str, title_id: str, change: str) -> dict[str, str]:
    return {"pk": f"NEWS#{source_id}", "sk": f"{at}#{title_id}#{change}"}


class AvailabilityNewsReader(TableRepository):
    def news_since(self, source_id: str, since: str, limit: int) -> Iterator[dict[str, Any]]:
        """A source's arrivals and departures at or after `since` (ISO time), newest first, at most
        `limit` items (one Query page)."""
        response = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"NEWS#{source_id}") & Key("sk").gte(since),
            ScanIndexForward=False,
            Limit=limit,
        )
        yield from (from_dynamo(i) for i in response.get("Items", []))
