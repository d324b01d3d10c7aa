"""A viewer's watchlist imports (`USER#<sub>` / `IMPORT#<id>`), kept 30 days so one can be undone.

An import is read and matched first (`preview`: nothing on the watchlist yet); adding writes its titles
(`adding`, then `added`), each entry marked with the import's id and written only where the watchlist had
no such title, so it never duplicates an entry and undo removes exactly what the import added (a title
that was on the list before stays). An add cut short (`adding`) is finished by adding again, or undone.
The report (matched and unmatched rows) is kept compressed: 5,000 rows fit in one item.
"""

from __future__ import annotations

import json
import secrets
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.alerts import watchers_index_key
from tvguide.errors import Conflict, NotFound
from tvguide.models import iso_now, utc_now
from tvguide.repositories import TableRepository, from_dynamo
from tvguide.update_expression import Update

KEEP_DAYS = 30
IMPORT_PREFIX = "IMPORT#"
_writers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="import-write")


def import_key(user_id: str, import_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": f"{IMPORT_PREFIX}{import_id}"}


def pack(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 6)


def unpack(value: Any) -> Any:
    return json.loads(zlib.decompress(bytes(value))) if value is not None else None


class ImportStore(TableRepository):
    def create(self, user_id: str, summary: dict[str, Any], report: dict[str, Any]) -> str:
        import_id = utc_now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(3)
        purge_at = int((utc_now() + timedelta(days=KEEP_DAYS)).timestamp())
        item = (
            import_key(user_id, import_id)
            | summary
            | {
                "import_id": import_id,
                "status": "preview",
                "created_at": iso_now(),
                "report": pack(report),
                "purge_at": purge_at,
            }
        )
        self.table.put_item(Item=item)
        return import_id

    def get(self, user_id: str, import_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key=import_key(user_id, import_id), ConsistentRead=True).get("Item")
        if not item:
            raise NotFound("No such import (imports are kept 30 days)")
        found: dict[str, Any] = from_dynamo(item)
        found["report"] = unpack(item.get("report"))
        found["added_ids"] = unpack(item.get("added_ids")) or []
        return found

    def latest(self, user_id: str, limit: int = 5) -> list[dict[str, Any]]:
        response = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"USER#{user_id}") & Key("sk").begins_with(IMPORT_PREFIX),
            ScanIndexForward=False,
            Limit=limit,
            ProjectionExpression="import_id, #s, #f, created_at, added, removed, rows_read",
            ExpressionAttributeNames={"#s": "status", "#f": "format"},
        )
        return [from_dynamo(i) for i in response.get("Items", [])]

    def save_report(self, user_id: str, import_id: str, report: dict[str, Any], searched: int) -> None:
        """A report a Watchmode search added to (only while the import is a preview)."""
        update = Update().set("report", pack(report)).add("searched", searched)
        try:
            self.table.update_item(
                Key=import_key(user_id, import_id),
                **update.arguments(
                    condition="#a_status = :preview",
                    names={"#a_status": "status"},
                    values={":preview": "preview"},
                ),
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            raise Conflict("This import was added already: search before adding it") from None

    def start_adding(self, user_id: str, import_id: str, title_ids: list[str]) -> None:
        """Record what the add writes before writing it, so an add cut short can be finished or undone."""
        update = Update().set("status", "adding").set("added_ids", pack(title_ids))
        try:
            self.table.update_item(
                Key=import_key(user_id, import_id),
                **update.arguments(condition="#a_status = :preview", values={":preview": "preview"}),
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            raise Conflict("This import was added or undone already") from None

    def finish(self, user_id: str, import_id: str, status: str, **counts: int) -> None:
        update = Update().set("status", status).set(f"{status}_at", iso_now())
        for name, value in counts.items():
            update.set(name, value)
        self.table.update_item(Key=import_key(user_id, import_id), **update.arguments())

    def discard(self, user_id: str, import_id: str) -> None:
        self.table.delete_item(Key=import_key(user_id, import_id))

    def add_entries(self, user_id: str, entries: Iterable[dict[str, Any]], import_id: str) -> list[str]:
        """Watchlist entries for titles the list does not have (a conditional put each, side by side), marked
        with the import; returns the title ids written."""
        failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        now = iso_now()

        def put(entry: dict[str, Any]) -> str | None:
            title_id = str(entry["title_id"])
            item = {"pk": f"USER#{user_id}", "sk": f"WATCH#{title_id}"} | watchers_index_key(
                title_id, user_id
            )
            item |= {"title_id": title_id, "added_at": now, "import_id": import_id}
            # a title the guide does not know yet: its name, year and IMDb id from the import
            known = {"title": entry.get("name"), "year": entry.get("year"), "imdb_id": entry.get("imdb_id")}
            item |= {k: v for k, v in known.items() if v is not None}
            try:
                self.table.put_item(
                    Item=item,
                    ConditionExpression="attribute_not_exists(pk) OR import_id = :i",
                    ExpressionAttributeValues={":i": import_id},
                )
            except failed:
                return None  # on the list already (before this import)
            return title_id

        return [t for t in _writers.map(put, list(entries)) if t]

    def remove_entries(self, user_id: str, title_ids: Iterable[str], import_id: str) -> int:
        """Undo: remove the entries this import wrote (one the viewer had before, or added again since by
        hand, is not the import's and stays)."""
        failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException

        def delete(title_id: str) -> int:
            try:
                self.table.delete_item(
                    Key={"pk": f"USER#{user_id}", "sk": f"WATCH#{title_id}"},
                    ConditionExpression="import_id = :i",
                    ExpressionAttributeValues={":i": import_id},
                )
            except failed:
                return 0
            return 1

        return sum(_writers.map(delete, list(title_ids)))
