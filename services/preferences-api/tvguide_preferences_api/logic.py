"""What the viewer API answers, independent of HTTP: preference validation and title queries.

Titles come from the feed index (`tvguide.feed`): one feed per selected source x genre (or per source when
any genre will do), in the requested order, read a little at a time and merged (`tvguide.feed.merge`): first
from the feeds' heads (one BatchGetItem for all of them), then, for a feed the page reads past its head,
with Queries; only the page's title records are then read, with one more BatchGetItem. A page costs about
the entries it shows plus a few per feed, whatever the catalogue's size. `X-Total-Count` is sent when it is
exact: on the last page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tvguide.crawls import coverage, wanted_by_source
from tvguide.errors import InvalidRequest  # answered 400 by tvguide.api
from tvguide.feed import ANY_GENRE, Order, feed_pk
from tvguide.feed.entries import RECOMMENDED_BELOW
from tvguide.feed.merge import FeedStore, merge_page
from tvguide.models import Genre, Preferences, Source
from tvguide.offers import best_way, ranked_offers, stored_offers

MAX_SELECTED = 50
RECOMMENDATION_THRESHOLD = 7.0
# The most feeds one page merges: past it (a viewer with many sources and many genres), each source's
# any-genre feed is read and its titles filtered by genre, so a page's reads stay bounded by the sources.
MAX_FEEDS_PER_PAGE = 60
MAX_FILTER_ROUNDS = 3  # merges a filtered page may take to fill itself (then it ends short, with a cursor)
Sort = Literal["title", "rating", "year"]
# How a viewer can watch what a page lists, by the kind of each of their sources (Watchmode's source types):
# included with a subscription (or a TV licence's "TV everywhere"), free, or to rent or buy.
How = Literal["included", "free", "included_or_free", "rent_or_buy", "any"]
SOURCE_TYPES_BY_HOW: dict[str, frozenset[str]] = {
    "included": frozenset({"sub", "tve"}),
    "free": frozenset({"free"}),
    "included_or_free": frozenset({"sub", "tve", "free"}),
    "rent_or_buy": frozenset({"purchase"}),
}


class ReferenceReader(Protocol):
    def list_sources(self, include_inactive: bool = False) -> list[Source]: ...
    def list_genres(self) -> list[Genre]: ...


class AvailabilityStore(Protocol):
    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...


class FeedReader(FeedStore, Protocol):
    @property
    def reads(self) -> Any: ...  # HeadReads: head items read, heads rebuilt, entries queried


class FeedIndexReader(Protocol):
    def reader(self, order: Order, types: tuple[str, ...] = (), feeds: Iterable[str] = ()) -> FeedReader: ...


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

    @property
    def filters_genres(self) -> bool:
        """Whether the page reads the sources' any-genre feeds and keeps the titles of its genres (too many
        source x genre feeds to merge)."""
        return bool(self.genres) and len(self.sources) * len(self.genres) > MAX_FEEDS_PER_PAGE

    def feed_pks(self) -> list[str]:
        """The feeds to merge: each source with each genre, or each source's any-genre feed."""
        genres = self.genres if self.genres and not self.filters_genres else (ANY_GENRE,)
        return [feed_pk(s, g) for s in self.sources for g in genres]


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
    how: How = "any",
) -> TitleQuery:
    """The viewer's active sources and genres, narrowed by the optional filters (which must be among them).
    `how` keeps the sources that offer their titles that way (a source of unknown type counts as included)."""
    known = reference.sources
    sources = tuple(s for s in preferences.sources if s in known)
    if how != "any":
        kinds = SOURCE_TYPES_BY_HOW[how]
        sources = tuple(s for s in sources if (known[s].type or "sub") in kinds)
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


MAX_CURSOR_SHOWN = 10_000_000
MAX_CURSOR_KEY = 300


def encode_cursor(last_key: str, shown: int, query: TitleQuery) -> str:
    raw = json.dumps({"k": last_key, "n": shown, "q": query.fingerprint()}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, query: TitleQuery) -> tuple[str | None, int]:
    """(the key the next page starts after, titles shown before it); (None, 0) for the first page."""
    if not cursor:
        return None, 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key, shown, fingerprint = data["k"], data["n"], str(data["q"])
        # A plain, bounded integer (not a float such as 1e999, a bool or a huge number) and a short string.
        if not isinstance(shown, int) or isinstance(shown, bool) or not 0 <= shown <= MAX_CURSOR_SHOWN:
            raise ValueError("shown")
        if not isinstance(key, str) or not 0 < len(key) <= MAX_CURSOR_KEY:
            raise ValueError("key")
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise InvalidRequest("cursor is not valid") from exc
    if fingerprint != query.fingerprint():
        raise InvalidRequest("cursor does not belong to this query (filters changed?)")
    return key, shown


@dataclass(frozen=True)
class TitleResults:
    items: list[dict[str, Any]]
    total: int | None  # exact, known on the last page only
    next_cursor: str | None
    entries_read: int = 0  # feed entries the merge took from heads and Queries (the read path's cost)
    items_read: int = 0  # DynamoDB items read: feed heads, entries queried, title records
    heads_rebuilt: int = 0


_query_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="feed-query")


def _side_by_side(jobs: list[Callable[[], None]]) -> None:
    for future in [_query_pool.submit(job) for job in jobs]:
        future.result()


@dataclass
class TitleFinder:
    store: AvailabilityStore
    reference: ReferenceCache
    feed: FeedIndexReader | None = None

    def find(self, query: TitleQuery, cursor: str | None = None) -> TitleResults:
        after, shown = decode_cursor(cursor, query)
        if self.feed is None:
            raise RuntimeError("TitleFinder.find needs the feed index")
        feeds = query.feed_pks()
        if not feeds:  # no source of the viewer's offers its titles the way asked for
            return TitleResults(items=[], total=0, next_cursor=None)
        reader = self.feed.reader(query.sort, query.types, feeds)
        wanted = set(query.sources)
        genres = set(query.genres) if query.filters_genres else None

        def listed(record: Mapping[str, Any]) -> bool:
            """A feed entry whose title no longer lists the source (a row unfiled a moment ago) is skipped;
            read from any-genre feeds, a title of none of the query's genres too."""
            if not wanted & {str(s) for s in record.get("source_ids") or []}:
                return False
            return genres is None or bool(genres & {str(g) for g in record.get("genre_ids") or []})

        items: list[dict[str, Any]] = []
        merged_ids = entries_read = 0
        for _ in range(MAX_FILTER_ROUNDS if genres is not None else 1):  # filtering: fill the page
            merged = merge_page(
                reader,
                feeds,
                after=after,
                limit=query.limit - len(items),
                stop_at=RECOMMENDED_BELOW if query.min_rating_exclusive is not None else None,
                fetch_all=_side_by_side,
            )
            records = self.store.get_many(merged.title_ids)
            items += [
                self.view(records[t], wanted) for t in merged.title_ids if t in records and listed(records[t])
            ]
            merged_ids += len(merged.title_ids)
            entries_read += merged.entries_read
            after = merged.last_key or after
            if len(items) >= query.limit or not merged.more:
                break
        shown_now = shown + (len(items) if genres is not None else merged_ids)
        return TitleResults(
            items=items,
            total=None if merged.more else shown_now,
            next_cursor=encode_cursor(merged.last_key, shown_now, query)
            if merged.more and merged.last_key
            else None,
            entries_read=entries_read,
            items_read=reader.reads.items + reader.reads.entries + merged_ids,
            heads_rebuilt=reader.reads.rebuilt,
        )

    def view(self, record: Mapping[str, Any], mine: Iterable[str] = ()) -> dict[str, Any]:
        """What a viewer (whose sources are `mine`) sees of a title: ids as strings, names beside ids,
        absent fields as null, and where to watch it (`offers`, best first; `watch`, the best in words)."""
        sources = self.reference.sources
        genres = self.reference.genres
        source_ids = [str(s) for s in record.get("source_ids") or [] if str(s) in sources]
        genre_ids = [str(g) for g in record.get("genre_ids") or []]
        offers = ranked_offers(stored_offers(record), mine, {i: s.name for i, s in sources.items()})
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
            "offers": offers,
            "watch": best_way(offers),
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
        if record is None and not entry.get("title"):
            continue  # no longer known to the product
        # An imported title the guide does not know yet (on none of the UK services it follows): its name
        # from the import; it alerts its watcher when it arrives on one of their services.
        title = finder.view(record or _unknown_title(entry), mine)
        view.append(title | {"added_at": entry.get("added_at")} | where_to_watch(title, mine))
    return view


def _unknown_title(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": str(entry["title_id"]), "title": entry.get("title"), "year": entry.get("year")}


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
            "leaving": named(a.get("leaving") or ()),
            "leaving_on": a.get("leaving_on"),
            "at": a.get("at"),
            "read": bool(a.get("read_at")),
            "emailed": bool(a.get("emailed_at")),
        }
        for a in alerts
    ]
