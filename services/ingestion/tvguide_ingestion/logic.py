"""Fetches the titles viewers' preferences call for and publishes them as title events.

One list-titles query per wanted source (region GB by default, genres = the genres wanted with that source),
in a stable order (by title), paginated to the end or to the configured cap. Each title carries exactly the
sources it was found on. Only a complete crawl (to the end, every row readable) may remove anything: a title
filed under a source that two complete crawls in a row did not list (and that the genre filter would have
returned) is published as `title.left_source`, so the consumer unfiles it; a crawl listing far fewer titles
than are filed removes nothing and is reported as suspicious.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from tvguide.crawls import coverage, wanted_by_source
from tvguide.models import (
    Demand,
    EventHeader,
    EventType,
    Preferences,
    TitleEvent,
    TitleLeftSource,
    TitleSummary,
)
from tvguide.watchmode import TitlePage, WatchmodeAuthError, WatchmodeError, WatchmodeQuotaError

COMPONENT = "ingestion"


class TitleCatalogue(Protocol):
    def iter_titles(
        self, *, source_id: str, max_pages: int, **kwargs: Any
    ) -> Iterator[tuple[TitlePage, bool]]: ...


class AvailabilityReader(Protocol):
    def titles_on_source(self, source_id: str) -> Iterator[dict[str, Any]]: ...


class MissTracker(Protocol):
    def mark_missed(self, source_id: str, title_ids: Iterable[str]) -> dict[str, int]: ...
    def clear_missed(self, source_id: str, title_ids: Iterable[str]) -> int: ...


# A title leaves a source only when this many complete crawls in a row did not list it.
MISSES_BEFORE_REMOVAL = 2
# A complete crawl listing fewer than this share of the titles filed under a source removes nothing.
SUSPICIOUS_CRAWL_SHARE = 0.5
SUSPICIOUS_CRAWL_MINIMUM = 10  # titles filed before the share is judged


class EventPublisher(Protocol):
    def publish(self, events: list[TitleEvent]) -> int: ...


def stale_demands(
    demands: list[Demand],
    states: Mapping[str, Mapping[str, Any]],
    now: datetime,
    refresh_hours: float,
) -> list[Demand]:
    """What a scheduled run crawls: sources never crawled completely, or not within `refresh_hours`, or
    not for every genre now wanted of them, or whose last crawl failed — a failing source is retried after
    1, 2, 4... hours, at most a day, between attempts, whenever its last complete crawl was."""
    due = []
    for demand in demands:
        state = states.get(demand.source_id) or {}
        failures = int(state.get("failures") or 0)
        if failures:
            wait = timedelta(hours=min(2 ** (failures - 1), 24))
            attempted = state.get("last_attempt_at")
            if attempted and now - datetime.fromisoformat(str(attempted)) < wait:
                continue
            due.append(demand)  # its backoff is over: retried, even when a recent crawl was complete
            continue
        last = state.get("last_complete_at")
        wanted = set(demand.genre_ids) if demand.genre_ids else None
        if (
            not last
            or now - datetime.fromisoformat(str(last)) >= timedelta(hours=refresh_hours)
            or not coverage(state, wanted).covered  # wanted genres the last crawls did not cover
        ):
            due.append(demand)
    return due


def compute_demand(preferences: Iterable[Preferences], active_sources: set[str]) -> list[Demand]:
    """Per active source, the union of genres its viewers want. A viewer with no genres wants any genre."""
    return [
        Demand(source_id=sid, genre_ids=tuple(sorted(g, key=int)) if g else ())
        for sid, g in sorted(wanted_by_source(preferences, active_sources).items(), key=lambda kv: int(kv[0]))
    ]


class Audience:
    """How many distinct viewers want any of a title's sources (one bitset of viewers per source): the
    number of viewers' feeds the title can be in, which ranks it for enrichment. A title's genres are not
    known before its details, so a viewer of one of its sources counts whatever genres they chose."""

    def __init__(self, preferences: Iterable[Preferences]) -> None:
        self._viewers: dict[str, int] = {}
        for number, viewer in enumerate(preferences):
            for source_id in viewer.sources:
                self._viewers[str(source_id)] = self._viewers.get(str(source_id), 0) | (1 << number)

    def __call__(self, source_ids: Iterable[str]) -> int:
        viewers = 0
        for source_id in source_ids:
            viewers |= self._viewers.get(str(source_id), 0)
        return viewers.bit_count()


@dataclass(frozen=True)
class NewDemand:
    """Demand nobody had: a source never crawled (`extends` False: the crawl covers all that is wanted of
    it), or genres not yet crawled on a source that was (`extends` True: the crawl adds to its coverage)."""

    demand: Demand
    extends: bool


def new_demands(
    changed: Iterable[Preferences], states: Mapping[str, Mapping[str, Any]], active_sources: set[str]
) -> list[NewDemand]:
    """What the saved preferences ask for that no crawl covers yet: only that is crawled at once. Sources
    whose last attempt failed wait for the schedule's retries (with backoff), as before."""
    found = []
    for source_id, genres in sorted(
        wanted_by_source(changed, active_sources).items(), key=lambda kv: int(kv[0])
    ):
        cover = coverage(states.get(source_id), genres)
        if cover.covered or (cover.failing and not cover.crawled):
            continue
        missing = cover.missing or ()
        found.append(NewDemand(Demand(source_id=source_id, genre_ids=missing), extends=cover.crawled))
    return found


@dataclass
class IngestionReport:
    sources_requested: int = 0
    sources_complete: int = 0
    sources_capped: list[str] = field(default_factory=list)
    sources_refreshed: list[str] = field(default_factory=list)  # crawled to the end or the page cap
    sources_failed: dict[str, str] = field(default_factory=dict)
    pages: int = 0
    titles_found: int = 0
    titles_published: int = 0
    removals_published: int = 0
    removals_deferred: int = 0  # missing from this complete crawl only: removed if the next misses them too
    sources_suspicious: dict[str, str] = field(default_factory=dict)  # far fewer than filed: nothing removed
    sources_left: list[Demand] = field(default_factory=list)  # not crawled by this invocation: continued

    @property
    def succeeded(self) -> bool:
        return not self.sources_failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "succeeded" if self.succeeded else "failed",
            "sources_requested": self.sources_requested,
            "sources_complete": self.sources_complete,
            "sources_capped": self.sources_capped,
            "sources_refreshed": self.sources_refreshed,
            "sources_failed": self.sources_failed,
            "pages": self.pages,
            "titles_found": self.titles_found,
            "titles_published": self.titles_published,
            "removals_published": self.removals_published,
            "removals_deferred": self.removals_deferred,
            "sources_suspicious": self.sources_suspicious,
            "sources_left": [d.source_id for d in self.sources_left],
        }


class IngestionFailed(RuntimeError):
    def __init__(self, report: IngestionReport) -> None:
        super().__init__(f"ingestion could not complete: {report.sources_failed}")
        self.report = report


def run_ingestion(
    demands: list[Demand],
    catalogue: TitleCatalogue,
    availability: AvailabilityReader,
    publisher: EventPublisher,
    *,
    misses: MissTracker,
    cause: str,
    correlation_id: str,
    region: str = "GB",
    max_pages: int = 20,
    page_limit: int = 250,
    remove_missing: bool = True,
    baseline: Iterable[str] = (),
    audience: Callable[[Iterable[str]], int] | None = None,
    should_stop: Callable[[int], bool] | None = None,
) -> IngestionReport:
    """Crawl each demand and publish what was found; with `remove_missing`, also what complete crawls
    no longer list (a crawl of newly wanted demand only adds). Titles found on a `baseline` source (its
    first crawl, or new genres on it) say so, so their being there is not taken for news. Each event says
    how many viewers' feeds its title is in (`audience`: enrichment's priority). Work is bounded: once
    `should_stop(sources crawled so far)` says so (asked before each source after the first), the demands
    not crawled are left in `report.sources_left` for a continuation."""
    baseline = set(baseline)
    report = IngestionReport(sources_requested=len(demands))
    found: dict[str, TitleSummary] = {}
    found_on: dict[str, set[str]] = {}
    complete: list[Demand] = []
    for position, demand in enumerate(demands):
        if position and should_stop is not None and should_stop(position):
            report.sources_left = list(demands[position:])
            break
        ids_here: set[str] = set()
        rejected = 0
        try:
            reached_end = False
            for page, is_last in catalogue.iter_titles(
                source_id=demand.source_id,
                max_pages=max_pages,
                region=region,
                genre_ids=demand.genre_ids,
                limit=page_limit,
            ):
                report.pages += 1
                reached_end = is_last
                rejected += page.rejected
                for title in page.titles:
                    ids_here.add(title.id)
                    previous = found.get(title.id)
                    sources = set(previous.source_ids if previous else ()) | {demand.source_id}
                    found[title.id] = title.model_copy(update={"source_ids": tuple(sorted(sources, key=int))})
        except (WatchmodeAuthError, WatchmodeQuotaError) as exc:
            report.sources_failed[demand.source_id] = str(exc)
            break  # every later call would fail the same way
        except WatchmodeError as exc:
            report.sources_failed[demand.source_id] = str(exc)
            continue
        found_on[demand.source_id] = ids_here
        report.sources_refreshed.append(demand.source_id)
        if reached_end and not rejected:
            complete.append(demand)
        else:
            report.sources_capped.append(demand.source_id)
    report.sources_complete = len(complete)
    report.titles_found = len(found)

    def header(event_type: EventType) -> EventHeader:
        return EventHeader(
            event_type=event_type, component=COMPONENT, cause=cause, correlation_id=correlation_id
        )

    events = [
        TitleEvent(
            header=header(EventType.TITLE_SEEN),
            payload=t,
            baseline_sources=tuple(s for s in t.source_ids if s in baseline),
            audience=audience(t.source_ids) if audience else 0,
        )
        for t in found.values()
    ]
    report.titles_published = publisher.publish(events)

    removals = []
    for demand in complete if remove_missing else []:
        wanted = set(demand.genre_ids)
        # Only a title the query would have returned can be said to have left the source.
        filed = [
            row
            for row in availability.titles_on_source(demand.source_id)
            if not wanted or {str(g) for g in row.get("genre_ids") or []} & wanted
        ]
        seen_here = found_on[demand.source_id]
        if len(filed) >= SUSPICIOUS_CRAWL_MINIMUM and len(seen_here) < SUSPICIOUS_CRAWL_SHARE * len(filed):
            report.sources_suspicious[demand.source_id] = f"{len(seen_here)} listed, {len(filed)} filed"
            continue
        missing = [str(row["title_id"]) for row in filed if str(row["title_id"]) not in seen_here]
        back = [
            str(row["title_id"])
            for row in filed
            if row.get("missed_crawls") and str(row["title_id"]) in seen_here
        ]
        if back:
            misses.clear_missed(demand.source_id, back)
        for title_id, count in misses.mark_missed(demand.source_id, missing).items():
            if count < MISSES_BEFORE_REMOVAL:
                report.removals_deferred += 1
                continue
            removals.append(
                TitleEvent(
                    header=header(EventType.TITLE_LEFT_SOURCE),
                    payload=TitleLeftSource(title_id=title_id, source_id=demand.source_id),
                )
            )
    report.removals_published = publisher.publish(removals) if removals else 0
    if not report.succeeded:
        raise IngestionFailed(report)
    return report
