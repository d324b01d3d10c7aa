"""Stores title events: idempotent upserts that never erase enrichment, plus the availability index.

- `title.seen`: the title's sources become the union of old and found; only ingestion-owned fields are
  written, and nothing
  at all when they are unchanged. A title is marked for enrichment when new, when an earlier enrichment
  failed, or when its details are older than the staleness window.
- `title.left_source`: the source is removed from the title and its availability row deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from tvguide.models import EnrichmentStatus, TitleEvent, TitleLeftSource, TitleSummary, utc_now


class TitleStore(Protocol):
    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...
    def save_ingested(
        self,
        summary: TitleSummary,
        *,
        source_ids: list[str],
        fingerprint: str,
        mark_pending: bool,
        event_meta: Mapping[str, str],
    ) -> None: ...
    def set_sources(self, title_id: str, source_ids: list[str], fingerprint: str) -> None: ...
    def file_availability(self, title: Mapping[str, Any], source_ids: Iterable[str]) -> int: ...
    def unfile_availability(self, title_id: str, source_ids: Iterable[str]) -> int: ...


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED_FROM_SOURCE = "removed_from_source"


def needs_enrichment(existing: Mapping[str, Any] | None, stale_days: int, now: datetime) -> bool:
    if existing is None:
        return True
    status = existing.get("enrichment_status")
    if status == EnrichmentStatus.PENDING:
        return False  # already on its way; marking again would only cause a duplicate details call
    if status != EnrichmentStatus.ENRICHED:
        return True
    try:
        enriched_at = datetime.fromisoformat(str(existing.get("enriched_at")))
    except ValueError:
        return True
    return now - enriched_at > timedelta(days=stale_days)


@dataclass
class TitleEventApplier:
    """Applies events in order against a cache of current title records (prefetched per batch)."""

    store: TitleStore
    stale_days: int = 30

    def prefetch(self, events: Iterable[TitleEvent]) -> dict[str, dict[str, Any]]:
        return self.store.get_many(e.title_id for e in events)

    def apply(self, event: TitleEvent, cache: dict[str, dict[str, Any]]) -> Outcome:
        if isinstance(event.payload, TitleLeftSource):
            return self._left_source(event.payload, cache)
        return self._seen(event, event.payload, cache)

    def _seen(self, event: TitleEvent, title: TitleSummary, cache: dict[str, dict[str, Any]]) -> Outcome:
        existing = cache.get(title.id)
        old_sources = [str(s) for s in (existing or {}).get("source_ids") or []]
        merged = title.model_copy(
            update={"source_ids": tuple(sorted(set(old_sources) | set(title.source_ids), key=int))}
        )
        fingerprint = merged.fingerprint()
        pending = needs_enrichment(existing, self.stale_days, utc_now())
        if existing and existing.get("ingest_hash") == fingerprint and not pending:
            return Outcome.UNCHANGED
        self.store.save_ingested(
            merged,
            source_ids=list(merged.source_ids),
            fingerprint=fingerprint,
            mark_pending=pending,
            event_meta={
                "event_id": event.header.event_id,
                "cause": event.header.cause,
                "correlation_id": event.header.correlation_id,
            },
        )
        record = dict(existing or {}) | merged.model_dump(mode="json") | {"ingest_hash": fingerprint}
        record["source_ids"] = list(merged.source_ids)
        if pending:
            record["enrichment_status"] = EnrichmentStatus.PENDING.value
        cache[title.id] = record
        self.store.file_availability(record, merged.source_ids)
        return Outcome.CREATED if existing is None else Outcome.UPDATED

    def _left_source(self, event: TitleLeftSource, cache: dict[str, dict[str, Any]]) -> Outcome:
        existing = cache.get(event.title_id)
        self.store.unfile_availability(event.title_id, [event.source_id])
        if existing is not None:
            remaining = [str(s) for s in existing.get("source_ids") or [] if str(s) != event.source_id]
            summary = TitleSummary.model_validate(existing | {"source_ids": remaining})
            fingerprint = summary.fingerprint()
            self.store.set_sources(event.title_id, remaining, fingerprint)
            cache[event.title_id] = dict(existing) | {"source_ids": remaining, "ingest_hash": fingerprint}
        return Outcome.REMOVED_FROM_SOURCE
