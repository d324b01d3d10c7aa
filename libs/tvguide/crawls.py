"""What has been crawled: one crawl-state row per source in the `CRAWLS` partition (written by ingestion).

A row says when the source was last crawled completely (`last_complete_at`), for which genres
(`all_genres`, or the string set `genre_ids`), and why its last attempt failed (`failures`, `last_error`).
Ingestion reads it to crawl only what is due or newly wanted; the viewer API reads it to tell a viewer their
titles are still being fetched; the admin summary lists the failing sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.repositories import TableRepository

CRAWLS_KEY = "CRAWLS"


def crawl_key(source_id: str) -> dict[str, str]:
    return {"pk": CRAWLS_KEY, "sk": f"SOURCE#{source_id}"}


class CrawlStateReader(TableRepository):
    def all(self) -> dict[str, dict[str, Any]]:
        """Every source's crawl state by source id (one Query of a partition of a few hundred rows)."""
        rows = self._query_all(KeyConditionExpression=Key("pk").eq(CRAWLS_KEY))
        return {str(row["source_id"]): row for row in rows}


@dataclass(frozen=True)
class Coverage:
    """How far a source's crawls cover what is wanted of it: `missing` is None when nothing is missing,
    an empty tuple when every genre is wanted and not yet crawled, else the genre ids not yet crawled."""

    crawled: bool  # crawled completely at least once
    failing: bool  # the last attempt failed
    missing: tuple[str, ...] | None

    @property
    def covered(self) -> bool:
        return self.crawled and self.missing is None


def coverage(state: Mapping[str, Any] | None, wanted_genres: Iterable[str] | None) -> Coverage:
    """Compare a source's crawl state with the genres wanted on it (None: every genre)."""
    state = state or {}
    crawled = bool(state.get("last_complete_at"))
    failing = bool(int(state.get("failures") or 0))
    if not crawled:
        return Coverage(
            False, failing, () if wanted_genres is None else tuple(sorted(wanted_genres, key=int))
        )
    if state.get("all_genres") or ("all_genres" not in state and "genre_ids" not in state):
        return Coverage(True, failing, None)  # every genre (rows older than genre tracking were full crawls)
    if wanted_genres is None:
        return Coverage(True, failing, ())
    done = {str(g) for g in state.get("genre_ids") or ()}
    missing = tuple(sorted({str(g) for g in wanted_genres} - done, key=int))
    return Coverage(True, failing, missing or None)


def wanted_by_source(preferences: Iterable[Any], active_sources: set[str]) -> dict[str, set[str] | None]:
    """Per active source, the union of the genres its viewers want (None: some viewer wants every genre)."""
    genres: dict[str, set[str] | None] = {}
    for prefs in preferences:
        for source_id in prefs.sources:
            if source_id not in active_sources:
                continue
            current = genres.get(source_id, set())
            if not prefs.genres or current is None:
                genres[source_id] = None
            else:
                genres[source_id] = current | set(prefs.genres)
    return genres
