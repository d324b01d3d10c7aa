"""DynamoDB repositories over the product's single table.

Key design (every request path is a Query or a keyed read, never a Scan):

| item | pk | sk | gsi1pk / gsi1sk |
|---|---|---|---|
| source | `REF#SOURCE` | `SOURCE#<id>` | |
| genre | `REF#GENRE` | `GENRE#<id>` | |
| title | `TITLE#<id>` | `TITLE` | `ENRICH#PENDING` / `TITLE#<id>` while enrichment is pending |
| availability | `SOURCE#<source id>` | `TITLE#<title id>` | |
| preferences | `USER#<sub>` | `PREFERENCES` | `PREFERENCES` / `USER#<sub>` |

A title's availability rows list it under exactly the sources it was found on, with its genres, so the
viewer API answers with one Query per source.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from tvguide.models import (
    EnrichmentStatus,
    Genre,
    Preferences,
    Source,
    TitleDetails,
    TitleSummary,
    iso_now,
)

PENDING_INDEX_KEY = "ENRICH#PENDING"
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


def title_key(title_id: str) -> dict[str, str]:
    return {"pk": f"TITLE#{title_id}", "sk": "TITLE"}


def availability_key(source_id: str, title_id: str) -> dict[str, str]:
    return {"pk": f"SOURCE#{source_id}", "sk": f"TITLE#{title_id}"}


def _new_resource() -> Any:
    return boto3.session.Session().resource("dynamodb")


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

    def batch_get(self, keys: list[dict[str, str]], max_attempts: int = 8) -> list[dict[str, Any]]:
        """BatchGetItem in chunks of 100, retrying UnprocessedKeys with backoff."""
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH_GET_MAX):
            request = {self.table_name: {"Keys": keys[start : start + BATCH_GET_MAX]}}
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

    def replace_sources(self, sources: Iterable[Source]) -> dict[str, int]:
        """Upsert the current sources; mark those no longer listed as inactive. Returns counts."""
        current = {s.id: s for s in sources}
        existing = {s.id: s for s in self.list_sources(include_inactive=True)}
        now = iso_now()
        with self.table.batch_writer() as batch:
            for source in current.values():
                batch.put_item(
                    Item=to_dynamo(
                        {"pk": "REF#SOURCE", "sk": f"SOURCE#{source.id}", "updated_at": now}
                        | source.model_dump(mode="json")
                        | {"regions": list(source.regions), "active": True}
                    )
                )
            gone = [s for sid, s in existing.items() if sid not in current and s.active]
            for source in gone:
                batch.put_item(
                    Item=to_dynamo(
                        {"pk": "REF#SOURCE", "sk": f"SOURCE#{source.id}", "updated_at": now}
                        | source.model_dump(mode="json")
                        | {"regions": list(source.regions), "active": False}
                    )
                )
        return {"sources": len(current), "sources_deactivated": len(gone)}

    def replace_genres(self, genres: Iterable[Genre]) -> dict[str, int]:
        current = {g.id: g for g in genres}
        existing = {g.id for g in self.list_genres()}
        now = iso_now()
        with self.table.batch_writer() as batch:
            for genre in current.values():
                batch.put_item(
                    Item=to_dynamo(
                        {"pk": "REF#GENRE", "sk": f"GENRE#{genre.id}", "updated_at": now}
                        | genre.model_dump(mode="json")
                    )
                )
            gone = existing - current.keys()
            for genre_id in gone:
                batch.delete_item(Key={"pk": "REF#GENRE", "sk": f"GENRE#{genre_id}"})
        return {"genres": len(current), "genres_removed": len(gone)}

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


INGESTION_FIELDS = ("title", "year", "type", "imdb_id", "tmdb_id", "tmdb_type")
ENRICHMENT_FIELDS = (
    "original_title",
    "plot_overview",
    "runtime_minutes",
    "end_year",
    "release_date",
    "genre_names",
    "user_rating",
    "critic_score",
    "us_rating",
    "poster",
    "backdrop",
    "original_language",
    "similar_titles",
    "network_names",
    "trailer",
    "trailer_thumbnail",
)


class TitleRepository(TableRepository):
    """Title records and their availability rows (one per source the title is really on)."""

    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = [title_key(t) for t in dict.fromkeys(title_ids)]
        return {item["id"]: item for item in self.batch_get(keys) if "id" in item}

    def get(self, title_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key=title_key(title_id)).get("Item")
        return from_dynamo(item) if item else None

    def save_ingested(
        self,
        summary: TitleSummary,
        *,
        source_ids: list[str],
        fingerprint: str,
        mark_pending: bool,
        event_meta: Mapping[str, str],
        job_id: str | None = None,
    ) -> None:
        """Upsert only the fields ingestion owns; enrichment fields are never touched here. A title made
        pending remembers the job that asked for it (`enrichment_jobs`), so enrichment can report to it."""
        values: dict[str, Any] = {
            ":id": summary.id,
            ":sources": source_ids,
            ":fp": fingerprint,
            ":now": iso_now(),
            ":meta": dict(event_meta),
        }
        sets = ["id = :id", "source_ids = :sources", "ingest_hash = :fp", "ingested_at = :now"]
        sets.append("last_event = :meta")
        removes = []
        names: dict[str, str] = {}
        for name in INGESTION_FIELDS:
            value = getattr(summary, name)
            names[f"#{name}"] = name
            if value is None:
                removes.append(f"#{name}")
            else:
                sets.append(f"#{name} = :{name}")
                values[f":{name}"] = value
        if mark_pending:
            sets += ["enrichment_status = :pending", "gsi1pk = :gsi1pk", "gsi1sk = :gsi1sk"]
            values |= {
                ":pending": EnrichmentStatus.PENDING.value,
                ":gsi1pk": PENDING_INDEX_KEY,
                ":gsi1sk": f"TITLE#{summary.id}",
            }
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        if mark_pending and job_id:
            expression += " ADD enrichment_jobs :jobs"
            values[":jobs"] = {job_id}
        self.table.update_item(
            Key=title_key(summary.id),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_dynamo(values),
        )

    def set_sources(self, title_id: str, source_ids: list[str], fingerprint: str) -> None:
        self.table.update_item(
            Key=title_key(title_id),
            UpdateExpression="SET source_ids = :s, ingest_hash = :fp",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":s": source_ids, ":fp": fingerprint},
        )

    def file_availability(self, title: Mapping[str, Any], source_ids: Iterable[str]) -> int:
        """Write the availability row of `title` under each source (idempotent puts)."""
        return self.write_availability(((title, s) for s in source_ids), ())

    def write_availability(
        self, filed: Iterable[tuple[Mapping[str, Any], str]], unfiled: Iterable[tuple[str, str]]
    ) -> int:
        """Put rows (title, source id) and delete rows (title id, source id), 25 to a request."""
        count = 0
        with self.table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for title, source_id in filed:
                batch.put_item(
                    Item=to_dynamo(
                        availability_key(source_id, str(title["id"]))
                        | {
                            "title_id": str(title["id"]),
                            "source_id": source_id,
                            "title": title.get("title"),
                            "type": title.get("type"),
                            "year": title.get("year"),
                            "user_rating": title.get("user_rating"),
                            "genre_ids": list(title.get("genre_ids") or []),
                        }
                    )
                )
                count += 1
            for title_id, source_id in unfiled:
                batch.delete_item(Key=availability_key(source_id, title_id))
                count += 1
        return count

    def update_availability(self, filed: Iterable[tuple[Mapping[str, Any], str]]) -> int:
        """Rows of titles already stored: write only what ingestion owns (name, type, year). Genres and
        rating are enrichment's; they are seeded here only on a row that has none, so a concurrent
        enrichment is never undone by a snapshot read earlier."""
        count = 0
        for title, source_id in filed:
            title_id = str(title["id"])
            values: dict[str, Any] = {
                ":t": title_id,
                ":s": source_id,
                ":g": list(title.get("genre_ids") or []),
            }
            names: dict[str, str] = {}
            sets = ["title_id = :t", "source_id = :s", "genre_ids = if_not_exists(genre_ids, :g)"]
            removes = []
            for field in ("title", "type", "year"):
                names[f"#{field}"] = field
                if title.get(field) is None:
                    removes.append(f"#{field}")
                else:
                    sets.append(f"#{field} = :{field}")
                    values[f":{field}"] = title[field]
            if title.get("user_rating") is not None:
                sets.append("user_rating = if_not_exists(user_rating, :r)")
                values[":r"] = title["user_rating"]
            self.table.update_item(
                Key=availability_key(source_id, title_id),
                UpdateExpression="SET "
                + ", ".join(sets)
                + (" REMOVE " + ", ".join(removes) if removes else ""),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_dynamo(values),
            )
            count += 1
        return count

    def set_availability_details(self, rows: Iterable[tuple[str, str, list[str], float | None]]) -> int:
        """Enrichment's fields of existing rows (title id, source id, genre ids, rating): only those are
        written, and a row unfiled meanwhile is not brought back. Returns the rows updated."""
        updated = 0
        conditional_failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        for title_id, source_id, genre_ids, rating in rows:
            values: dict[str, Any] = {":g": list(genre_ids)}
            expression = "SET genre_ids = :g"
            if rating is None:
                expression += " REMOVE user_rating"
            else:
                expression += ", user_rating = :r"
                values[":r"] = rating
            try:
                self.table.update_item(
                    Key=availability_key(source_id, title_id),
                    UpdateExpression=expression,
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues=to_dynamo(values),
                )
            except conditional_failed:
                continue
            updated += 1
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

    def apply_enrichment(self, details: TitleDetails) -> list[str]:
        """Store the details; absent stays absent. Returns the jobs that were waiting for them."""
        data = details.model_dump(mode="json")
        values: dict[str, Any] = {
            ":enriched": EnrichmentStatus.ENRICHED.value,
            ":now": iso_now(),
            ":genres": list(details.genres),
        }
        names: dict[str, str] = {}
        sets = ["enrichment_status = :enriched", "enriched_at = :now", "genre_ids = :genres"]
        removes = ["gsi1pk", "gsi1sk", "enrichment_error", "enrichment_jobs"]
        for name in ENRICHMENT_FIELDS:
            names[f"#{name}"] = name
            value = data.get(name)
            if value is None or value == []:
                removes.append(f"#{name}")
            else:
                sets.append(f"#{name} = :{name}")
                values[f":{name}"] = value
        response = self.table.update_item(
            Key=title_key(details.id),
            UpdateExpression="SET " + ", ".join(sets) + " REMOVE " + ", ".join(removes),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_dynamo(values),
            ReturnValues="UPDATED_OLD",
        )
        return _jobs_of(response)

    def mark_enrichment_failed(self, title_id: str, reason: str) -> list[str]:
        """Leave the title findable by the backfill (it stays in the pending index) with the reason.
        Returns the jobs that were waiting for it."""
        response = self.table.update_item(
            Key=title_key(title_id),
            UpdateExpression=(
                "SET enrichment_status = :failed, enrichment_error = :why REMOVE enrichment_jobs"
            ),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":failed": EnrichmentStatus.FAILED.value, ":why": reason[:500]},
            ReturnValues="UPDATED_OLD",
        )
        return _jobs_of(response)

    def pending_enrichment(self, after: str | None = None, limit: int | None = None) -> list[str]:
        """Ids of titles still needing enrichment (pending or failed), via the sparse index, in id-key
        order: those after the id `after`, at most `limit` of them."""
        condition = Key("gsi1pk").eq(PENDING_INDEX_KEY)
        if after:
            condition = condition & Key("gsi1sk").gt(f"TITLE#{after}")
        kwargs: dict[str, Any] = {"IndexName": GSI1, "KeyConditionExpression": condition}
        if limit is not None:
            kwargs["Limit"] = limit
        ids: list[str] = []
        for item in self._query_all(ProjectionExpression="id", **kwargs):
            ids.append(str(item["id"]))
            if limit is not None and len(ids) >= limit:
                break
        return ids

    def request_enrichment(self, title_id: str, job_id: str) -> bool:
        """Mark a title that still needs enrichment pending again, for `job_id`. Every request changes
        the record (a request counter), so the stream always brings it to the enrichment function.
        False when the title no longer needs it."""
        try:
            self.table.update_item(
                Key=title_key(title_id),
                UpdateExpression=(
                    "SET enrichment_status = :pending, enrichment_requested_by = :job, "
                    "enrichment_requested_at = :now ADD enrichment_jobs :jobs, enrichment_requests :one"
                ),
                ConditionExpression="gsi1pk = :gsi1pk",
                ExpressionAttributeValues={
                    ":pending": EnrichmentStatus.PENDING.value,
                    ":job": job_id,
                    ":now": iso_now(),
                    ":jobs": {job_id},
                    ":one": 1,
                    ":gsi1pk": PENDING_INDEX_KEY,
                },
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True


def _jobs_of(response: Mapping[str, Any]) -> list[str]:
    """The job ids an update removed from a title (its `enrichment_jobs` before the update)."""
    return sorted(from_dynamo((response.get("Attributes") or {}).get("enrichment_jobs") or set()))
