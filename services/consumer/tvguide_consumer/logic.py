"""Stores title events: idempotent upserts that never erase enrichment, plus the availability index.

- `title.seen`: the title's sources become the union of old and found; only ingestion-owned fields are
  written, and nothing at all when they are unchanged. A title is marked for enrichment when new, when an
  earlier enrichment failed, or when its details are older than the staleness window.
- `title.left_source`: the source is removed from the title and its availability row deleted.

A batch is planned first, in order, against the current records (one batch read). Then all its availability
changes are written together, then the title records, several titles at once (`write_titles`: one title's
writes stay in the batch's order). If the index write fails the whole batch is retried with nothing else
written. If one title write fails, only idempotent index rows were written before it, and its retry plans
and writes it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from tvguide.models import EnrichmentStatus, TitleEvent, TitleLeftSource, TitleSummary, utc_now
from tvguide.repositories import RowDetails, enrichment_rank
from tvguide.search import SEARCH_VERSION, identity_value


@dataclass(frozen=True)
class AvailabilityChange:
    """What one event changed in where a title is available: the sources it arrived on (not counting
    sources crawled for the first time) and left. Keyed on the event, so a retry writes the same items."""

    change_id: str
    title_id: str
    title: str | None
    at: str
    arrived: tuple[str, ...] = ()
    left: tuple[str, ...] = ()


@dataclass(frozen=True)
class TitleName:
    """A title's name to (re)index for search; None: the title is on no source any more (its name goes)."""

    title_id: str
    name: str | None
    identity: str | None = None  # year and ids elsewhere (tvguide.search.identity_value)


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
        job_id: str | None = None,
        search_version: int | None = None,
        rank: str | None = None,
        audience: int | None = None,
    ) -> dict[str, Any]: ...
    def set_availability_details(self, rows: Iterable[RowDetails]) -> int: ...
    def set_sources(self, title_id: str, source_ids: list[str], fingerprint: str) -> None: ...
    def write_availability(
        self,
        filed: Iterable[tuple[Mapping[str, Any], str]],
        unfiled: Iterable[tuple[str, str, list[str]]],
        *,
        changes: Iterable[AvailabilityChange] = (),
        names: Iterable[TitleName] = (),
    ) -> int: ...
    def update_availability(self, filed: Iterable[tuple[Mapping[str, Any], str]]) -> int: ...


class EventOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED_FROM_SOURCE = "removed_from_source"


def title_identity(title: TitleSummary) -> str | None:
    """The title's year and ids elsewhere, as the search index keeps them."""
    tmdb = f"{title.tmdb_type or 'movie'}/{title.tmdb_id}" if title.tmdb_id else None
    return identity_value(title.year, title.imdb_id, tmdb)


def needs_enrichment(existing: Mapping[str, Any] | None, stale_days: int, now: datetime) -> bool:
    if existing is None:
        return True
    status = existing.get("enrichment_status")
    if status in (EnrichmentStatus.PENDING, EnrichmentStatus.DEFERRED):
        # Already on its way, or waiting for the credit budget's planner: marking it again would only
        # cause a duplicate details call, or a round trip to the enrichment function for nothing.
        return False
    if status != EnrichmentStatus.ENRICHED:
        return True
    try:
        enriched_at = datetime.fromisoformat(str(existing.get("enriched_at")))
    except ValueError:
        return True
    return now - enriched_at > timedelta(days=stale_days)


ROW_FIELDS = ("title", "type", "year")  # what a title's availability rows repeat of it (the consumer's part)


@dataclass
class AvailabilityChanges:
    """The index rows a batch files (title record, source id) and unfiles (title id, source id, with the
    genres its feed entries are under), in order:
    a later change to the same row replaces an earlier one. New rows (a new title's, or a title's on a source
    it was not on) are written whole, 25 to a request (no row exists to overwrite); existing rows are
    updated field by field, so the genres and rating enrichment owns are never overwritten."""

    rows: dict[tuple[str, str], tuple[Mapping[str, Any], bool] | None] = field(default_factory=dict)
    changes: list[AvailabilityChange] = field(default_factory=list)  # news, and the notifier's trigger
    names: list[TitleName] = field(default_factory=list)  # search words to write
    unfiled_genres: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def file(self, title: Mapping[str, Any], source_ids: Iterable[str], *, new: bool) -> None:
        for source_id in source_ids:
            self.rows[(str(title["id"]), source_id)] = (title, new)

    def unfile(self, title_id: str, source_id: str, genre_ids: Iterable[str] = ()) -> None:
        self.rows[(title_id, source_id)] = None
        self.unfiled_genres[(title_id, source_id)] = [str(g) for g in genre_ids]

    def write_to(self, store: TitleStore) -> int:
        whole = [(row[0], key[1]) for key, row in self.rows.items() if row is not None and row[1]]
        owned = [(row[0], key[1]) for key, row in self.rows.items() if row is not None and not row[1]]
        unfiled = [(*key, self.unfiled_genres.get(key, [])) for key, row in self.rows.items() if row is None]
        written = 0
        if whole or unfiled or self.changes or self.names:
            written = store.write_availability(whole, unfiled, changes=self.changes, names=self.names)
        return written + (store.update_availability(owned) if owned else 0)


@dataclass(frozen=True)
class PlannedEvent:
    outcome: EventOutcome
    write: Callable[[], None] | None = None  # the title record's write; None when nothing changes
    job_id: str = ""  # the job (event cause) this event reports to
    makes_pending: bool = False  # the write marks the title for enrichment
    title_id: str = ""  # the title written: writes to one title keep their order

    def execute(self) -> EventOutcome:
        if self.write is not None:
            self.write()
        return self.outcome


TITLE_WRITERS = 8  # title records written at once (each a small UpdateItem: the batch waits on round trips)
# One pool per container: its threads live on, each keeping the DynamoDB resource it made (per thread; a
# new one costs tens of milliseconds of CPU), so later batches pay nothing to start writing.
_writers = ThreadPoolExecutor(max_workers=TITLE_WRITERS, thread_name_prefix="title")


def write_titles(
    planned: Mapping[str, PlannedEvent], writers: int = TITLE_WRITERS
) -> dict[str, EventOutcome | Exception]:
    """Execute every planned title write, keyed as given (a record's sequence number): different titles at
    once, one title's writes one after another in the given order (a later event's write must land last).
    A write that raises is returned as its exception, and the title's later writes still run, as they
    would one record after another (the stream retries from the failed record, and every write is
    idempotent)."""
    results: dict[str, EventOutcome | Exception] = {}
    by_title: dict[str, list[str]] = {}
    for key, plan in planned.items():
        if plan.write is None:
            results[key] = plan.outcome
        else:
            by_title.setdefault(plan.title_id, []).append(key)

    def run(keys: list[str]) -> None:
        for key in keys:
            try:
                results[key] = planned[key].execute()
            except Exception as exc:  # handed back: the caller decides, per record
                results[key] = exc

    groups = list(by_title.values())
    if len(groups) <= 1 or writers <= 1:
        for keys in groups:
            run(keys)
    else:  # `writers` lanes on the shared pool, each with its share of the titles

        def run_lane(lane: list[list[str]]) -> None:
            for keys in lane:
                run(keys)

        lanes = [groups[n::writers] for n in range(min(writers, len(groups)))]
        for done in [_writers.submit(run_lane, lane) for lane in lanes]:
            done.result()
    return {key: results[key] for key in planned}


@dataclass
class TitleEventApplier:
    store: TitleStore
    stale_days: int = 30

    def plan_batch(self, events: list[TitleEvent]) -> tuple[list[PlannedEvent], AvailabilityChanges]:
        """Plan every event in order against the current records (read with one batch read)."""
        cache = self.store.get_many(e.title_id for e in events)
        changes = AvailabilityChanges()
        return [self.plan(event, cache, changes) for event in events], changes

    def plan(
        self, event: TitleEvent, cache: dict[str, dict[str, Any]], changes: AvailabilityChanges
    ) -> PlannedEvent:
        if isinstance(event.payload, TitleLeftSource):
            return self._left_source(event, event.payload, cache, changes)
        return self._seen(event, event.payload, cache, changes)

    def _seen(
        self,
        event: TitleEvent,
        title: TitleSummary,
        cache: dict[str, dict[str, Any]],
        changes: AvailabilityChanges,
    ) -> PlannedEvent:
        existing = cache.get(title.id)
        old_sources = [str(s) for s in (existing or {}).get("source_ids") or []]
        merged = title.model_copy(
            update={"source_ids": tuple(sorted(set(old_sources) | set(title.source_ids), key=int))}
        )
        fingerprint = merged.fingerprint()
        pending = needs_enrichment(existing, self.stale_days, utc_now())
        job_id = event.header.job_id
        indexed = existing is not None and existing.get("search_version") == SEARCH_VERSION
        reindex = not indexed or any(
            (existing or {}).get(f) != getattr(title, f) for f in ("title", "year", "imdb_id", "tmdb_id")
        )
        if existing and existing.get("ingest_hash") == fingerprint and not pending and not reindex:
            return PlannedEvent(EventOutcome.UNCHANGED, job_id=job_id, title_id=title.id)
        meta = {
            "event_id": event.header.event_id,
            "cause": event.header.cause,
            "correlation_id": event.header.correlation_id,
        }
        record = dict(existing or {}) | merged.model_dump(mode="json") | {"ingest_hash": fingerprint}
        record["source_ids"] = list(merged.source_ids)
        if pending:
            record["enrichment_status"] = EnrichmentStatus.PENDING.value
        cache[title.id] = record
        # A row for a source the title was not on does not exist yet: written whole, with the batch's rows
        # (the title's write below gives it genres and rating if enrichment wrote in between). The rows it
        # already has carry its name, type and year: rewritten (field by field) only when one changed.
        changes.file(record, [s for s in merged.source_ids if s not in old_sources], new=True)
        if existing is not None and any(existing.get(f) != record.get(f) for f in ROW_FIELDS):
            changes.file(record, [s for s in merged.source_ids if s in old_sources], new=False)

        if reindex:  # written with the batch's index rows, before the record says it is indexed
            changes.names.append(TitleName(title.id, title.title, title_identity(title)))

        audience = max(event.audience, int((existing or {}).get("audience") or 0))
        rank = enrichment_rank(title.id, audience, (existing or {}).get("relevance_percentile"))

        filed = [s for s in merged.source_ids if s not in old_sources]
        read_enriched = (existing or {}).get("enrichment_status") == EnrichmentStatus.ENRICHED

        def write() -> None:
            stored = self.store.save_ingested(
                merged,
                source_ids=list(merged.source_ids),
                fingerprint=fingerprint,
                mark_pending=pending,
                event_meta=meta,
                job_id=job_id,
                search_version=SEARCH_VERSION,
                rank=rank if pending else None,
                audience=audience if pending else None,
            )
            if filed and not read_enriched and stored.get("enrichment_status") == EnrichmentStatus.ENRICHED:
                # Enriched between this batch's read and this write: the rows filed from the read have no
                # genres or rating, and enrichment, which wrote before this source was on the title, does
                # not know them (it covers the other order: see TitleEnricher.store_chunk).
                genres, rating = list(stored.get("genre_ids") or []), stored.get("user_rating")
                self.store.set_availability_details([RowDetails(title.id, s, genres, rating) for s in filed])

        arrived = tuple(
            s for s in title.source_ids if s not in old_sources and s not in event.baseline_sources
        )
        if arrived:
            changes.changes.append(
                AvailabilityChange(
                    event.header.event_id, title.id, title.title, event.header.timestamp, arrived=arrived
                )
            )
        outcome = EventOutcome.CREATED if existing is None else EventOutcome.UPDATED
        return PlannedEvent(outcome, write, job_id=job_id, makes_pending=pending, title_id=title.id)

    def _left_source(
        self,
        envelope: TitleEvent,
        event: TitleLeftSource,
        cache: dict[str, dict[str, Any]],
        changes: AvailabilityChanges,
    ) -> PlannedEvent:
        job_id = envelope.header.job_id
        existing = cache.get(event.title_id)
        changes.unfile(event.title_id, event.source_id, (existing or {}).get("genre_ids") or ())
        if existing is None:
            return PlannedEvent(EventOutcome.REMOVED_FROM_SOURCE, job_id=job_id, title_id=event.title_id)
        old_sources = [str(s) for s in existing.get("source_ids") or []]
        remaining = [s for s in old_sources if s != event.source_id]
        if event.source_id in old_sources:
            changes.changes.append(
                AvailabilityChange(
                    envelope.header.event_id,
                    event.title_id,
                    existing.get("title"),
                    envelope.header.timestamp,
                    left=(event.source_id,),
                )
            )
        fingerprint = TitleSummary.model_validate(existing | {"source_ids": remaining}).fingerprint()
        cache[event.title_id] = dict(existing) | {"source_ids": remaining, "ingest_hash": fingerprint}

        if not remaining:  # on no source: nobody can find it, and its name stops taking room in the index
            changes.names.append(TitleName(event.title_id, None))
            cache[event.title_id].pop("search_version", None)  # seen again, it is indexed again

        def write() -> None:
            self.store.set_sources(event.title_id, remaining, fingerprint)

        return PlannedEvent(EventOutcome.REMOVED_FROM_SOURCE, write, job_id=job_id, title_id=event.title_id)
