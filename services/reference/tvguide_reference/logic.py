"""Refreshes the reference data (sources and genres) from Watchmode into DynamoDB, what is leaving each
source soon and what is coming to it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from tvguide.departures import (
    NOTICE_DAYS,
    Departure,
    LeavingDatesApi,
    by_source,
    crawl_departures,
    merge_departures,
)
from tvguide.models import Genre, Source
from tvguide.releases import Release, ReleasesApi, crawl_releases
from tvguide.releases import by_source as releases_by_source


class ReferenceCatalogue(Protocol):
    def sources(self, regions: tuple[str, ...] = ..., types: tuple[str, ...] = ...) -> list[Source]: ...
    def genres(self) -> list[Genre]: ...


class ReferenceReplacer(Protocol):
    def stored_counts(self) -> tuple[int, int]: ...
    def replace_sources(self, sources: list[Source]) -> dict[str, int]: ...
    def replace_genres(self, genres: list[Genre]) -> dict[str, int]: ...


# As ingestion judges a crawl: an answer with fewer than this share of what is stored is not believed.
SUSPICIOUS_SHARE = 0.5
SUSPICIOUS_MINIMUM = 10  # rows stored before the share is judged


class EmptyReferenceData(RuntimeError):
    """Watchmode answered with no sources or no genres, or far fewer than are stored: nothing is changed
    (deactivating the rest would turn viewers' saved services into errors), and the job fails (alarm)."""


def refresh_reference(
    catalogue: ReferenceCatalogue,
    store: ReferenceReplacer,
    *,
    regions: tuple[str, ...],
    source_types: tuple[str, ...],
) -> dict[str, int]:
    """Upsert sources (keyed by id) and genres; sources Watchmode no longer lists become inactive."""
    sources = catalogue.sources(regions, source_types)
    genres = catalogue.genres()
    stored_sources, stored_genres = store.stored_counts()
    if (
        not sources
        or not genres
        or _shrunk(len(sources), stored_sources)
        or _shrunk(len(genres), stored_genres)
    ):
        raise EmptyReferenceData(
            f"Watchmode returned {len(sources)} sources and {len(genres)} genres (stored: {stored_sources} "
            f"active sources, {stored_genres} genres); nothing was changed"
        )
    return store.replace_sources(sources) | store.replace_genres(genres)


def _shrunk(answered: int, stored: int) -> bool:
    return stored >= SUSPICIOUS_MINIMUM and answered < stored * SUSPICIOUS_SHARE


# --- leaving soon --------------------------------------------------------------------------------------


class DepartureStore(Protocol):
    def all(self) -> dict[str, list[Departure]]: ...
    def replace(self, source_id: str, departures: list[Departure], *, crawled_at: str) -> None: ...
    def notice(self, departure: Departure, *, now: str) -> bool: ...


def refresh_departures(
    api: LeavingDatesApi, store: DepartureStore, *, today: date, now: str, region: str = "GB"
) -> dict[str, int | bool]:
    """Crawl what is leaving GB's sources and keep each source's latest departures (dates move: see
    `tvguide.departures`). Every source with departures is written (it says when they were last seen: a
    few dozen items a day); a source whose departures are all gone has its item removed. A departure
    within NOTICE_DAYS gets its notice (its watchers' alert) once."""
    crawl = crawl_departures(api, today, region)
    stored = store.all()
    listed = by_source(crawl.departures)
    written = noticed = 0
    notice_until = (today + timedelta(days=NOTICE_DAYS)).isoformat()
    for source_id in sorted(stored.keys() | listed.keys()):
        before = stored.get(source_id, [])
        after = merge_departures(
            before, listed.get(source_id, []), seen_until=crawl.seen_until, today=today.isoformat(), now=now
        )
        for index, departure in enumerate(after):
            if not departure.noticed and departure.date <= notice_until:
                noticed += store.notice(departure, now=now)
                after[index] = departure.model_copy(update={"noticed": True})
        if after or before:
            store.replace(source_id, after, crawled_at=now)
            written += 1
    return {
        "departures": len(crawl.departures),
        "departures_unreadable": crawl.unreadable,
        "departure_sources_written": written,
        "departures_preview_only": crawl.preview,
        "departure_pages": crawl.pages,
        "departure_notices": noticed,
    }


# --- coming soon ---------------------------------------------------------------------------------------


class ReleaseStore(Protocol):
    def sources(self) -> set[str]: ...
    def replace(self, source_id: str, releases: list[Release], *, crawled_at: str) -> None: ...


def refresh_releases(
    api: ReleasesApi, store: ReleaseStore, *, today: date, now: str, region: str = "GB"
) -> dict[str, int]:
    """What arrives on GB's sources in the next weeks: each source's releases replaced by the crawl's
    (which sees the whole window); a source with none left has its item removed."""
    found, unreadable = crawl_releases(api, today, region)
    listed = releases_by_source(found)
    for source_id in sorted(store.sources() | listed.keys()):
        store.replace(source_id, listed.get(source_id, []), crawled_at=now)
    return {"releases": len(found), "releases_unreadable": unreadable, "release_sources": len(listed)}
