"""Adds Watchmode details (plot, poster, ratings, genres...) to the titles in the enrichment queue.

The queue is the pending index itself (titles by rank: in more viewers' feeds first, then the more popular).
One worker at a time drains it (`QueueWorker`), a chunk at a time, paced at the rate limit and within the
month's credits. A title already enriched (by an earlier chunk, or another run) is skipped after one batch
read. Permanent failures (unknown title, invalid key, spent quota, malformed details) take the title out
of the queue as FAILED with the reason, where the enrich job finds it; transient ones (429/5xx after the
client's own retries) leave it queued for a later run.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from tvguide.models import EnrichmentStatus, TitleDetails
from tvguide.repositories import PENDING_INDEX_KEY, RowDetails
from tvguide.watchmode import (
    DETAILS_CREDITS,
    WatchmodeAuthError,
    WatchmodeBackedOff,
    WatchmodeBadResponse,
    WatchmodeError,
    WatchmodeNotFound,
    WatchmodeQuotaError,
)
from tvguide.watchmode_budget import Reservation


class DetailsSource(Protocol):
    def title_details(self, title_id: str, region: str = "GB") -> TitleDetails: ...


class EnrichmentStore(Protocol):
    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...
    def apply_enrichment(
        self, details: TitleDetails, *, rank: str | None = None, offers_due: str | None = None
    ) -> tuple[list[str], list[str]]: ...
    def set_availability_details(self, rows: Iterable[RowDetails]) -> int: ...
    def mark_enrichment_failed(self, title_id: str, reason: str) -> list[str]: ...


class EnrichmentQueue(Protocol):
    def next_pending(self, limit: int, skip: Collection[str] = ()) -> list[str]: ...


class OffersDue(Protocol):
    def offers_due(self, today: str, limit: int) -> list[tuple[str, str]]: ...
    def queue_for_offers(self, title_id: str, due_key: str) -> bool: ...


def queue_due_offers(store: OffersDue, today: date, limit: int) -> int:
    """Enriched titles whose offers are due (longest due first, then best rank) back in the queue, at most
    `limit`: the worker fetches their details (and offers) again within the month's credits, in rank order
    with the rest of the queue. Returns how many were queued."""
    due = store.offers_due(today.isoformat(), limit)
    return sum(store.queue_for_offers(title_id, key) for key, title_id in due)


class BackfillStore(Protocol):
    def not_queued(self, after: str | None = None, limit: int | None = None) -> list[tuple[str, str]]: ...
    def request_enrichment(self, title_id: str, job_id: str) -> bool: ...


class Lease(Protocol):
    def renew(self, now: float | None = None) -> bool: ...


class EnrichmentOutcome(StrEnum):
    ENRICHED = "enriched"
    SKIPPED = "skipped"
    FAILED_PERMANENTLY = "failed_permanently"


class TransientEnrichmentError(RuntimeError):
    """Watchmode kept failing transiently: the title stays queued for a later run."""


@dataclass
class TitleEnricher:
    details: DetailsSource
    store: EnrichmentStore
    region: str = "GB"
    offers_refresh_days: int | None = None  # an enriched title is queued again this long after (its offers)
    today: Callable[[], date] = lambda: datetime.now(UTC).date()
    current: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocked_reason: str | None = None
    backed_off: str | None = None  # Watchmode asked to wait past the invocation's time: no more calls
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
        with self._lock:
            self.failures[title_id] = reason
        return EnrichmentOutcome.FAILED_PERMANENTLY

    def take_reports(self) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
        """The job progress and the failures gathered since the last take, handed over and forgotten at
        once (titles may be settling on other threads meanwhile)."""
        with self._lock:
            progress, self.job_progress = self.job_progress, {}
            failures, self.failures = self.failures, {}
        return progress, failures

    def prefetch(self, title_ids: Iterable[str]) -> None:
        """Read the titles about to be fetched (one batch read); kept until their chunk is stored."""
        self.current.update(self.store.get_many(title_ids))

    def fetch(self, title_id: str) -> TitleDetails | EnrichmentOutcome:
        """The title's details, or the outcome when there is nothing to store (no longer queued, or a
        permanent failure, which is recorded). Raises TransientEnrichmentError: the title stays queued."""
        item = self.current.get(title_id)
        queued = item is not None and item.get("gsi1pk") == PENDING_INDEX_KEY  # an enriched one: its offers
        if item is None or (item.get("enrichment_status") != EnrichmentStatus.PENDING and not queued):
            return EnrichmentOutcome.SKIPPED
        if self.blocked_reason:
            return self._fail(title_id, self.blocked_reason)
        if self.backed_off:
            raise TransientEnrichmentError(self.backed_off)  # stays queued, no call made
        try:
            return self.details.title_details(title_id, self.region)
        except WatchmodeBackedOff as exc:
            self.backed_off = str(exc)
            raise TransientEnrichmentError(str(exc)) from exc
        except (WatchmodeAuthError, WatchmodeQuotaError) as exc:
            self.blocked_reason = str(exc)  # every later call in this batch would fail the same way
            return self._fail(title_id, self.blocked_reason)
        except (WatchmodeNotFound, WatchmodeBadResponse) as exc:
            return self._fail(title_id, str(exc))
        except WatchmodeError as exc:
            raise TransientEnrichmentError(str(exc)) from exc

    def enrich_many(
        self, title_ids: Iterable[str], workers: int = 4
    ) -> dict[str, EnrichmentOutcome | Exception]:
        """Fetch then store each title once (see `fetch_chunk` and `store_chunk`). Returns each title's
        outcome, or the exception it raised (transient failures)."""
        found, results = self.fetch_chunk(title_ids, workers)
        return results | (self.store_chunk(found) if found else {})

    def fetch_chunk(
        self, title_ids: Iterable[str], workers: int = 4
    ) -> tuple[dict[str, TitleDetails], dict[str, EnrichmentOutcome | Exception]]:
        """Details fetched `workers` at a time (the details source's pacer keeps the calls below the rate
        limit): (the details to store, the outcome of every other title)."""
        fetched = _map_catching(self.fetch, list(dict.fromkeys(title_ids)), workers)
        found = {t: d for t, d in fetched.items() if isinstance(d, TitleDetails)}
        return found, {t: r for t, r in fetched.items() if t not in found}  # type: ignore[misc]

    def store_chunk(self, found: dict[str, TitleDetails]) -> dict[str, EnrichmentOutcome | Exception]:
        """The chunk's availability rows get the new genres and rating first (only those two fields: the
        rest of a row is ingestion's); only then is each title marked enriched, so a failed write leaves
        titles pending (and retried), never enriched but missing from the index."""
        rows = [
            RowDetails(t, str(source), list(d.genres), d.user_rating)
            for t, d in found.items()
            for source in self.current[t].get("source_ids") or []
        ]
        try:
            self.store.set_availability_details(rows)
        except Exception as exc:  # reported for every title of the chunk
            return dict.fromkeys(found, exc)

        def store(title_id: str) -> EnrichmentOutcome:
            details = found[title_id]
            rank = self.current[title_id].get("gsi1sk")
            due = None
            if self.offers_refresh_days:
                due = (self.today() + timedelta(days=self.offers_refresh_days)).isoformat()
            jobs, sources = self.store.apply_enrichment(details, rank=rank, offers_due=due)
            # A row the consumer filed after this chunk read the title: the title's write above found
            # its source, so the row gets the genres and rating too (the consumer covers the other order).
            known = {str(s) for s in self.current[title_id].get("source_ids") or []}
            genres, rating = list(details.genres), details.user_rating
            late = [RowDetails(title_id, s, genres, rating) for s in sources if s not in known]
            if late:
                self.store.set_availability_details(late)
            self._settled(jobs, "titles_enriched")
            self.current.pop(title_id, None)  # stored: its snapshot is no longer needed
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
    def reserve(self, wanted: int, hold_seconds: float = ...) -> Reservation: ...
    def settle(self, caller: str, reservation: Reservation, used: int) -> None: ...
    def return_lapsed(self) -> int: ...


class StopReason(StrEnum):
    EMPTY = "empty"  # nothing queued (but titles this run could not fetch, left for a later run)
    TIME = "time"  # the invocation's time is nearly up: a fresh invocation continues
    CREDITS = "credits"  # the month's credits are spent: the queue waits, in rank order
    LEASE_LOST = "lease_lost"  # another worker took over
    BLOCKED = "blocked"  # Watchmode refuses every call (invalid key, spent quota)
    WATCHMODE_FAILING = "watchmode_failing"  # too many transient failures: the schedule tries again


@dataclass
class DrainReport:
    stopped: StopReason = StopReason.EMPTY
    chunks: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    credits_used: int = 0
    credits_returned: int = 0  # reserved by killed invocations, given back before this run reserved
    transient: set[str] = field(default_factory=set)  # failed transiently: queued still, for a later run
    # The last chunks this run took from the queue: being written, or written a moment ago (an index is
    # updated a moment after its item), so possibly still at the queue's head.
    recent: deque[list[str]] = field(default_factory=lambda: deque(maxlen=3))

    def still_queued(self) -> set[str]:
        """Titles this run took that the queue may still list (skipped when it takes the next chunk)."""
        return self.transient.union(*self.recent)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


@dataclass
class _Chunk:
    """The next chunk: taken from the queue, its credits reserved, its titles read; or why there is none."""

    title_ids: list[str] = field(default_factory=list)
    wanted: int = 0  # how many the queue had for it (more than `title_ids` when the credits ran out)
    reservation: Reservation | None = None
    stop: StopReason | None = None


@dataclass
class QueueWorker:
    """Drains the enrichment queue best rank first, a chunk at a time, while it holds the lease, has time
    left and the month's credits allow. Titles stay queued until they are enriched or fail for good, so
    nothing depends on a stream record's age; a transient failure leaves its title for a later run."""

    enricher: TitleEnricher
    queue: EnrichmentQueue
    lease: Lease
    ledger: CreditBudget
    time_left: Callable[[], float]  # seconds left in this invocation
    credits_used: Callable[[], int]  # credits the details source spent since the last call
    chunk: int = 50
    workers: int = 4
    seconds_per_chunk: float = 30.0  # stop this long before the time limit (a chunk's worst case)
    max_transient: int = 200
    after_chunk: Callable[[TitleEnricher], None] = lambda _: None  # report progress, failures

    def drain(self) -> DrainReport:
        """Only the paced calls are on the critical path: while a chunk's details are fetched, one helper
        writes the chunk before and reports its progress (once it is written, in order) and another takes
        the next chunk from the queue (lease, Query, credits, batch read), so the calls never wait for
        DynamoDB."""
        report = DrainReport(credits_returned=self.ledger.return_lapsed())
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="enrich-helper") as helpers:
            writing: Future[dict[str, EnrichmentOutcome | Exception]] | None = None
            fetched: dict[str, EnrichmentOutcome | Exception] = {}

            def written() -> None:
                """Wait for the chunk being written (and its progress reported); count its outcomes."""
                nonlocal writing
                results = fetched | (writing.result() if writing else {})
                writing = None
                for result in results.values():
                    report.count("failed_transiently" if isinstance(result, Exception) else result.value)
                report.transient.update(t for t, r in results.items() if isinstance(r, Exception))

            def stop(reason: StopReason, unused: _Chunk | None = None) -> DrainReport:
                if unused is not None and unused.reservation is not None and unused.reservation.credits > 0:
                    self.ledger.settle("enrichment", unused.reservation, 0)  # taken, never fetched
                written()
                report.stopped = reason
                return report

            chunk = self._take(report.still_queued())
            while True:
                reason = self._failing(report) or chunk.stop
                if reason is not None:
                    return stop(reason, chunk)
                report.recent.append(chunk.title_ids)
                credits_left = len(chunk.title_ids) == chunk.wanted
                following = helpers.submit(self._take, report.still_queued()) if credits_left else None
                try:
                    found, results = self.enricher.fetch_chunk(chunk.title_ids, workers=self.workers)
                finally:
                    used = self.credits_used()
                    report.credits_used += used
                    if chunk.reservation is not None:
                        self.ledger.settle("enrichment", chunk.reservation, used)
                report.chunks += 1
                written()  # the chunk before: one write at a time, in rank order
                fetched = results
                writing = helpers.submit(self._store_and_report, found)
                if following is None:  # the month's credits are spent: the rest of the queue waits
                    return stop(StopReason.CREDITS)
                chunk = following.result()

    def _store_and_report(self, found: dict[str, TitleDetails]) -> dict[str, EnrichmentOutcome | Exception]:
        """The writer's task: store a chunk, then report its progress (in order: one writer)."""
        results = self.enricher.store_chunk(found) if found else {}
        self.after_chunk(self.enricher)
        return results

    def _take(self, skip: Collection[str]) -> _Chunk:
        """The next chunk (see `_Chunk`), after renewing the lease; `skip`: titles this run already took."""
        if self.time_left() < self.seconds_per_chunk:
            return _Chunk(stop=StopReason.TIME)
        if not self.lease.renew():
            return _Chunk(stop=StopReason.LEASE_LOST)
        title_ids = self.queue.next_pending(self.chunk, skip=skip)
        if not title_ids:
            return _Chunk(stop=StopReason.EMPTY)
        per_title = DETAILS_CREDITS
        reservation = self.ledger.reserve(len(title_ids) * per_title, hold_seconds=self.time_left() + 60)
        if reservation.credits < per_title:
            return _Chunk(wanted=len(title_ids), stop=StopReason.CREDITS)
        granted = title_ids[: reservation.credits // per_title]
        self.enricher.prefetch(granted)
        return _Chunk(granted, len(title_ids), reservation)

    def _failing(self, report: DrainReport) -> StopReason | None:
        """Why Watchmode's answers so far stop this run (None: it goes on)."""
        if self.enricher.blocked_reason:
            return StopReason.BLOCKED
        if self.enricher.backed_off or len(report.transient) > self.max_transient:
            return StopReason.WATCHMODE_FAILING
        return None


def request_backfill(
    store: BackfillStore, job_id: str, after: str | None = None, chunk: int = 1000
) -> tuple[int, str | None]:
    """Put up to `chunk` titles that need enrichment but are out of the queue (failed, or deferred before
    the queue existed) back in it, best rank first (those ranked after the cursor `after`), for `job_id`.
    Returns how many were requested and where the next chunk starts (None when this was the last)."""
    waiting = store.not_queued(after=after, limit=chunk)
    requested = sum(1 for _, title_id in waiting if store.request_enrichment(title_id, job_id))
    return requested, (waiting[-1][0] if len(waiting) == chunk else None)
