"""The viewer API's own writes, all under the viewer's partition: the watchlist (one item per title,
indexed by title on gsi1 so the notifier finds a title's watchers with one Query), alerts' `read_at`, and
the alert settings (keys in `tvguide.alerts`)."""

from __future__ import annotations

import contextlib
import threading
import time
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from tvguide.alerts import ALERT_PREFIX, alert_key, alert_settings_key, watchers_index_key
from tvguide.errors import Conflict
from tvguide.feed import HEAD_SIZE, INDEXES, OPEN_END, Order, head_key
from tvguide.models import iso_now
from tvguide.repositories import TableRepository, from_dynamo
from tvguide.update_expression import Update
from tvguide_preferences_api.feed_merge import FeedChunk

MAX_WATCHLIST = 500


class WatchlistFull(Conflict):
    """The watchlist already holds MAX_WATCHLIST titles."""


class WatchlistStore(TableRepository):
    def entries(self, user_id: str) -> list[dict[str, Any]]:
        """The viewer's watchlist, oldest first (one Query, at most MAX_WATCHLIST items)."""
        return list(
            self._query_all(
                KeyConditionExpression=Key("pk").eq(f"USER#{user_id}") & Key("sk").begins_with("WATCH#")
            )
        )

    def add(self, user_id: str, title_id: str) -> bool:
        """Idempotent: True when added, False when it was there already. WatchlistFull past the limit."""
        key = {"pk": f"USER#{user_id}", "sk": f"WATCH#{title_id}"}
        if self.table.get_item(Key=key).get("Item"):
            return False
        count = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"USER#{user_id}") & Key("sk").begins_with("WATCH#"),
            Select="COUNT",
        )["Count"]
        if count >= MAX_WATCHLIST:
            raise WatchlistFull(f"a watchlist holds at most {MAX_WATCHLIST} titles")
        item = key | watchers_index_key(title_id, user_id) | {"title_id": title_id, "added_at": iso_now()}
        self.table.put_item(Item=item)
        return True

    def remove(self, user_id: str, title_id: str) -> None:
        """Idempotent: removing a title that is not there is fine."""
        self.table.delete_item(Key={"pk": f"USER#{user_id}", "sk": f"WATCH#{title_id}"})


MAX_ALERTS_LISTED = 50
MAX_ALERTS_MARKED = 200


class AlertInbox(TableRepository):
    """A viewer's alerts (the notifier creates them): newest first, unread count, marked read."""

    def _alerts(self, user_id: str, **kwargs: Any) -> Any:
        return self.table.query(
            KeyConditionExpression=Key("pk").eq(f"USER#{user_id}") & Key("sk").begins_with(ALERT_PREFIX),
            ScanIndexForward=False,
            **kwargs,
        )

    def latest(self, user_id: str, limit: int = MAX_ALERTS_LISTED) -> list[dict[str, Any]]:
        return [from_dynamo(i) for i in self._alerts(user_id, Limit=limit).get("Items", [])]

    def unread(self, user_id: str) -> list[str]:
        """Ids of the unread alerts, newest first (at most MAX_ALERTS_MARKED)."""
        ids: list[str] = []
        kwargs: dict[str, Any] = {
            "FilterExpression": "attribute_not_exists(read_at)",
            "ProjectionExpression": "alert_id",
        }
        while len(ids) < MAX_ALERTS_MARKED:
            response = self._alerts(user_id, **kwargs)
            ids += [str(i["alert_id"]) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return ids[:MAX_ALERTS_MARKED]

    def mark_read(self, user_id: str, alert_ids: list[str]) -> int:
        """Set `read_at` on these alerts of the viewer (ones that do not exist are skipped)."""
        marked = 0
        failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        now = iso_now()
        for alert_id in dict.fromkeys(alert_ids):
            try:
                self.table.update_item(
                    Key=alert_key(user_id, alert_id),
                    UpdateExpression="SET read_at = if_not_exists(read_at, :now)",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":now": now},
                )
            except failed:
                continue
            marked += 1
        return marked


class AlertSettingsStore(TableRepository):
    def get(self, user_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key=alert_settings_key(user_id)).get("Item") or {}
        return {"email_alerts": bool(item.get("email_alerts")), "email": item.get("email") or None}

    def put(self, user_id: str, *, email_alerts: bool, email: str | None) -> None:
        item: dict[str, Any] = alert_settings_key(user_id) | {
            "email_alerts": email_alerts,
            "updated_at": iso_now(),
        }
        if email:  # a verified address (the route checks), marked so: the notifier mails no other
            item |= {"email": email, "email_verified": True}
        self.table.put_item(Item=item)


_head_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="feed-head")


@dataclass(frozen=True)
class FeedHead:
    """The first entries of a feed in one order: (sort key, title id, type), and the last key they reach
    (`OPEN_END` when they are the whole feed)."""

    entries: list[tuple[str, str, str]]
    bound: str

    @property
    def keys(self) -> list[str]:
        return [key for key, _, _ in self.entries]


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


class FeedIndex(TableRepository):
    """Reads of the feed index (see `tvguide.feed`), one order and type filter at a time: each feed from
    its head (all heads with one BatchGetItem), and past a head with Queries."""

    def __init__(self, *args: Any, max_head_age_seconds: float = 3600, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_head_age_seconds = max_head_age_seconds

    def reader(self, order: Order, types: tuple[str, ...] = (), feeds: Iterable[str] = ()) -> OrderedFeed:
        reads = HeadReads()
        return OrderedFeed(self, order, types, self.heads(list(dict.fromkeys(feeds)), order, reads), reads)

    def heads(self, pks: list[str], order: Order, reads: HeadReads) -> dict[str, FeedHead]:
        """The current heads of these feeds in `order`; heads missing or out of date are rebuilt (side by
        side) and stored for the next reader."""
        wanted = ("pk", "ver", "hv", "built_at", f"h_{order}", f"b_{order}")
        items = {str(i["pk"]): i for i in self.batch_get([head_key(pk) for pk in pks], attributes=wanted)}
        reads.add(items=len(items))
        heads: dict[str, FeedHead] = {}
        stale: list[tuple[str, int]] = []
        now = time.time()
        for pk in pks:
            item = items.get(head_key(pk)["pk"])
            version = int((item or {}).get("ver") or 0)
            if (
                item is not None
                and int(item.get("hv", -1)) == version
                and now - float(item.get("built_at") or 0) <= self.max_head_age_seconds
            ):
                heads[pk] = _head_of(item, order)
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
        `ver` read before these Queries), unless a writer has moved `ver` since."""
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
            entries = [(str(r[attribute]), str(r["title_id"]), str(r.get("type") or "")) for r in rows]
            complete = len(entries) <= HEAD_SIZE
            entries = entries[:HEAD_SIZE]
            heads[order] = FeedHead(entries, OPEN_END if complete else entries[-1][0])
        update = Update().set("hv", version).set("built_at", int(time.time())).set_if_absent("ver", 0)
        for order, head in heads.items():
            update.set(f"h_{order}", "\n".join("\t".join(entry) for entry in head.entries) or "-")
            update.set(f"b_{order}", head.bound)
        condition = "attribute_not_exists(ver) OR ver = :zero" if version == 0 else "ver = :version"
        values = {":zero": 0} if version == 0 else {":version": version}
        # When a writer changed the feed meanwhile, this head serves this page only.
        with contextlib.suppress(self.resource.meta.client.exceptions.ConditionalCheckFailedException):
            self.table.update_item(Key=head_key(pk), **update.arguments(condition=condition, values=values))
        reads.add(rebuilt=1)
        return heads


def _head_of(item: Mapping[str, Any], order: Order) -> FeedHead:
    text = str(item.get(f"h_{order}") or "-")  # "-": an empty feed
    entries = [] if text == "-" else [tuple(line.split("\t")) for line in text.split("\n")]
    return FeedHead(entries, str(item.get(f"b_{order}") or OPEN_END))  # type: ignore[arg-type]


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
                key, title_id, title_type = head.entries[position]
                position += 1
                read += 1
                if not self.types or title_type in self.types:
                    entries.append((key, title_id))
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
