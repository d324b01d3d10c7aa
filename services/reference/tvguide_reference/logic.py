"""Refreshes the reference data (sources and genres) from Watchmode into DynamoDB."""

from __future__ import annotations

from typing import Protocol

from tvguide.models import Genre, Source


class ReferenceCatalogue(Protocol):
    def sources(self, regions: tuple[str, ...] = ..., types: tuple[str, ...] = ...) -> list[Source]: ...
    def genres(self) -> list[Genre]: ...


class ReferenceReplacer(Protocol):
    def replace_sources(self, sources: list[Source]) -> dict[str, int]: ...
    def replace_genres(self, genres: list[Genre]) -> dict[str, int]: ...


class EmptyReferenceData(RuntimeError):
    """Watchmode answered with no sources or no genres: refuse to deactivate everything."""


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
    if not sources or not genres:
        raise EmptyReferenceData(
            f"Watchmode returned {len(sources)} sources and {len(genres)} genres; nothing was changed"
        )
    return store.replace_sources(sources) | store.replace_genres(genres)
