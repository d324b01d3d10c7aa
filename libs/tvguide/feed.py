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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from tvguide.search import fold

Order = Literal["title", "rating", "year"]
ANY_GENRE = "*"
INDEXES: dict[Order, tuple[str, str]] = {  # order -> (index name, its sort key attribute)
    "title": ("feed_title", "by_title"),
    "rating": ("feed_rating", "by_rating"),
    "year": ("feed_year", "by_year"),
}
RECOMMENDED_BELOW = "0930"  # by_rating keys below this are rated above 7.0
# The version of the entries' shape. A stack whose index is older (or that had none: it predates the
# feed) is rebuilt by the feed-rebuild job, which records the version it built (FEED_VERSION_KEY).
FEED_VERSION = 1
FEED_VERSION_KEY = {"pk": "FEEDINDEX", "sk": "VERSION"}


def feed_pk(source_id: str, genre_id: str = ANY_GENRE) -> str:
    return f"FEED#{source_id}#{genre_id}"


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


def write_entries(table: Any, entries: Iterable[Mapping[str, Any]], *, conditional: bool = True) -> int:
    """Put feed entries; each only over an entry of an older (or equal) row `rev` unless not `conditional`
    (a new row's entries: nothing older can exist). Returns the entries written."""
    written = 0
    if not conditional:
        with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for entry in entries:
                batch.put_item(Item=dict(entry))
                written += 1
        return written
    failed = table.meta.client.exceptions.ConditionalCheckFailedException
    for entry in entries:
        try:
            table.put_item(
                Item=dict(entry),
                ConditionExpression="attribute_not_exists(rev) OR rev <= :rev",
                ExpressionAttributeValues={":rev": entry["rev"]},
            )
        except failed:
            continue  # a newer state of the row is there already
        written += 1
    return written


def delete_entries(table: Any, keys: Iterable[Mapping[str, str]], rev: int | None = None) -> int:
    """Delete feed entries (of genres a row lost, or of a row unfiled); with `rev`, only entries written
    from an older state of the row."""
    deleted = 0
    if rev is None:
        with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for key in keys:
                batch.delete_item(Key=dict(key))
                deleted += 1
        return deleted
    failed = table.meta.client.exceptions.ConditionalCheckFailedException
    for key in keys:
        try:
            table.delete_item(
                Key=dict(key),
                ConditionExpression="attribute_not_exists(rev) OR rev < :rev",
                ExpressionAttributeValues={":rev": rev},
            )
        except failed:
            continue
        deleted += 1
    return deleted
