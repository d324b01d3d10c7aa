"""What the viewer API answers, independent of HTTP: preference validation and title queries.

Titles come from the availability index: one Query per selected source returns that source's rows (title id,
genres, type, title, rating), which are filtered, de-duplicated and sorted here; only the requested page of
title records is then read, with one BatchGetItem. So a request costs (selected sources + 1) DynamoDB calls
(+2 for reference data, cached per container).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tvguide.api import InvalidRequest  # answered 400 by tvguide.api
from tvguide.crawls import coverage, wanted_by_source
from tvguide.models import Genre, Preferences, Source

MAX_SELECTED = 50
RECOMMENDATION_THRESHOLD = 7.0
Sort = Literal["title", "rating", "year"]


class ReferenceReader(Protocol):
    def list_sources(self, include_inactive: bool = False) -> list[Source]: ...
    def list_genres(self) -> list[Genre]: ...


class AvailabilityStore(Protocol):
    def titles_on_source(self, source_id: str, fields: Iterable[str] = ()) -> Iterator[dict[str, Any]]: ...
    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...


@dataclass
class ReferenceCache:
    """Sources and genres, read at most once per `ttl_seconds` per container."""

    store: ReferenceReader
    ttl_seconds: float = 300
    clock: Callable[[], float] = time.monotonic
    _loaded_at: float = field(default=-1e18, init=False)
    _sources: dict[str, Source] = field(default_factory=dict, init=False)
    _genres: dict[str, Genre] = field(default_factory=dict, init=False)

    def _refresh(self) -> None:
        if self.clock() - self._loaded_at > self.ttl_seconds:
            self._sources = {s.id: s for s in self.store.list_sources()}
            self._genres = {g.id: g for g in self.store.list_genres()}
            self._loaded_at = self.clock()

    @property
    def sources(self) -> dict[str, Source]:
        """Active sources by id, in display order."""
        self._refresh()
        return self._sources

    @property
    def genres(self) -> dict[str, Genre]:
        self._refresh()
        return self._genres


def validate_preferences(preferences: Preferences, reference: ReferenceCache) -> Preferences:
    """Check every id is a known (active) source or genre; return them de-duplicated, in the order given."""
    sources = tuple(dict.fromkeys(preferences.sources))
    genres = tuple(dict.fromkeys(preferences.genres))
    problems = []
    unknown_sources = [s for s in sources if s not in reference.sources]
    unknown_genres = [g for g in genres if g not in reference.genres]
    if unknown_sources:
        problems.append(f"unknown source id(s): {', '.join(unknown_sources)}")
    if unknown_genres:
        problems.append(f"unknown genre id(s): {', '.join(unknown_genres)}")
    if problems:
        raise InvalidRequest("; ".join(problems))
    return Preferences(sources=sources, genres=genres)


@dataclass(frozen=True)
class TitleQuery:
    sources: tuple[str, ...]
    genres: tuple[str, ...]  # empty: any genre
    types: tuple[str, ...] = ()
    min_rating_exclusive: float | None = None
    sort: Sort = "title"
    limit: int = 50

    def fingerprint(self) -> str:
        data = json.dumps([self.sources, self.genres, self.types, self.min_rating_exclusive, self.sort])
        return hashlib.sha256(data.encode()).hexdigest()[:12]


def build_query(
    preferences: Preferences,
    reference: ReferenceCache,
    *,
    source: str | None = None,
    genre: str | None = None,
    title_type: str | None = None,
    recommendations: bool = False,
    sort: Sort | None = None,
    limit: int = 50,
) -> TitleQuery:
    """The viewer's active sources and genres, narrowed by the optional filters (which must be among them)."""
    sources = tuple(s for s in preferences.sources if s in reference.sources)
    genres = tuple(preferences.genres)
    if source is not None:
        if source not in preferences.sources:
            raise InvalidRequest(f"source {source} is not among your sources")
        sources = tuple(s for s in sources if s == source)
    if genre is not None:
        if genres and genre not in genres:
            raise InvalidRequest(f"genre {genre} is not among your genres")
        genres = (genre,)
    return TitleQuery(
        sources=sources,
        genres=genres,
        types=(title_type,) if title_type else (),
        min_rating_exclusive=RECOMMENDATION_THRESHOLD if recommendations else None,
        sort=sort or ("rating" if recommendations else "title"),
        limit=limit,
    )


MAX_CURSOR_OFFSET = 10_000_000


def encode_cursor(offset: int, query: TitleQuery) -> str:
    raw = json.dumps({"o": offset, "q": query.fingerprint()}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, query: TitleQuery) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        raw_offset = data["o"]
        fingerprint = str(data["q"])
        # An offset is a plain, bounded integer: not a float (1e999 overflows), a bool or a huge number.
        if not isinstance(raw_offset, int) or isinstance(raw_offset, bool) or raw_offset > MAX_CURSOR_OFFSET:
            raise ValueError("offset")
        offset = raw_offset
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise InvalidRequest("cursor is not valid") from exc
    if fingerprint != query.fingerprint() or offset < 0:
        raise InvalidRequest("cursor does not belong to this query (filters changed?)")
    return offset


@dataclass(frozen=True)
class TitleResults:
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None


def _sort_key(sort: Sort) -> Callable[[Mapping[str, Any]], Any]:
    if sort == "rating":
        return lambda r: (-(r.get("user_rating") or -1), str(r.get("title") or "").casefold(), r["title_id"])
    if sort == "year":
        return lambda r: (-(r.get("year") or 0), str(r.get("title") or "").casefold(), r["title_id"])
    return lambda r: (str(r.get("title") or "").casefold(), r["title_id"])


ROW_FIELDS = ("title_id", "genre_ids", "type", "title", "year", "user_rating")
_query_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="source-query")


@dataclass
class TitleFinder:
    store: AvailabilityStore
    reference: ReferenceCache

    def rows_by_source(self, sources: tuple[str, ...]) -> list[list[dict[str, Any]]]:
        """One Query per source, run side by side (the store is thread-safe), in the sources' order."""

        def rows(source_id: str) -> list[dict[str, Any]]:
            return list(self.store.titles_on_source(source_id, ROW_FIELDS))

        if len(sources) <= 1:
            return [rows(s) for s in sources]
        return list(_query_pool.map(rows, sources))

    def find(self, query: TitleQuery, cursor: str | None = None) -> TitleResults:
        offset = decode_cursor(cursor, query)
        wanted_genres = set(query.genres)
        matches: dict[str, dict[str, Any]] = {}
        for source_rows in self.rows_by_source(query.sources):
            for row in source_rows:
                genres = {str(g) for g in row.get("genre_ids") or []}
                if wanted_genres and not genres & wanted_genres:
                    continue
                if query.types and row.get("type") not in query.types:
                    continue
                rating = row.get("user_rating")
                if query.min_rating_exclusive is not None and (
                    rating is None or rating <= query.min_rating_exclusive
                ):
                    continue
                matches.setdefault(str(row["title_id"]), row)
        ordered = sorted(matches.values(), key=_sort_key(query.sort))
        page = ordered[offset : offset + query.limit]
        records = self.store.get_many(str(r["title_id"]) for r in page)
        items = [self.view(records[str(r["title_id"])]) for r in page if str(r["title_id"]) in records]
        end = offset + query.limit
        return TitleResults(
            items=items,
            total=len(ordered),
            next_cursor=encode_cursor(end, query) if end < len(ordered) else None,
        )

    def view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """What a viewer sees of a title: ids as strings, names beside ids, absent fields as null."""
        sources = self.reference.sources
        genres = self.reference.genres
        source_ids = [str(s) for s in record.get("source_ids") or [] if str(s) in sources]
        genre_ids = [str(g) for g in record.get("genre_ids") or []]
        return {
            "id": str(record["id"]),
            "title": record.get("title"),
            "year": record.get("year"),
            "type": record.get("type"),
            "plot_overview": record.get("plot_overview"),
            "poster": record.get("poster"),
            "user_rating": record.get("user_rating"),
            "critic_score": record.get("critic_score"),
            "runtime_minutes": record.get("runtime_minutes"),
            "release_date": record.get("release_date"),
            "trailer": record.get("trailer"),
            "source_ids": source_ids,
            "source_names": [sources[s].name for s in source_ids],
            "genre_ids": genre_ids,
            "genre_names": [genres[g].name if g in genres else g for g in genre_ids],
        }


def where_to_watch(title: Mapping[str, Any], mine: set[str]) -> dict[str, Any]:
    """A title view's sources split into the viewer's and the others, each {"id", "name"}."""
    sources = list(zip(title["source_ids"], title["source_names"], strict=True))
    yours = [{"id": s, "name": n} for s, n in sources if s in mine]
    return {
        "streamable": bool(yours),
        "on_your_sources": yours,
        "elsewhere": [{"id": s, "name": n} for s, n in sources if s not in mine],
    }


def watchlist_view(
    entries: list[dict[str, Any]],
    titles: Mapping[str, Mapping[str, Any]],
    finder: TitleFinder,
    mine: set[str],
) -> list[dict[str, Any]]:
    """Each watchlisted title with where it can be watched: `streamable` when one of the viewer's own
    sources has it now, `on_your_sources` naming those, `elsewhere` the other sources it is on."""
    view = []
    for entry in entries:
        record = titles.get(str(entry["title_id"]))
        if record is None:
            continue  # no longer known to the product
        title = finder.view(record)
        view.append(title | {"added_at": entry.get("added_at")} | where_to_watch(title, mine))
    return view


def fetch_status(
    prefs: Preferences, states: Mapping[str, Mapping[str, Any]], reference: ReferenceCache
) -> dict[str, Any]:
    """Whether the viewer's titles are all fetched: sources (or genres on them) no crawl has covered yet
    are `fetching` (crawled at once after preferences are saved), those whose last crawl failed are
    `failing` (retried hourly)."""
    wanted = wanted_by_source([prefs], set(reference.sources))
    fetching: list[str] = []
    failing: list[str] = []
    for source_id, genres in wanted.items():
        cover = coverage(states.get(source_id), genres)
        if cover.covered:
            continue
        (failing if cover.failing else fetching).append(source_id)
    return {"fetching": fetching, "failing": failing, "ready": not fetching and not failing}


def alerts_view(alerts: list[dict[str, Any]], sources: Mapping[str, Source]) -> list[dict[str, Any]]:
    """Alerts as the site shows them: the sources named, read or not."""

    def named(ids: Iterable[str]) -> list[dict[str, str]]:
        return [{"id": str(s), "name": sources[str(s)].name if str(s) in sources else str(s)} for s in ids]

    return [
        {
            "id": str(a["alert_id"]),
            "title_id": str(a["title_id"]),
            "title": a.get("title"),
            "arrived": named(a.get("arrived") or ()),
            "left": named(a.get("left") or ()),
            "at": a.get("at"),
            "read": bool(a.get("read_at")),
            "emailed": bool(a.get("emailed_at")),
        }
        for a in alerts
    ]
