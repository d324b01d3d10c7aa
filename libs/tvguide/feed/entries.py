"""The viewers' feed index: titles per source and genre, in every display order, so a page costs the same
whatever the catalogue's size.

| item | pk | sk | sort keys of gsi `feed_title`, `feed_rating`, `feed_year` |
|---|---|---|---|
| feed entry | `FEED#<source id>#<genre id or *>` | `TITLE#<title id>` | `by_title`, `by_rating`, `by_year` |

Every availability row (a title on a source) has one entry under `FEED#<source>#*` (any genre) and one
under each of its genres. The three indexes share the table's `pk` as their partition key and keep only the
title id and type, so "titles on this source in this genre, by rating" is a Query that reads exactly the
entries it returns, in order. Sort keys are strings that sort in display order: by name (case, accents and
punctuation ignored), rating best first then unrated, year newest first then unknown; the title id ends
each, so a key is unique per title and equal in every feed the title is in.

The entries are derived from the availability row, which carries `rev` (incremented by every write of the
row, whoever its writer): an entry is written only if its `rev` is older, so two writers racing can never
leave an entry older than the row it mirrors.

Every write of entries tells the feed's head (`tvguide.feed.heads.FeedTouches`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tvguide.feed import ANY_GENRE, feed_pk
from tvguide.feed.heads import FeedTouches
from tvguide.search import fold

RECOMMENDED_BELOW = "0930"  # by_rating keys below this are rated above 7.0
# The version of the entries' shape. A stack whose index is older (or that had none: it predates the
# feed) is rebuilt by the feed-rebuild job, which records the version it built (FEED_VERSION_KEY).
FEED_VERSION = 2  # 2: the job also puts each title's name in the search shards (`tvguide.search`)
FEED_VERSION_KEY = {"pk": "FEEDINDEX", "sk": "VERSION"}


def feed_key(source_id: str, genre_id: str, title_id: str) -> dict[str, str]:
    return {"pk": feed_pk(source_id, genre_id), "sk": f"TITLE#{title_id}"}


def by_title(name: str | None, title_id: str) -> str:
    """Folded name (spaces as "!", so "Amelie" sorts before "Amelie 2"), then the zero-padded id."""
    return f"{fold(name or '').replace(' ', '!')[:100]} {int(title_id):010d}"


def by_rating(rating: float | None, name: str | None, title_id: str) -> str:
    prefix = "9999" if rating is None else f"{1000 - round(float(rating) * 10):04d}"
    return f"{prefix} {by_title(name, title_id)}"


def by_year(year: int | None, name: str | None, title_id: str) -> str:
    prefix = "99999" if year is None else f"{10000 - int(year):05d}"
    return f"{prefix} {by_title(name, title_id)}"


def feed_genres(row: Mapping[str, Any]) -> list[str]:
    return [ANY_GENRE, *(str(g) for g in row.get("genre_ids") or [])]


def entries_for_row(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The feed entries of one availability row's current state (title id, source id, name, type, year,
    rating, genres, rev)."""
    title_id, source_id = str(row["title_id"]), str(row["source_id"])
    name, rating = row.get("title"), row.get("user_rating")
    common: dict[str, Any] = {
        "title_id": title_id,
        "by_title": by_title(name, title_id),
        "by_rating": by_rating(rating, name, title_id),
        "by_year": by_year(row.get("year"), name, title_id),
        "rev": int(row.get("rev") or 0),
    }
    if row.get("type"):
        common["type"] = row["type"]
    return [feed_key(source_id, g, title_id) | common for g in feed_genres(row)]


def stale_entries(
    old_genres: Iterable[Any], new_genres: Iterable[Any], source_id: str, title_id: str
) -> list[dict[str, str]]:
    """Keys of entries for genres a row no longer has."""
    gone = {str(g) for g in old_genres} - {str(g) for g in new_genres}
    return [feed_key(source_id, g, title_id) for g in sorted(gone)]


def write_entries(
    table: Any, entries: Iterable[Mapping[str, Any]], *, touches: FeedTouches | None = None
) -> int:
    """Put feed entries, each only over an entry of an older (or equal) row `rev`. The feeds' heads are
    told at the end or, when `touches` is given, by the caller's `touches.bump`. Returns the entries
    written. (A new row's entries, which nothing older can precede, go in the consumer's batches.)"""
    return _conditional_writes(
        table,
        entries,
        touches,
        lambda entry: table.put_item(
            Item=dict(entry),
            ConditionExpression="attribute_not_exists(rev) OR rev <= :rev",
            ExpressionAttributeValues={":rev": entry["rev"]},
            ReturnValues="ALL_OLD",
        ),
        lambda entry, old, told: told.entry(entry, old),
    )


def delete_entries(
    table: Any, keys: Iterable[Mapping[str, str]], rev: int, *, touches: FeedTouches | None = None
) -> int:
    """Delete feed entries (of genres a row lost) written from an older state of the row than `rev`. The
    heads are told as by `write_entries`. Returns the deletes that passed their condition."""

    def told_of(key: Mapping[str, Any], old: Mapping[str, Any] | None, told: FeedTouches) -> None:
        if old:
            told.removed(str(key["pk"]), old)

    return _conditional_writes(
        table,
        keys,
        touches,
        lambda key: table.delete_item(
            Key=dict(key),
            ConditionExpression="attribute_not_exists(rev) OR rev < :rev",
            ExpressionAttributeValues={":rev": rev},
            ReturnValues="ALL_OLD",
        ),
        told_of,
    )


def _conditional_writes(
    table: Any,
    items: Iterable[Mapping[str, Any]],
    touches: FeedTouches | None,
    write: Callable[[Mapping[str, Any]], Any],
    tell: Callable[[Mapping[str, Any], Mapping[str, Any] | None, FeedTouches], None],
) -> int:
    """Run each conditional write (a write that fails its condition is skipped: a newer state of the row
    is there already), tell `touches` what it replaced, and bump the heads unless the caller will."""
    told = FeedTouches() if touches is None else touches
    failed = table.meta.client.exceptions.ConditionalCheckFailedException
    done = 0
    for item in items:
        try:
            response = write(item)
        except failed:
            continue
        tell(item, response.get("Attributes") or None, told)
        done += 1
    if touches is None:
        told.bump(table)
    return done
