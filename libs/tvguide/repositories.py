"""DynamoDB repositories over the product's single table.

Key design (every request path is a Query or a keyed read, never a Scan):

| item | pk | sk | gsi1pk / gsi1sk |
|---|---|---|---|
| source | `REF#SOURCE` | `SOURCE#<id>` | |
| genre | `REF#GENRE` | `GENRE#<id>` | |
| title | `TITLE#<id>` | `TITLE` | `ENRICH#PENDING` or `ENRICH#FAILED` / rank; `OFFERS#DUE` / `<due>#<rank>` |
| enrichment worker's lease | `WORKER#ENRICHMENT` | `LEASE` | |
| availability | `SOURCE#<source id>` | `TITLE#<title id>` | |
| preferences | `USER#<sub>` | `PREFERENCES` | `PREFERENCES` / `USER#<sub>` |

A title's availability rows list it under exactly the sources it was found on, with its genres, so the
viewer API answers with one Query per source.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from boto3.dynamodb.conditions import Key

from tvguide.aws_session import new_resource
from tvguide.models import (
    Genre,
    Preferences,
    Source,
    iso_now,
)
from tvguide.update_expression import Update

PENDING_INDEX_KEY = "ENRICH#PENDING"  # the enrichment queue: drained best rank first by one worker
FAILED_INDEX_KEY = "ENRICH#FAILED"  # failed for good: out of the queue until the enrich job requests it again
# Written only before the queue existed (the credit budget deferred titles one write each): the enrich job
# moves such titles back into the queue; nothing files a title here any more.
DEFERRED_INDEX_KEY = "ENRICH#DEFERRED"
# Enriched titles, under `<date their offers are due again>#<rank>`: the worker queues the due ones again.
OFFERS_DUE_INDEX_KEY = "OFFERS#DUE"
ENRICHMENT_LEASE_KEY = {"pk": "WORKER#ENRICHMENT", "sk": "LEASE"}  # who drains the queue, until when
MAX_AUDIENCE = 9_999_999
PREFERENCES_INDEX_KEY = "PREFERENCES"
GSI1 = "gsi1"
BATCH_GET_MAX = 100


def to_dynamo(value: Any) -> Any:
    """Convert floats to Decimal (recursively) and drop None values from maps."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    """Convert Decimals back to int/float (recursively) and sets to sorted lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    if isinstance(value, set):
        return sorted(from_dynamo(v) for v in value)
    return value


def enrichment_rank(title_id: str, audience: int, popularity: float | None) -> str:
    """A title's sort key in the enrichment index: titles in more viewers' feeds first, then the more
    popular (Watchmode's relevance percentile, known from earlier details; unknown counts as 0)."""
    viewers = MAX_AUDIENCE - max(0, min(int(audience), MAX_AUDIENCE))
    score = 100.0 - max(0.0, min(float(popularity or 0), 100.0))
    return f"{viewers:07d}#{score:06.2f}#{title_id}"


def title_key(title_id: str) -> dict[str, str]:
    return {"pk": f"TITLE#{title_id}", "sk": "TITLE"}


def availability_key(source_id: str, title_id: str) -> dict[str, str]:
    return {"pk": f"SOURCE#{source_id}", "sk": f"TITLE#{title_id}"}


def _new_resource() -> Any:
    return new_resource("dynamodb")


class TableRepository:
    """Base of the repositories. Safe to share across threads: boto3 resources are not, so each thread
    gets its own, made by `resource_factory` (the first caller may hand in an existing one)."""

    def __init__(
        self,
        table_name: str,
        resource: Any | None = None,
        resource_factory: Callable[[], Any] = _new_resource,
    ) -> None:
        self.table_name = table_name
        self._factory = resource_factory
        self._local = threading.local()
        if resource is not None:
            self._local.resource = resource

    @property
    def resource(self) -> Any:
        if getattr(self._local, "resource", None) is None:
            self._local.resource = self._factory()
        return self._local.resource

    @property
    def table(self) -> Any:
        if getattr(self._local, "table", None) is None:
            self._local.table = self.resource.Table(self.table_name)
        return self._local.table

    def _query_all(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            response = self.table.query(**kwargs)
            for item in response.get("Items", []):
                yield from_dynamo(item)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def batch_get(
        self, keys: list[dict[str, str]], max_attempts: int = 8, *, attributes: Iterable[str] = ()
    ) -> list[dict[str, Any]]:
        """BatchGetItem in chunks of 100 (only `attributes` of each item, when given), retrying
        UnprocessedKeys with backoff."""
        items: list[dict[str, Any]] = []
        names = {f"#a{n}": name for n, name in enumerate(attributes)}
        projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
        for start in range(0, len(keys), BATCH_GET_MAX):
            chunk = {"Keys": keys[start : start + BATCH_GET_MAX]} | (projection if names else {})
            request = {self.table_name: chunk}
            for attempt in range(max_attempts):
                response = self.resource.batch_get_item(RequestItems=request)
                items.extend(from_dynamo(i) for i in response["Responses"].get(self.table_name, []))
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(2.0, 0.05 * 2**attempt))
            else:
                raise RuntimeError(f"batch_get: keys still unprocessed after {max_attempts} attempts")
        return items


class ReferenceRepository(TableRepository):
    """Sources and genres, keyed by Watchmode id; names are data, so a rename updates the same row."""

    def list_sources(self, include_inactive: bool = False) -> list[Source]:
        items = self._query_all(KeyConditionExpression=Key("pk").eq("REF#SOURCE"))
        sources = [Source.model_validate(i) for i in items]
        return sorted(
            (s for s in sources if include_inactive or s.active), key=lambda s: (s.name.lower(), s.id)
        )

    def list_genres(self) -> list[Genre]:
        items = self._query_all(KeyConditionExpression=Key("pk").eq("REF#GENRE"))
        return sorted((Genre.model_validate(i) for i in items), key=lambda g: (g.name.lower(), g.id))


class PreferencesRepository(TableRepository):
    def get(self, user_id: str) -> Preferences:
        item = self.table.get_item(Key={"pk": f"USER#{user_id}", "sk": "PREFERENCES"}).get("Item")
        return Preferences.model_validate(from_dynamo(item)) if item else Preferences()

    def put(self, user_id: str, preferences: Preferences) -> None:
        self.table.put_item(
            Item={
                "pk": f"USER#{user_id}",
                "sk": "PREFERENCES",
                "gsi1pk": PREFERENCES_INDEX_KEY,
                "gsi1sk": f"USER#{user_id}",
                "user_id": user_id,
                "sources": list(preferences.sources),
                "genres": list(preferences.genres),
                "updated_at": iso_now(),
            }
        )

    def all(self) -> Iterator[Preferences]:
        """Every viewer's preferences, through the sparse index (a Query, not a Scan)."""
        for item in self._query_all(
            IndexName=GSI1, KeyConditionExpression=Key("gsi1pk").eq(PREFERENCES_INDEX_KEY)
        ):
            yield Preferences.model_validate(item)


class RowDetails(NamedTuple):
    """Enrichment's fields of one availability row: what `set_availability_details` writes."""

    title_id: str
    source_id: str
    genre_ids: list[str]
    user_rating: float | None


class TitleRepository(TableRepository):
    """Title records and their availability rows (one per source the title is really on)."""

    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = [title_key(t) for t in dict.fromkeys(title_ids)]
        return {item["id"]: item for item in self.batch_get(keys) if "id" in item}

    def get(self, title_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key=title_key(title_id)).get("Item")
        return from_dynamo(item) if item else None

    def set_availability_details(self, rows: Iterable[RowDetails]) -> int:
        """Enrichment's fields of existing rows: only those are
        written, and a row unfiled meanwhile is not brought back (enrichment writes them, and the consumer
        for a row it filed from a title read before its enrichment). The row's feed entries follow its new
        state (entries of genres it lost go). Returns the rows updated."""
        # feed imports search, which imports this module: imported here, when first used.
        from tvguide.feed.entries import delete_entries, entries_for_row, stale_entries, write_entries  # noqa: PLC0415
        from tvguide.feed.heads import FeedTouches  # noqa: PLC0415

        updated = 0
        touches = FeedTouches()
        conditional_failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        for title_id, source_id, genre_ids, rating in rows:
            update = Update().set("genre_ids", list(genre_ids)).set_or_remove("user_rating", rating)
            arguments = update.add("rev", 1).arguments(condition="attribute_exists(pk)")
            arguments["ExpressionAttributeValues"] = to_dynamo(arguments["ExpressionAttributeValues"])
            try:
                response = self.table.update_item(
                    Key=availability_key(source_id, title_id), ReturnValues="ALL_OLD", **arguments
                )
            except conditional_failed:
                continue
            old = from_dynamo(response.get("Attributes") or {})
            row = old | {
                "genre_ids": list(genre_ids),
                "user_rating": rating,
                "rev": int(old.get("rev") or 0) + 1,
            }
            write_entries(self.table, map(to_dynamo, entries_for_row(row)), touches=touches)
            delete_entries(
                self.table,
                stale_entries(old.get("genre_ids") or [], genre_ids, source_id, title_id),
                row["rev"],
                touches=touches,
            )
            updated += 1
        touches.bump(self.table)
        return updated

    def titles_on_source(self, source_id: str, fields: Iterable[str] = ()) -> Iterator[dict[str, Any]]:
        """The availability rows of one source (only `fields` of them, when given)."""
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"SOURCE#{source_id}") & Key("sk").begins_with("TITLE#")
        }
        names = {f"#{name}": name for name in fields}
        if names:
            kwargs["ProjectionExpression"] = ", ".join(names)
            kwargs["ExpressionAttributeNames"] = names
        return self._query_all(**kwargs)
