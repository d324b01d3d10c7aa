"""What ingestion's two functions do, free of Lambda: the titles refresh (which sources are due, the cursor
a refresh carries from one invocation to the next, what each crawl records) and the crawl of new demand.
The crawl itself is `logic.run_ingestion`, reached through a `Crawler` (the adapters bound: `wiring.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from tvguide.crawls import coverage
from tvguide.models import Demand, Preferences
from tvguide_ingestion.logic import IngestionReport, NewDemand, compute_demand, stale_demands


class Crawler(Protocol):
    """Crawls demands and publishes what it found (`logic.run_ingestion` with its adapters bound). A source
    that fails is in the report's `sources_failed`; it is never raised."""

    def __call__(
        self,
        demands: list[Demand],
        *,
        cause: str,
        correlation_id: str,
        baseline: Iterable[str],
        audience: Iterable[Preferences],
        remove_missing: bool = True,
        should_stop: Callable[[int], bool] | None = None,
    ) -> IngestionReport: ...


class CrawlStateStore(Protocol):
    def all(self) -> dict[str, dict[str, Any]]: ...

    def record(
        self,
        source_id: str,
        *,
        refreshed: bool,
        error: str | None,
        now: str,
        genre_ids: tuple[str, ...] | None = None,
    ) -> None: ...

    def add_genres(self, source_id: str, genre_ids: tuple[str, ...], *, now: str) -> None: ...


class CrawlCursor(BaseModel):
    """What a titles refresh still has to crawl, carried from one invocation to the next."""

    demands: list[Demand]
    baseline: list[str] = []
    failed: dict[str, str] = {}  # sources that failed in earlier invocations: the job fails at the end
    invocation: int = 1


@dataclass
class RefreshStep:
    """One invocation's share of a titles refresh."""

    report: IngestionReport
    counters: dict[str, int]  # the job's progress this invocation adds
    following: CrawlCursor | None  # what a fresh invocation continues with; None once every source is done
    failed: dict[str, str]  # every source that failed so far (the job fails once nothing is left)


@dataclass
class TitlesRefresh:
    """The scheduled (or admin-started) crawl of every wanted source, or of those due."""

    active_sources: Callable[[], set[str]]
    crawl_states: CrawlStateStore
    crawl: Crawler
    refresh_hours: float
    now: Callable[[], datetime]

    def wanted_now(self, viewers: Iterable[Preferences], *, scheduled: bool) -> list[Demand]:
        """Every wanted source, or — for a scheduled run — only those due: not refreshed within
        `refresh_hours`, or whose last attempt failed (retried with backoff)."""
        demands = compute_demand(viewers, self.active_sources())
        if not scheduled:
            return demands
        return stale_demands(demands, self.crawl_states.all(), self.now(), self.refresh_hours)

    def first_cursor(self, viewers: list[Preferences], *, scheduled: bool) -> CrawlCursor:
        demands = self.wanted_now(viewers, scheduled=scheduled)
        states = self.crawl_states.all()
        # Sources crawled for the first time (or for genres newly wanted): what is on them is not news.
        baseline = [
            d.source_id
            for d in demands
            if not coverage(states.get(d.source_id), set(d.genre_ids) or None).covered
        ]
        return CrawlCursor(demands=demands, baseline=baseline)

    def step(
        self,
        cursor: CrawlCursor,
        viewers: list[Preferences],
        *,
        cause: str,
        correlation_id: str,
        should_stop: Callable[[int], bool],
    ) -> RefreshStep:
        """Crawl the cursor's sources until `should_stop` says this invocation has done its share; record
        each crawl's outcome on its source; say what a following invocation has left."""
        report = self.crawl(
            cursor.demands,
            cause=cause,
            correlation_id=correlation_id,
            baseline=cursor.baseline,
            audience=viewers,
            should_stop=should_stop,
        )
        self.record(report, cursor.demands)
        counters = {
            "sources_requested": len(cursor.demands) if cursor.invocation == 1 else 0,
            "sources_complete": report.sources_complete,
            "sources_failed": len(report.sources_failed),
            "titles_published": report.titles_published,
            "events_published": report.titles_published + report.removals_published,
        }
        failed = cursor.failed | report.sources_failed
        following = None
        if report.sources_left:
            following = CrawlCursor(
                demands=report.sources_left,
                baseline=cursor.baseline,
                failed=failed,
                invocation=cursor.invocation + 1,
            )
        return RefreshStep(report=report, counters=counters, following=following, failed=failed)

    def record(self, report: IngestionReport, demands: list[Demand]) -> None:
        now = self.now().isoformat(timespec="seconds")
        genres = {d.source_id: d.genre_ids for d in demands}
        for source_id in report.sources_refreshed:
            self.crawl_states.record(
                source_id, refreshed=True, error=None, now=now, genre_ids=genres[source_id]
            )
        for source_id, error in report.sources_failed.items():
            self.crawl_states.record(source_id, refreshed=False, error=error, now=now)


def crawl_new_demand(
    found: list[NewDemand],
    saved: list[Preferences],
    *,
    crawl: Crawler,
    crawl_states: CrawlStateStore,
    cause: str,
    correlation_id: str,
    now: str,
) -> IngestionReport:
    """Crawl just the new demand (nothing is removed by it; all of it is newly wanted, so none of it is
    news) and record what it now covers. A failure is recorded on the source, so the hourly schedule
    retries it."""
    demands = [n.demand for n in found]
    report = crawl(
        demands,
        cause=cause,
        correlation_id=correlation_id,
        baseline=[d.source_id for d in demands],
        audience=saved,
        remove_missing=False,
    )
    for item in found:
        source_id = item.demand.source_id
        if source_id in report.sources_failed:
            crawl_states.record(source_id, refreshed=False, error=report.sources_failed[source_id], now=now)
        elif source_id in report.sources_refreshed:
            if item.extends and item.demand.genre_ids:
                crawl_states.add_genres(source_id, item.demand.genre_ids, now=now)
            else:
                crawl_states.record(
                    source_id, refreshed=True, error=None, now=now, genre_ids=item.demand.genre_ids
                )
    return report
