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

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

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


class NewsReader(Protocol):
    def news_since(self, source_id: str, since: str, limit: int) -> Iterator[dict[str, Any]]: ...


def recent_changes(
    news: NewsReader, source_ids: Iterable[str], since: str, change: str, limit: int
) -> list[dict[str, Any]]:
    """The viewer's sources' news of one kind (`arrived` or `left`) since `since`, newest first, one entry
    per title (its latest), at most `limit`. Reads at most `limit` x 2 items per source."""
    rows = [
        row
        for source_id in source_ids
        for row in news.news_since(source_id, since, limit * 2)
        if row.get("change") == change
    ]
    rows.sort(key=lambda r: (str(r["at"]), str(r["title_id"])), reverse=True)
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = latest.setdefault(str(row["title_id"]), {"at": row["at"], "source_ids": []})
        if str(row["source_id"]) not in entry["source_ids"]:
            entry["source_ids"].append(str(row["source_id"]))
    return [{"title_id": t} | e for t, e in list(latest.items())[:limit]]
