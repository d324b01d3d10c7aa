"""Enrichment's own reads and writes: the queue (titles in the pending index, best rank first), the details of
a title record, the genres and rating of its availability rows, a failure's reason, the enrich job's
requests, and the worker's lease."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.models import EnrichmentStatus, TitleDetails, iso_now
from tvguide.repositories import (
    DEFERRED_INDEX_KEY,
    ENRICHMENT_LEASE_KEY,
    FAILED_INDEX_KEY,
    GSI1,
    OFFERS_DUE_INDEX_KEY,
    PENDING_INDEX_KEY,
    TableRepository,
    TitleRepository,
    from_dynamo,
    title_key,
    to_dynamo,
)
from tvguide.update_expression import Update

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
    def apply_enrichment(
        self, details: TitleDetails, *, rank: str | None = None, offers_due: str | None = None
    ) -> tuple[list[str], list[str]]:
        """Store the details (absent stays absent) and take the title out of the queue: under its `rank` in
        the offers-due index until `offers_due` (an ISO date), when given. Returns the jobs that were
        waiting for them and the sources the title is on as this write found it: a row the consumer filed
        after enrichment read the title is among them (see TitleEnricher.store_chunk)."""
        data = details.model_dump(mode="json")
        update = Update().set("enrichment_status", EnrichmentStatus.ENRICHED.value)
        update.set("enriched_at", iso_now()).set("genre_ids", list(details.genres))
        for name in ("enrichment_error", "enrichment_jobs", "enrichment_grant"):
            update.remove(name)  # what the queue kept on it
        if rank and offers_due:
            update.set("gsi1pk", OFFERS_DUE_INDEX_KEY).set("gsi1sk", f"{offers_due}#{rank}")
        else:
            update.remove("gsi1pk").remove("gsi1sk")  # out of the queue
        for name in ENRICHMENT_FIELDS:
            value = data.get(name)
            update.set_or_remove(name, None if value == [] else value)
        # Where to watch it, as Watchmode said with these details (replaced whole: offers come and go).
        update.set_or_remove("offers", [o.stored() for o in details.offers] or None)
        arguments = update.arguments(condition="attribute_exists(pk)")
        arguments["ExpressionAttributeValues"] = to_dynamo(arguments["ExpressionAttributeValues"])
        response = self.table.update_item(Key=title_key(details.id), ReturnValues="ALL_OLD", **arguments)
        sources = from_dynamo((response.get("Attributes") or {}).get("source_ids") or [])
        return _jobs_of(response), [str(s) for s in sources]

    def mark_enrichment_failed(self, title_id: str, reason: str) -> list[str]:
        """Take the title out of the queue with the reason (into the failed index, under its rank, where
        the enrich job finds it). Returns the jobs that were waiting for it."""
        response = self.table.update_item(
            Key=title_key(title_id),
            UpdateExpression=(
                "SET enrichment_status = :failed, enrichment_error = :why, gsi1pk = :failed_index "
                "REMOVE enrichment_jobs"
            ),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={
                ":failed": EnrichmentStatus.FAILED.value,
                ":why": reason[:500],
                ":failed_index": FAILED_INDEX_KEY,
            },
            ReturnValues="UPDATED_OLD",
        )
        return _jobs_of(response)

    def _ranked(self, index_key: str, after: str | None, limit: int | None) -> list[tuple[str, str]]:
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

    def offers_due(self, today: str, limit: int) -> list[tuple[str, str]]:
        """(index key, title id) of enriched titles whose offers are due by `today`: the longest due first,
        then by rank; at most `limit` (one Query)."""
        condition = Key("gsi1pk").eq(OFFERS_DUE_INDEX_KEY) & Key("gsi1sk").lte(f"{today}#~")
        response = self.table.query(
            IndexName=GSI1, KeyConditionExpression=condition, ProjectionExpression="id, gsi1sk", Limit=limit
        )
        return [(str(i["gsi1sk"]), str(i["id"])) for i in response.get("Items", [])]

    def queue_for_offers(self, title_id: str, due_key: str) -> bool:
        """Put an enriched title back in the queue under its rank (its offers are due again). False when
        it is no longer due under that key (enriched again, or queued, meanwhile)."""
        try:
            self.table.update_item(
                Key=title_key(title_id),
                UpdateExpression="SET gsi1pk = :queue, gsi1sk = :rank",
                ConditionExpression="gsi1pk = :due AND gsi1sk = :key",
                ExpressionAttributeValues={
                    ":queue": PENDING_INDEX_KEY,
                    ":rank": due_key.split("#", 1)[1],
                    ":due": OFFERS_DUE_INDEX_KEY,
                    ":key": due_key,
                },
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def next_pending(self, limit: int, skip: Collection[str] = ()) -> list[str]:
        """The queue's first `limit` titles, best rank first, leaving out `skip` (titles this worker already
        tried: the index is updated a moment after the title, and a transient failure waits for a later
        run). One Query: the titles enriched leave the index, so the best rank is always at its head."""
        ranked = self._ranked(PENDING_INDEX_KEY, None, limit + len(skip))
        return [title_id for _, title_id in ranked if title_id not in skip][:limit]

    def not_queued(self, after: str | None = None, limit: int | None = None) -> list[tuple[str, str]]:
        """(rank, title id) of titles that need enrichment but are not in the queue — failed, or deferred
        before the queue existed — best rank first, ranked after `after`, at most `limit`."""
        merged = sorted(
            self._ranked(FAILED_INDEX_KEY, after, limit) + self._ranked(DEFERRED_INDEX_KEY, after, limit)
        )
        return merged[:limit] if limit is not None else merged

    def request_enrichment(self, title_id: str, job_id: str) -> bool:
        """Put a failed (or formerly deferred) title back in the queue, under its rank, for `job_id`. False
        when the title is no longer out of the queue (enriched meanwhile, or queued already)."""
        try:
            self.table.update_item(
                Key=title_key(title_id),
                UpdateExpression=(
                    "SET enrichment_status = :pending, gsi1pk = :queue, enrichment_requested_by = :job, "
                    "enrichment_requested_at = :now ADD enrichment_jobs :jobs"
                ),
                ConditionExpression="gsi1pk IN (:failed_index, :deferred_index)",
                ExpressionAttributeValues={
                    ":pending": EnrichmentStatus.PENDING.value,
                    ":queue": PENDING_INDEX_KEY,
                    ":job": job_id,
                    ":now": iso_now(),
                    ":jobs": {job_id},
                    ":failed_index": FAILED_INDEX_KEY,
                    ":deferred_index": DEFERRED_INDEX_KEY,
                },
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True


class WorkerLease(TableRepository):
    """The one enrichment worker's lease: taken with a conditional write, renewed by the running worker,
    released when it stops. A worker that dies holds it only until it expires (`seconds` after its last
    renewal), so the next schedule or nudge takes over within a minute or two."""

    def __init__(self, table_name: str, owner: str, seconds: float, **kwargs: Any) -> None:
        super().__init__(table_name, **kwargs)
        self.owner = owner
        self.seconds = seconds
        self._written_at: float | None = None  # when this worker last took or renewed it

    def _write(self, condition: str, now: float, extra: Mapping[str, Any]) -> bool:
        self._written_at = None
        try:
            self.table.update_item(
                Key=ENRICHMENT_LEASE_KEY,
                UpdateExpression="SET #owner = :me, expires_at = :until, renewed_at = :now",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues=to_dynamo(
                    {":me": self.owner, ":until": int(now + self.seconds) + 1, ":now": int(now)} | dict(extra)
                ),
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        self._written_at = now
        return True

    def acquire(self, now: float | None = None) -> bool:
        """Take the lease unless another worker holds it unexpired."""
        now = time.time() if now is None else now
        return self._write(
            "attribute_not_exists(pk) OR expires_at < :at OR #owner = :me", now, {":at": int(now)}
        )

    def renew(self, now: float | None = None) -> bool:
        """Extend the lease; False when it was lost (expired and taken by another worker). A lease taken or
        renewed less than a third of its length ago is still safe: no write then."""
        now = time.time() if now is None else now
        if self._written_at is not None and now - self._written_at < self.seconds / 3:
            return True
        return self._write("#owner = :me", now, {})

    def release(self) -> None:
        try:
            self.table.update_item(
                Key=ENRICHMENT_LEASE_KEY,
                UpdateExpression="SET expires_at = :zero",
                ConditionExpression="#owner = :me",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":me": self.owner, ":zero": 0},
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return  # lost meanwhile: the new holder's lease is not ours to end


def _jobs_of(response: Mapping[str, Any]) -> list[str]:
    """The job ids an update removed from a title (its `enrichment_jobs` before the update)."""
    return sorted(from_dynamo((response.get("Attributes") or {}).get("enrichment_jobs") or set()))
