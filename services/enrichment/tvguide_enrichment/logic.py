"""Adds Watchmode details (plot, poster, ratings, genres...) to titles that need them.

Details are fetched once per title: records for a title already enriched (by an earlier record of the same
stream, or a concurrent run) are skipped after one batch read. Permanent failures (unknown title, invalid
key, spent quota, malformed details) mark the title FAILED with the reason — it stays in the pending index
for the backfill — instead of being retried; transient ones (429/5xx after the client's own retries) are
reported so the event source mapping retries them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from tvguide.models import EnrichmentStatus, TitleDetails
from tvguide.watchmode import (
    WatchmodeAuthError,
    WatchmodeBadResponse,
    WatchmodeError,
    WatchmodeNotFound,
    WatchmodeQuotaError,
)


class DetailsSource(Protocol):
    def title_details(self, title_id: str, region: str = "GB") -> TitleDetails: ...


class EnrichmentStore(Protocol):
    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...
    def apply_enrichment(self, details: TitleDetails) -> dict[str, Any]: ...
    def file_availability(self, title: Mapping[str, Any], source_ids: Iterable[str]) -> int: ...
    def mark_enrichment_failed(self, title_id: str, reason: str) -> None: ...
    def pending_enrichment(self) -> Iterator[str]: ...
    def request_enrichment(self, title_id: str, cause: str) -> None: ...


class Outcome(StrEnum):
    ENRICHED = "enriched"
    SKIPPED = "skipped"
    FAILED_PERMANENTLY = "failed_permanently"


class TransientEnrichmentError(RuntimeError):
    """Watchmode kept failing transiently: the record is reported and retried by the mapping."""


@dataclass
class TitleEnricher:
    details: DetailsSource
    store: EnrichmentStore
    region: str = "GB"
    current: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocked_reason: str | None = None

    def prefetch(self, title_ids: Iterable[str]) -> None:
        self.current = self.store.get_many(title_ids)

    def enrich(self, title_id: str) -> Outcome:
        item = self.current.get(title_id)
        if item is None or item.get("enrichment_status") == EnrichmentStatus.ENRICHED:
            return Outcome.SKIPPED
        if self.blocked_reason:
            self.store.mark_enrichment_failed(title_id, self.blocked_reason)
            return Outcome.FAILED_PERMANENTLY
        try:
            details = self.details.title_details(title_id, self.region)
        except (WatchmodeAuthError, WatchmodeQuotaError) as exc:
            self.blocked_reason = str(exc)  # every later call in this batch would fail the same way
            self.store.mark_enrichment_failed(title_id, self.blocked_reason)
            return Outcome.FAILED_PERMANENTLY
        except (WatchmodeNotFound, WatchmodeBadResponse) as exc:
            self.store.mark_enrichment_failed(title_id, str(exc))
            return Outcome.FAILED_PERMANENTLY
        except WatchmodeError as exc:
            raise TransientEnrichmentError(str(exc)) from exc
        updated = self.store.apply_enrichment(details)
        self.store.file_availability(updated, [str(s) for s in updated.get("source_ids") or []])
        self.current[title_id] = updated
        return Outcome.ENRICHED

    def enrich_many(self, title_ids: Iterable[str], workers: int = 4) -> dict[str, Outcome | Exception]:
        """Enrich each title once, `workers` at a time. The details source's pacer keeps the calls below the
        rate limit, so the per-title writes overlap with the next calls instead of slowing them down.
        Returns each title's outcome, or the exception it raised (transient failures)."""
        unique = list(dict.fromkeys(title_ids))

        def attempt(title_id: str) -> Outcome | Exception:
            try:
                return self.enrich(title_id)
            except Exception as exc:  # reported per record by the caller
                return exc

        if workers <= 1 or len(unique) <= 1:
            return {t: attempt(t) for t in unique}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="enrich") as pool:
            return dict(zip(unique, pool.map(attempt, unique), strict=True))


def request_backfill(store: EnrichmentStore, cause: str) -> int:
    """Re-mark every title still needing enrichment; the table's stream brings each to the enricher."""
    count = 0
    for title_id in list(store.pending_enrichment()):
        store.request_enrichment(title_id, cause)
        count += 1
    return count
