"""Adds Watchmode details (plot, poster, ratings, genres...) to titles that need them.

Details are fetched once per title: records for a title already enriched (by an earlier record of the same
stream, or a concurrent run) are skipped after one batch read. Permanent failures (unknown title, invalid
key, spent quota, malformed details) mark the title FAILED with the reason — it stays in the pending index
for the backfill — instead of being retried; transient ones (429/5xx after the client's own retries) are
reported so the event source mapping retries them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
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
from tvguide.watchmode_budget import CreditState


class DetailsSource(Protocol):
    def title_details(self, title_id: str, region: str = "GB") -> TitleDetails: ...


class EnrichmentStore(Protocol):
    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...
    def apply_enrichment(self, details: TitleDetails) -> list[str]: ...
    def set_availability_details(self, rows: Iterable[tuple[str, str, list[str], float | None]]) -> int: ...
    def mark_enrichment_failed(self, title_id: str, reason: str) -> list[str]: ...
    def defer_enrichment(self, title_id: str, reason: str) -> list[str]: ...


class BackfillStore(Protocol):
    def pending_enrichment(
        self, after: str | None = None, limit: int | None = None, *, deferred_only: bool = False
    ) -> list[tuple[str, str]]: ...
    def request_enrichment(self, title_id: str, job_id: str, grant: str | None = None) -> bool: ...


class EnrichmentOutcome(StrEnum):
    ENRICHED = "enriched"
    SKIPPED = "skipped"
    FAILED_PERMANENTLY = "failed_permanently"
    DEFERRED = "deferred"  # by the monthly credit budget


class TransientEnrichmentError(RuntimeError):
    """Watchmode kept failing transiently: the record is reported and retried by the mapping."""


@dataclass
class TitleEnricher:
    details: DetailsSource
    store: EnrichmentStore
    region: str = "GB"
    current: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocked_reason: str | None = None
    job_progress: dict[str, dict[str, int]] = field(default_factory=dict)  # {job id: {counter: n}}
    failures: dict[str, str] = field(default_factory=dict)  # {title id: why it failed for good}
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def _settled(self, job_ids: Iterable[str], counter: str) -> None:
        """Count a title settled (enriched or failed) for every job that was waiting for it."""
        with self._lock:
            for job_id in job_ids:
                counts = self.job_progress.setdefault(job_id, {})
                counts[counter] = counts.get(counter, 0) + 1

    def _fail(self, title_id: str, reason: str) -> EnrichmentOutcome:
        self._settled(self.store.mark_enrichment_failed(title_id, reason), "titles_enrich_failed")
        self.failures[title_id] = reason
        return EnrichmentOutcome.FAILED_PERMANENTLY

    def prefetch(self, title_ids: Iterable[str]) -> None:
        self.current = self.store.get_many(title_ids)

    def fetch(self, title_id: str) -> TitleDetails | EnrichmentOutcome:
        """The title's details, or the outcome when there is nothing to store (already enriched, or a
        permanent failure, which is recorded). Raises TransientEnrichmentError for the mapping to retry."""
        item = self.current.get(title_id)
        if item is None or item.get("enrichment_status") == EnrichmentStatus.ENRICHED:
            return EnrichmentOutcome.SKIPPED
        if self.blocked_reason:
            return self._fail(title_id, self.blocked_reason)
        try:
            return self.details.title_details(title_id, self.region)
        except (WatchmodeAuthError, WatchmodeQuotaError) as exc:
            self.blocked_reason = str(exc)  # every later call in this batch would fail the same way
            return self._fail(title_id, self.blocked_reason)
        except (WatchmodeNotFound, WatchmodeBadResponse) as exc:
            return self._fail(title_id, str(exc))
        except WatchmodeError as exc:
            raise TransientEnrichmentError(str(exc)) from exc

    def defer(
        self, title_ids: list[str], reason: str, workers: int = 4
    ) -> dict[str, EnrichmentOutcome | Exception]:
        """Leave these titles for the credit budget's planner (counted settled for the jobs waiting), one
        conditional write each, `workers` at a time; a title whose write failed is reported for retry."""

        def defer(title_id: str) -> EnrichmentOutcome:
            self._settled(self.store.defer_enrichment(title_id, reason), "titles_enrich_deferred")
            return EnrichmentOutcome.DEFERRED

        return _map_catching(defer, title_ids, workers)

    def enrich_many(
        self, title_ids: Iterable[str], workers: int = 4, chunk: int = 50
    ) -> dict[str, EnrichmentOutcome | Exception]:
        """Enrich each title once. Details are fetched `workers` at a time (the details source's pacer keeps
        the calls below the rate limit), `chunk` titles at a time; each fetched chunk is stored by a
        background writer while the next chunk is fetched, so the writes never slow the paced calls down.
        Returns each title's outcome, or the exception it raised (transient failures)."""
        unique = list(dict.fromkeys(title_ids))
        results: dict[str, EnrichmentOutcome | Exception] = {}
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="enrich-writer") as writer:
            stored = []
            for start in range(0, len(unique), chunk):
                fetched = _map_catching(self.fetch, unique[start : start + chunk], workers)
                found = {t: d for t, d in fetched.items() if isinstance(d, TitleDetails)}
                results |= {t: r for t, r in fetched.items() if t not in found}  # type: ignore[misc]
                if found:
                    stored.append(writer.submit(self.store_chunk, found))
            for future in stored:
                results |= future.result()
        return {t: results[t] for t in unique}

    def store_chunk(self, found: dict[str, TitleDetails]) -> dict[str, EnrichmentOutcome | Exception]:
        """The chunk's availability rows get the new genres and rating first (only those two fields: the
        rest of a row is ingestion's); only then is each title marked enriched, so a failed write leaves
        titles pending (and retried), never enriched but missing from the index."""
        rows = [
            (t, str(source), list(d.genres), d.user_rating)
            for t, d in found.items()
            for source in self.current[t].get("source_ids") or []
        ]
        try:
            self.store.set_availability_details(rows)
        except Exception as exc:  # reported for every title of the chunk
            return dict.fromkeys(found, exc)

        def store(title_id: str) -> EnrichmentOutcome:
            self._settled(self.store.apply_enrichment(found[title_id]), "titles_enriched")
            self.current[title_id] = self.current[title_id] | {
                "enrichment_status": EnrichmentStatus.ENRICHED.value
            }
            return EnrichmentOutcome.ENRICHED

        return _map_catching(store, list(found), workers=1)


def _map_catching[T](fn: Callable[[str], T], keys: list[str], workers: int) -> dict[str, T | Exception]:
    """fn over keys (a thread pool when workers > 1), with each exception kept as that key's result."""

    def attempt(key: str) -> T | Exception:
        try:
            return fn(key)
        except Exception as exc:  # reported per record by the caller
            return exc

    if workers <= 1 or len(keys) <= 1:
        return {k: attempt(k) for k in keys}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="enrich") as pool:
        return dict(zip(keys, pool.map(attempt, keys), strict=True))


class CreditBudget(Protocol):
    budget: int

    def month(self) -> str: ...
    def state(self) -> CreditState: ...
    def reserve(self, wanted: int) -> int: ...


class WaitingCounter(Protocol):
    def count_waiting(self, up_to: int) -> int: ...


DEFERRED_REASON = "deferred: the monthly Watchmode credit budget is spent or kept for better-ranked titles"


@dataclass
class BudgetDecision:
    fetch: list[str]  # best rank first; credits reserved for each
    defer: list[str]
    reserved: int
    scarce: bool  # the budget left does not cover every title waiting: only the planner's grants go


def plan_spending(
    items: dict[str, dict[str, Any]], title_ids: Iterable[str], ledger: CreditBudget, waiting: WaitingCounter
) -> BudgetDecision:
    """Which of a batch's titles may spend credits. With no budget, all of them. With one: when the budget
    left covers every title waiting (pending, failed or deferred), all of them, best rank first, as far
    as credits can be reserved; when it does not, only those the planner granted this month (it grants
    the best-ranked titles the budget covers); the rest are deferred."""
    wanted = [
        t
        for t in dict.fromkeys(title_ids)
        if t in items and items[t].get("enrichment_status") == EnrichmentStatus.PENDING
    ]
    wanted.sort(key=lambda t: str(items[t].get("gsi1sk") or ""))
    if not ledger.budget:
        return BudgetDecision(wanted, [], 0, scarce=False)
    month = ledger.month()
    granted = [t for t in wanted if items[t].get("enrichment_grant") == month]
    others = len(wanted) > len(granted)
    remaining = ledger.state().remaining or 0
    scarce = others and waiting.count_waiting(remaining) > remaining
    candidates = granted if scarce else wanted
    reserved = ledger.reserve(len(candidates))
    fetch = candidates[:reserved]
    fetching = set(fetch)
    return BudgetDecision(fetch, [t for t in wanted if t not in fetching], reserved, scarce)


def request_backfill(
    store: BackfillStore,
    job_id: str,
    after: str | None = None,
    chunk: int = 1000,
    *,
    budget_left: int | None = None,
    grant: str | None = None,
    deferred_only: bool = False,
) -> tuple[int, str | None]:
    """Re-request enrichment of up to `chunk` titles still needing it, best rank first (those ranked
    after the cursor `after`); the table's stream brings each to the enricher. With a credit budget,
    no more than `budget_left` titles, each granted for the month (`grant`); with `deferred_only`, only
    titles the budget deferred (the scheduled planner: failed ones wait for an admin). Returns how many were
    requested and where the next chunk starts (None when this was the last)."""
    limit = chunk if budget_left is None else max(0, min(chunk, budget_left))
    if limit == 0:
        return 0, None
    waiting = store.pending_enrichment(after=after, limit=limit, deferred_only=deferred_only)
    requested = sum(1 for _, title_id in waiting if store.request_enrichment(title_id, job_id, grant))
    more = len(waiting) == limit and (budget_left is None or budget_left > limit)
    return requested, (waiting[-1][0] if more else None)
