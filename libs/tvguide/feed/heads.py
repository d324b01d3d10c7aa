"""Feed heads: a page usually comes from the start of each feed, so each feed keeps its first `HEAD_SIZE`
entries of every order in one item, and a page reads the heads of all its feeds with one BatchGetItem
instead of a Query per feed.

| item | pk | sk | attributes |
|---|---|---|---|
| feed head | `FEEDHEAD#<source id>#<genre id or *>` | `HEAD` | `feed_version`, `head_version`, `built_at`, |
| | | | per order o: `entries_by_<o>`, `bound_by_<o>` |

`feed_version` counts the changes that may have altered the head; `head_version` is the `feed_version` the
head was built at, so a head is current when the two are equal. `entries_by_<o>` holds its entries in order
o, each a list (sort key, title id, type); `bound_by_<o>` is the last key it holds (`OPEN_END` when it holds
the whole feed). Writers own `feed_version`: after writing entries they add 1 to it, in one conditional
UpdateItem per feed, unless a current head exists whose bound in every order they touched lies before the
smallest key they wrote or removed (an entry past the head cannot change it): `FeedTouches`. Readers own the
rest (`FeedIndex`): a reader that finds a head out of date reads the feed's first entries and writes the
head with the `feed_version` it read, on condition that it has not moved since, so a head built before a
write can never be taken for one built after it.

A head is derived data: one in an older shape (`ver`, `hv`, `h_<o>`, `b_<o>`) is never current, so the
first reader rebuilds it in this shape and removes the old attributes.
"""

from __future__ import annotations

import contextlib
import threading
import time
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from boto3.dynamodb.conditions import Attr, Key

from tvguide.feed import INDEXES, Order
from tvguide.feed.merge import FeedChunk
from tvguide.repositories import TableRepository
from tvguide.update_expression import Update

HEAD_PREFIX = "FEEDHEAD#"
HEAD_SIZE = 60  # entries per order in a feed head: pages 1 to 3 of 50 titles rarely need more of one feed
OPEN_END = "\uffff"  # the bound of a head that holds its whole feed: after every key
FEED_VERSION = "feed_version"
HEAD_VERSION = "head_version"
_OLD_SHAPE = ("ver", "hv", *(f"{p}_{o}" for p in ("h", "b") for o in INDEXES))


def entries_attribute(order: Order) -> str:
    return f"entries_by_{order}"


def bound_attribute(order: Order) -> str:
    return f"bound_by_{order}"


def head_key(pk: str) -> dict[str, str]:
    """The head item of the feed whose partition is `pk` ("FEED#<source>#<genre>")."""
    return {"pk": HEAD_PREFIX + pk.removeprefix("FEED#"), "sk": "HEAD"}


@dataclass
class FeedTouches:
    """The smallest key written or removed per feed and order since the last `bump`: what a writer of
    entries must tell the feed heads. Record after the entries are written, bump after."""

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
        """Add 1 to the `feed_version` of each touched feed whose current head the touches may change.
        Returns the heads put out of date."""
        failed = table.meta.client.exceptions.ConditionalCheckFailedException
        bumped = 0
        for pk, orders in sorted(self.lowest.items()):
            names = {f"#b{n}": bound_attribute(order) for n, order in enumerate(orders)}  # type: ignore[arg-type]
            values: dict[str, Any] = {f":k{n}": key for n, key in enumerate(orders.values())}
            affected = " OR ".join(f"#b{n} >= :k{n}" for n in range(len(orders)))
            try:
                table.update_item(
                    Key=head_key(pk),
                    UpdateExpression="ADD #fv :one",
                    ConditionExpression=f"attribute_not_exists(#hv) OR #hv <> #fv OR {affected}",
                    ExpressionAttributeNames=names | {"#fv": FEED_VERSION, "#hv": HEAD_VERSION},
                    ExpressionAttributeValues=values | {":one": 1},
                )
            except failed:
                continue  # the current head ends before every key touched: it still holds
            bumped += 1
        self.lowest.clear()
        return bumped


class HeadEntry(NamedTuple):
    key: str  # the entry's sort key in the head's order
    title_id: str
    type: str


@dataclass(frozen=True)
class FeedHead:
    """The first entries of a feed in one order, and the last key they reach (`OPEN_END` when they are the
    whole feed)."""

    entries: list[HeadEntry]
    bound: str

    @property
    def keys(self) -> list[str]:
        return [entry.key for entry in self.entries]

    @classmethod
    def stored(cls, item: Mapping[str, Any], order: Order) -> FeedHead:
        entries = [HeadEntry(*(str(part) for part in e)) for e in item.get(entries_attribute(order)) or []]
        return cls(entries, str(item.get(bound_attribute(order)) or OPEN_END))


@dataclass
class HeadReads:
    """What a page's feed reads cost: head items read, heads rebuilt (each three Queries), entries read by
    Queries (rebuilds' and past the heads)."""

    items: int = 0
    rebuilt: int = 0
    entries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, items: int = 0, rebuilt: int = 0, entries: int = 0) -> None:
        with self._lock:  # feeds are read side by side
            self.items += items
            self.rebuilt += rebuilt
            self.entries += entries


_head_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="feed-head")


class FeedIndex(TableRepository):
    """Reads of the feed index, one order and type filter at a time: each feed from its head (all heads
    with one BatchGetItem), and past a head with Queries."""

    def __init__(self, *args: Any, max_head_age_seconds: float = 3600, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_head_age_seconds = max_head_age_seconds

    def reader(self, order: Order, types: tuple[str, ...] = (), feeds: Iterable[str] = ()) -> OrderedFeed:
        reads = HeadReads()
        return OrderedFeed(self, order, types, self.heads(list(dict.fromkeys(feeds)), order, reads), reads)

    def heads(self, pks: list[str], order: Order, reads: HeadReads) -> dict[str, FeedHead]:
        """The current heads of these feeds in `order`; heads missing or out of date are rebuilt (side by
        side) and stored for the next reader."""
        wanted = (
            "pk",
            FEED_VERSION,
            HEAD_VERSION,
            "built_at",
            entries_attribute(order),
            bound_attribute(order),
        )
        items = {str(i["pk"]): i for i in self.batch_get([head_key(pk) for pk in pks], attributes=wanted)}
        reads.add(items=len(items))
        heads: dict[str, FeedHead] = {}
        stale: list[tuple[str, int]] = []
        now = time.time()
        for pk in pks:
            item = items.get(head_key(pk)["pk"])
            version = int((item or {}).get(FEED_VERSION) or 0)
            if (
                item is not None
                and int(item.get(HEAD_VERSION, -1)) == version
                and now - float(item.get("built_at") or 0) <= self.max_head_age_seconds
            ):
                heads[pk] = FeedHead.stored(item, order)
            else:
                stale.append((pk, version))
        for pk, built in zip(
            [pk for pk, _ in stale],
            _head_pool.map(lambda s: self.rebuild(s[0], s[1], reads), stale),
            strict=True,
        ):
            heads[pk] = built[order]
        return heads

    def rebuild(self, pk: str, version: int, reads: HeadReads) -> dict[Order, FeedHead]:
        """Read the feed's first entries in every order and store them as its head built at `version` (the
        `feed_version` read before these Queries), unless a writer has moved it since."""
        heads: dict[Order, FeedHead] = {}
        for order, (name, attribute) in INDEXES.items():
            response = self.table.query(
                IndexName=name,
                KeyConditionExpression=Key("pk").eq(pk),
                Limit=HEAD_SIZE + 1,
                ProjectionExpression="title_id, #key, #type",
                ExpressionAttributeNames={"#key": attribute, "#type": "type"},
            )
            rows = response.get("Items", [])
            reads.add(entries=len(rows))
            entries = [
                HeadEntry(str(r[attribute]), str(r["title_id"]), str(r.get("type") or "")) for r in rows
            ]
            complete = len(entries) <= HEAD_SIZE
            entries = entries[:HEAD_SIZE]
            heads[order] = FeedHead(entries, OPEN_END if complete else entries[-1].key)
        update = Update().set(HEAD_VERSION, version).set("built_at", int(time.time()))
        update.set_if_absent(FEED_VERSION, 0)
        for order, head in heads.items():
            update.set(entries_attribute(order), [list(entry) for entry in head.entries])
            update.set(bound_attribute(order), head.bound)
        for old in _OLD_SHAPE:
            update.remove(old)
        condition = "attribute_not_exists(#fv) OR #fv = :zero" if version == 0 else "#fv = :version"
        values = {":zero": 0} if version == 0 else {":version": version}
        arguments = update.arguments(condition=condition, names={"#fv": FEED_VERSION}, values=values)
        # When a writer changed the feed meanwhile, this head serves this page only.
        with contextlib.suppress(self.resource.meta.client.exceptions.ConditionalCheckFailedException):
            self.table.update_item(Key=head_key(pk), **arguments)
        reads.add(rebuilt=1)
        return heads


@dataclass(frozen=True)
class OrderedFeed:
    index: FeedIndex
    order: Order
    types: tuple[str, ...]
    heads: dict[str, FeedHead]
    reads: HeadReads

    def chunk(self, pk: str, *, after: str | None, start: Any, limit: int) -> FeedChunk:
        """Up to `limit` entries after `after`: from the feed's head first (`start` ("head", position)),
        then from a Query past the head's bound (`start` ("query", LastEvaluatedKey or None))."""
        head = self.heads.get(pk)
        if head is None:
            return self._query(pk, after, None, limit)
        if start is None or start[0] == "head":
            position = start[1] if start else (bisect_right(head.keys, after) if after else 0)
            entries: list[tuple[str, str]] = []
            read = 0
            while position < len(head.entries) and len(entries) < limit:
                entry = head.entries[position]
                position += 1
                read += 1
                if not self.types or entry.type in self.types:
                    entries.append((entry.key, entry.title_id))
            if position < len(head.entries):
                return FeedChunk(entries, ("head", position), read)
            return FeedChunk(entries, None if head.bound == OPEN_END else ("query", None), read)
        return self._query(pk, max(after or "", head.bound), start[1], limit)

    def _query(self, pk: str, after: str | None, last_key: Any, limit: int) -> FeedChunk:
        name, attribute = INDEXES[self.order]
        condition = Key("pk").eq(pk)
        if after:
            condition = condition & Key(attribute).gt(after)
        kwargs: dict[str, Any] = {
            "IndexName": name,
            "KeyConditionExpression": condition,
            "Limit": limit,
            "ProjectionExpression": "title_id, #key",
            "ExpressionAttributeNames": {"#key": attribute},
        }
        if self.types:
            kwargs["FilterExpression"] = Attr("type").is_in(list(self.types))
        if last_key is not None:
            kwargs["ExclusiveStartKey"] = last_key
        response = self.index.table.query(**kwargs)
        entries = [(str(i[attribute]), str(i["title_id"])) for i in response.get("Items", [])]
        lek = response.get("LastEvaluatedKey")
        scanned = int(response.get("ScannedCount", len(entries)))
        self.reads.add(entries=scanned)
        return FeedChunk(entries, ("query", lek) if lek else None, scanned)
