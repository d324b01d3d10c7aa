"""Finding titles beyond the viewer's feed, independent of HTTP: search (words and prefixes, any case or
accent, best matches first), what arrived on or left the viewer's sources lately, and what is leaving them
soon."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tvguide.departures import Departure
from tvguide.errors import InvalidRequest
from tvguide.releases import Release
from tvguide.search import MIN_WORD, fold

MAX_QUERY_WORDS = 6


class WordIndex(Protocol):
    def matches(self, term: str) -> list[dict[str, Any]]: ...


def query_terms(q: str) -> list[str]:
    """The folded words of a query (400 when none is long enough to search)."""
    terms = [t for t in dict.fromkeys(fold(q).split()) if len(t) >= MIN_WORD][:MAX_QUERY_WORDS]
    if not terms:
        raise InvalidRequest(f"type at least {MIN_WORD} letters or digits of a title's name")
    return terms


@dataclass(frozen=True)
class Match:
    title_id: str
    score: int
    folded_title: str


def rank(terms: list[str], index: WordIndex, limit: int) -> list[Match]:
    """Titles with a word starting with every term, best first: whole-word matches count double, a name
    that is the query or starts with it ranks higher, then shorter names, then by name."""
    per_title: dict[str, dict[str, int]] = {}
    folded: dict[str, str] = {}
    for term in terms:
        for item in index.matches(term):
            title_id = item["title_id"]
            folded[title_id] = item["folded_title"]
            points = 2 if item["word"] == term else 1
            seen = per_title.setdefault(title_id, {})
            seen[term] = max(seen.get(term, 0), points)
    phrase = " ".join(terms)
    matches = []
    for title_id, seen in per_title.items():
        if len(seen) < len(terms):
            continue
        name = folded[title_id]
        score = sum(seen.values()) + (4 if name == phrase else 2 if name.startswith(phrase) else 0)
        matches.append(Match(title_id, score, name))
    return heapq.nsmallest(limit, matches, key=lambda m: (-m.score, len(m.folded_title), m.folded_title))


def per_title[T: (Departure, Release)](found: Iterable[T], *, limit: int) -> list[tuple[str, list[T]]]:
    """The viewer's sources' departures or releases (soonest first) as one entry per title: its own,
    soonest first, at most `limit` titles."""
    by_title: dict[str, list[T]] = {}
    for one in found:
        if one.title_id in by_title or len(by_title) < limit:
            by_title.setdefault(one.title_id, []).append(one)
    return list(by_title.items())


def departure_view(departure: Departure, source_names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "source_id": departure.source_id,
        "source_name": source_names.get(departure.source_id, departure.source_id),
        "date": departure.date,
        "season": departure.season,
        "seen_at": departure.seen_at or None,
        "previous_date": departure.previous_date,
    }


def release_view(release: Release, source_names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "source_id": release.source_id,
        "source_name": source_names.get(release.source_id, release.source_id),
        "date": release.date,
        "season": release.season,
        "original": release.original,
    }
