"""The consumer's own writes: the fields of a title record that ingestion owns, the availability rows it
files and unfiles (a new title's rows whole, existing rows field by field), and what changed in a title's
availability (see `record_change`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from tvguide.availability_news import ARRIVED, CHANGE_KIND, LEFT, NEWS_RETENTION_DAYS, change_key, news_key
from tvguide.feed import ANY_GENRE
from tvguide.feed.entries import FEED_VERSION_KEY, entries_for_row, stale_entries, write_entries
from tvguide.feed.heads import FeedTouches
from tvguide.models import EnrichmentStatus, TitleSummary, iso_now
from tvguide.repositories import (
    PENDING_INDEX_KEY,
    TitleRepository,
    availability_key,
    enrichment_rank,
    from_dynamo,
    title_key,
    to_dynamo,
)
from tvguide.search import (
    VERSIONS_KEY,
    identity_attribute,
    shard_key,
    shard_names,
    shard_of,
    version_attribute,
)
from tvguide.update_expression import Update
from tvguide_consumer.logic import AvailabilityChange, TitleName

LOG = logging.getLogger(__name__)

INGESTION_FIELDS = ("title", "year", "type", "imdb_id", "tmdb_id", "tmdb_type")


class TitleIngestStore(TitleRepository):
    names_not_indexed = 0  # names a full search shard refused (the handler publishes and resets it)

    def save_ingested(
        self,
        summary: TitleSummary,
        *,
        source_ids: list[str],
        fingerprint: str,
        mark_pending: bool,
        event_meta: Mapping[str, str],
        job_id: str | None = None,
        search_version: int | None = None,
        rank: str | None = None,
        audience: int | None = None,
    ) -> dict[str, Any]:
        """Upsert only the fields ingestion owns; enrichment fields are never touched here. A title made
        pending remembers the job that asked for it (`enrichment_jobs`), so enrichment can report to it,
        and is filed in the enrichment index under its `rank` (viewers first, then popularity). Returns the
        title as this write left it."""
        update = Update().set("id", summary.id).set("source_ids", source_ids).set("ingest_hash", fingerprint)
        update.set("ingested_at", iso_now()).set("last_event", dict(event_meta))
        if search_version is not None:
            update.set("search_version", search_version)
        for name in INGESTION_FIELDS:
            update.set_or_remove(name, getattr(summary, name))
        if mark_pending:
            update.set("enrichment_status", EnrichmentStatus.PENDING.value).set("gsi1pk", PENDING_INDEX_KEY)
            update.set("gsi1sk", rank or enrichment_rank(summary.id, audience or 0, None))
            if audience is not None:
                update.set("audience", audience)
            if job_id:
                update.add("enrichment_jobs", {job_id})
        arguments = update.arguments()
        arguments["ExpressionAttributeValues"] = to_dynamo(arguments["ExpressionAttributeValues"])
        response = self.table.update_item(Key=title_key(summary.id), ReturnValues="ALL_NEW", **arguments)
        return dict(from_dynamo(response.get("Attributes") or {}))

    def set_sources(self, title_id: str, source_ids: list[str], fingerprint: str) -> None:
        """The title's sources; on none, it is out of the search index (seen again, it is indexed again)."""
        update = Update().set("source_ids", source_ids).set("ingest_hash", fingerprint)
        if not source_ids:
            update.remove("search_version")
        self.table.update_item(Key=title_key(title_id), **update.arguments(condition="attribute_exists(pk)"))

    def file_availability(self, title: Mapping[str, Any], source_ids: Iterable[str]) -> int:
        """Write the availability row of `title` under each source (idempotent puts)."""
        return self.write_availability(((title, s) for s in source_ids), ())

    def write_availability(
        self,
        filed: Iterable[tuple[Mapping[str, Any], str]],
        unfiled: Iterable[tuple[str, str, list[str]]],
        *,
        changes: Iterable[AvailabilityChange] = (),
        names: Iterable[TitleName] = (),
    ) -> int:
        """Put rows (title, source id) and delete rows (title id, source id, genre ids), with their feed
        entries and the batch's availability changes, 25 items to a request, then the titles' names in the
        search index (all idempotent). Returns the rows written."""
        count = 0
        touches = FeedTouches()
        with self.table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for change in changes:
                for item in change_items(change):
                    batch.put_item(Item=to_dynamo(item))
            for title, source_id in filed:
                row = {
                    "title_id": str(title["id"]),
                    "source_id": source_id,
                    "title": title.get("title"),
                    "type": title.get("type"),
                    "year": title.get("year"),
                    "user_rating": title.get("user_rating"),
                    "genre_ids": list(title.get("genre_ids") or []),
                    "rev": 1,  # a new title's row: nothing older exists
                }
                batch.put_item(Item=to_dynamo(availability_key(source_id, str(title["id"])) | row))
                for entry in entries_for_row(row):
                    batch.put_item(Item=to_dynamo(entry))
                    touches.entry(entry)
                count += 1
            for title_id, source_id, genre_ids in unfiled:
                batch.delete_item(Key=availability_key(source_id, title_id))
                for key in stale_entries([ANY_GENRE, *genre_ids], [], source_id, title_id):
                    batch.delete_item(Key=key)
                    touches.removed(key["pk"])
                count += 1
        touches.bump(self.table)  # after the entries are written (the batch writer flushed them)
        self.names_not_indexed += write_search_names(self.table, names)
        return count

    def update_availability(self, filed: Iterable[tuple[Mapping[str, Any], str]]) -> int:
        """Rows of titles already stored: write only what ingestion owns (name, type, year). Genres and
        rating are enrichment's; they are seeded here only on a row that has none, so a concurrent
        enrichment is never undone by a snapshot read earlier."""
        count = 0
        touches = FeedTouches()
        for title, source_id in filed:
            title_id = str(title["id"])
            update = Update().set("title_id", title_id).set("source_id", source_id)
            update.set_if_absent("genre_ids", list(title.get("genre_ids") or []))
            for field in ("title", "type", "year"):
                update.set_or_remove(field, title.get(field))
            if title.get("user_rating") is not None:
                update.set_if_absent("user_rating", title["user_rating"])
            arguments = update.add("rev", 1).arguments()
            arguments["ExpressionAttributeValues"] = to_dynamo(arguments["ExpressionAttributeValues"])
            response = self.table.update_item(
                Key=availability_key(source_id, title_id), ReturnValues="ALL_NEW", **arguments
            )
            # The row's feed entries, from its state right after this write (older states never win).
            row = from_dynamo(response["Attributes"])
            write_entries(self.table, map(to_dynamo, entries_for_row(row)), touches=touches)
            count += 1
        touches.bump(self.table)
        return count


def write_search_names(table: Any, names: Iterable[TitleName], per_update: int = 100) -> int:
    """Each title's folded name into its search shard (a title on no source: its name removed), then one
    version bump per shard changed (see `tvguide.search`): one UpdateItem per shard and 100 names, one for
    the versions. The last write of a title in the batch wins. A shard DynamoDB refuses as too large is
    logged and its names counted (returned: the handler's `SearchShardFull` metric, alarmed), never raised:
    the batch's titles are stored whatever the search index can hold."""
    latest = {n.title_id: n for n in names}
    shards = shard_names((t, n.name) for t, n in latest.items() if n.name is not None)
    gone = shard_names((t, "") for t, n in latest.items() if n.name is None)
    not_indexed = 0
    for shard in sorted(shards.keys() | gone.keys()):
        updates: list[tuple[str, str | None]] = sorted(shards.get(shard, {}).items())
        # the year and ids beside the name (kept as they are when a rebuild does not know them)
        updates += [
            (identity_attribute(t), n.identity)
            for t, n in sorted(latest.items())
            if n.name is not None and n.identity and shard_of(t) == shard
        ]
        updates += [(name, None) for name in sorted(gone.get(shard, {}))]
        updates += [(identity_attribute(a[1:]), None) for a in sorted(gone.get(shard, {}))]
        for start in range(0, len(updates), per_update):
            not_indexed += _write_shard(table, shard, updates[start : start + per_update])
    if shards or gone:
        changed = sorted(shards.keys() | gone.keys())
        versions = Update()
        for n in changed:
            versions.add(version_attribute(n), 1)
        table.update_item(Key=VERSIONS_KEY, **versions.arguments())
    return not_indexed


def _write_shard(table: Any, shard: int, updates: list[tuple[str, str | None]]) -> int:
    """Set and remove names in one shard; returns the names not indexed (the shard is full)."""
    update = Update()
    for name, value in updates:
        update.set_or_remove(name, value)
    try:
        table.update_item(Key=shard_key(shard), **update.arguments())
        return 0
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", "")
        if (
            exc.response.get("Error", {}).get("Code") != "ValidationException"
            or "size" not in message.lower()
        ):
            raise
        refused = sum(1 for name, value in updates if value is not None and name.startswith("t"))
        LOG.error("search shard full: %d names not indexed (shard %02d): %s", refused, shard, message[:200])
        return refused


def change_items(change: AvailabilityChange) -> list[dict[str, Any]]:
    """One availability-change item for the title (the notifier's stream trigger) and one news item per
    source it arrived on or left (the "new" and "leaving" lists), keyed on the event: see
    `tvguide.availability_news`."""
    purge_at = int(datetime.fromisoformat(change.at).timestamp()) + NEWS_RETENTION_DAYS * 86400
    common = {"title_id": change.title_id, "at": change.at, "purge_at": purge_at}
    items: list[dict[str, Any]] = [
        change_key(change.title_id, change.change_id)
        | common
        | {
            "kind": CHANGE_KIND,
            "change_id": change.change_id,
            "title": change.title,
            "arrived": list(change.arrived),
            "left": list(change.left),
        }
    ]
    for kind, sources in ((ARRIVED, change.arrived), (LEFT, change.left)):
        items += [
            news_key(s, change.at, change.title_id, kind) | common | {"source_id": s, "change": kind}
            for s in sources
        ]
    return items


class FeedRebuildStore(TitleRepository):
    """The feed-rebuild job's reads and writes: every availability row of a source, mirrored into the
    feed (see `tvguide.feed`) and its title's name into the search index (`tvguide.search`), and the
    version of the index it built."""

    def rebuild_source(self, source_id: str) -> tuple[int, int]:
        """Write the feed entries of every row of the source (never over a newer row state) and the
        titles' names in the search index. Returns (rows, entries written)."""
        rows = written = 0
        touches = FeedTouches()
        names = []
        for row in self.titles_on_source(source_id):
            rows += 1
            written += write_entries(self.table, map(to_dynamo, entries_for_row(row)), touches=touches)
            if row.get("title"):
                names.append(TitleName(str(row["title_id"]), str(row["title"])))
        touches.bump(self.table)
        write_search_names(self.table, names)
        return rows, written

    def built_version(self) -> int:
        item = self.table.get_item(Key=FEED_VERSION_KEY).get("Item") or {}
        return int(item.get("version") or 0)

    def record_version(self, version: int) -> None:
        self.table.put_item(Item=FEED_VERSION_KEY | {"version": version, "built_at": iso_now()})
