"""Enrichment's own writes: the details of a title record, the genres and rating of its availability rows, a
failure's reason, and the backfill's requests through the pending index."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.feed import FeedTouches, delete_entries, entries_for_row, stale_entries, write_entries
from tvguide.models import EnrichmentStatus, TitleDetails, iso_now
from tvguide.repositories import (
    DEFERRED_INDEX_KEY,
    GSI1,
    PENDING_INDEX_KEY,
    TitleRepository,
    availability_key,
    from_dynamo,
    title_key,
    to_dynamo,
)

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
    "relevance_percentile",
)


class TitleEnrichmentStore(TitleRepository):
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
        removes = ["gsi1pk", "gsi1sk", "enrichment_error", "enrichment_jobs", "enrichment_grant"]
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

    def set_availability_details(self, rows: Iterable[tuple[str, str, list[str], float | None]]) -> int:
        """Enrichment's fields of existing rows (title id, source id, genre ids, rating): only those are
        written, and a row unfiled meanwhile is not brought back. The row's feed entries follow its new
        state (entries of genres it lost go). Returns the rows updated."""
        updated = 0
        touches = FeedTouches()
        conditional_failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        for title_id, source_id, genre_ids, rating in rows:
            values: dict[str, Any] = {":g": list(genre_ids), ":one": 1}
            expression = "SET genre_ids = :g"
            if rating is None:
                expression += " REMOVE user_rating"
            else:
                expression += ", user_rating = :r"
                values[":r"] = rating
            try:
                response = self.table.update_item(
                    Key=availability_key(source_id, title_id),
                    UpdateExpression=expression + " ADD rev :one",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues=to_dynamo(values),
                    ReturnValues="ALL_OLD",
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

    def defer_enrichment(self, title_id: str, reason: str) -> list[str]:
        """Leave a pending title for the credit budget's planner: out of the stream's filter (status
        DEFERRED), in the deferred index under the same rank. Returns the jobs that were waiting for it."""
        try:
            response = self.table.update_item(
                Key=title_key(title_id),
                UpdateExpression=(
                    "SET enrichment_status = :deferred, gsi1pk = :deferred_index, enrichment_error = :why "
                    "REMOVE enrichment_jobs, enrichment_grant"
                ),
                ConditionExpression="enrichment_status = :pending",
                ExpressionAttributeValues={
                    ":deferred": EnrichmentStatus.DEFERRED.value,
                    ":deferred_index": DEFERRED_INDEX_KEY,
                    ":why": reason[:500],
                    ":pending": EnrichmentStatus.PENDING.value,
                },
                ReturnValues="UPDATED_OLD",
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return []
        return _jobs_of(response)

    def _waiting(self, index_key: str, after: str | None, limit: int | None) -> list[tuple[str, str]]:
        condition = Key("gsi1pk").eq(index_key)
        if after:
            condition = condition & Key("gsi1sk").gt(after)
        kwargs: dict[str, Any] = {"IndexName": GSI1, "KeyConditionExpression": condition}
        if limit is not None:
            kwargs["Limit"] = limit
        found: list[tuple[str, str]] = []
        for item in self._query_all(ProjectionExpression="id, gsi1sk", **kwargs):
            found.append((str(item["gsi1sk"]), str(item["id"])))
            if limit is not None and len(found) >= limit:
                break
        return found

    def pending_enrichment(
        self, after: str | None = None, limit: int | None = None, *, deferred_only: bool = False
    ) -> list[tuple[str, str]]:
        """(rank, title id) of titles still needing enrichment — pending, failed or deferred by the
        budget (only deferred ones with `deferred_only`) — best rank first (see `enrichment_rank`): those
        ranked after `after`, at most `limit`."""
        merged = self._waiting(DEFERRED_INDEX_KEY, after, limit)
        if not deferred_only:
            merged = sorted(merged + self._waiting(PENDING_INDEX_KEY, after, limit))
        return merged[:limit] if limit is not None else merged

    def count_waiting(self, up_to: int) -> int:
        """How many titles wait for enrichment (pending, failed or deferred), counting no further than
        `up_to` + 1: enough to tell whether the budget left covers them all."""
        total = 0
        for index_key in (PENDING_INDEX_KEY, DEFERRED_INDEX_KEY):
            kwargs: dict[str, Any] = {
                "IndexName": GSI1,
                "KeyConditionExpression": Key("gsi1pk").eq(index_key),
                "Select": "COUNT",
            }
            while total <= up_to:
                response = self.table.query(**kwargs)
                total += int(response.get("Count", 0))
                if not response.get("LastEvaluatedKey"):
                    break
                kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return total

    def request_enrichment(self, title_id: str, job_id: str, grant: str | None = None) -> bool:
        """Mark a title that still needs enrichment pending again, for `job_id` (with the budget's `grant`
        for this month when the credit budget's planner chose it). Every request changes the record (a
        request counter), so the stream always brings it to the enrichment function. False when the title
        no longer needs it."""
        values: dict[str, Any] = {
            ":pending": EnrichmentStatus.PENDING.value,
            ":job": job_id,
            ":now": iso_now(),
            ":jobs": {job_id},
            ":one": 1,
            ":gsi1pk": PENDING_INDEX_KEY,
            ":deferred_index": DEFERRED_INDEX_KEY,
        }
        expression = (
            "SET enrichment_status = :pending, gsi1pk = :gsi1pk, enrichment_requested_by = :job, "
            "enrichment_requested_at = :now"
        )
        if grant:
            expression += ", enrichment_grant = :grant"
            values[":grant"] = grant
        try:
            self.table.update_item(
                Key=title_key(title_id),
                UpdateExpression=expression + " ADD enrichment_jobs :jobs, enrichment_requests :one",
                ConditionExpression="gsi1pk IN (:gsi1pk, :deferred_index)",
                ExpressionAttributeValues=values,
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True


def _jobs_of(response: Mapping[str, Any]) -> list[str]:
    """The job ids an update removed from a title (its `enrichment_jobs` before the update)."""
    return sorted(from_dynamo((response.get("Attributes") or {}).get("enrichment_jobs") or set()))
