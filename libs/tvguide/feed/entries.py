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

**Feed heads.** A page usually comes from the start of each feed, so each feed keeps its first `HEAD_SIZE`
entries of every order in one item, and a page reads the heads of all its feeds with one BatchGetItem
instead of a Query per feed:

| item | pk | sk | attributes |
|---|---|---|---|
| feed head | `FEEDHEAD#<source id>#<genre id or *>` | `HEAD` | `ver`, `hv`, `built_at`, `h_<o>`, `b_<o>` |

`ver` counts the changes that may have altered a head; `hv` is the `ver` the head was built at, so a head
is current when `hv = ver`. `h_<o>` holds its entries in order o, a line each (sort key, title id and
type, tab-separated); `b_<o>` is the last key it holds (`OPEN_END` when it holds the whole
feed). Writers own `ver`: after writing entries they add 1 to it, in one conditional UpdateItem per feed,
unless a current head exists whose bound in every order they touched lies before the smallest key they
wrote or removed (an entry past the head cannot change it). Readers own the rest: a reader that finds a
head out of date reads the feed's first entries and writes the head with the `ver` it read, on condition
that `ver` has not moved since, so a head built before a write can never be taken for one built after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
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
FEED_VERSION = 2  # 2: the job also puts each title's name in the search shards (`tvguide.search`)
FEED_VERSION_KEY = {"pk": "FEEDINDEX", "sk": "VERSION"}


HEAD_PREFIX = "FEEDHEAD#"
HEAD_SIZE = 60  # entries per order in a feed head: pages 1 to 3 of 50 titles rarely need more of one feed
OPEN_END = "\uffff"  # the bound of a head that holds its whole feed: after every key


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


def head_key(pk: str) -> dict[str, str]:
    """The head item of the feed whose partition is `pk` ("FEED#<source>#<genre>")."""
    return {"pk": HEAD_PREFIX + pk.removeprefix("FEED#"), "sk": "HEAD"}


@dataclass
class FeedTouches:
    """The smallest key written or removed per feed and order since the last `bump`: what the writer must
    tell the feed heads (see the module's docstring). Record after the entries are written, bump after."""

    lowest: dict[str, dict[str, str]] = field(default_factory=dict)

    def key(self, pk: str, order: Order, key: str) -> None:
        orders = self.lowest.setdefault(pk, {})
        if order not in orders or key < orders[order]:
            orders[order] = key

    def entry(self, entry: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> None:
        """An entry written (over `old`, its previous state, when known): every order whose key moved."""
        for order, (_, attribute) in INDEXES.items():
            new_key, old_key = entry.get(attribute), (old or {}).get(attribute)
            if old is not None and new_key == old_key and entry.get("type") == old.get("type"):
                continue
            for key in (new_key, old_key):
                if key is not None:
                    self.key(str(entry["pk"]), order, str(key))

    def removed(self, pk: str, old: Mapping[str, Any] | None = None) -> None:
        """An entry deleted: its old keys, or, when they are not known, the whole feed."""
        for order, (_, attribute) in INDEXES.items():
            self.key(pk, order, str((old or {}).get(attribute) or ""))

    def bump(self, table: Any) -> int:
        """Add 1 to `ver` of each touched feed whose current head the touches may change. Returns the heads
        put out of date."""
        failed = table.meta.client.exceptions.ConditionalCheckFailedException
        bumped = 0
        for pk, orders in sorted(self.lowest.items()):
            names = {f"#b{n}": f"b_{order}" for n, order in enumerate(orders)}
            values: dict[str, Any] = {f":k{n}": key for n, key in enumerate(orders.values())}
            affected = " OR ".join(f"#b{n} >= :k{n}" for n in range(len(orders)))
            try:
                table.update_item(
                    Key=head_key(pk),
                    UpdateExpression="ADD ver :one",
                    ConditionExpression=f"attribute_not_exists(hv) OR hv <> ver OR {affected}",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values | {":one": 1},
                )
            except failed:
                continue  # the current head ends before every key touched: it still holds
            bumped += 1
        self.lowest.clear()
        return bumped


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
