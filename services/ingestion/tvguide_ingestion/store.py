"""Ingestion's own writes on the table: how many complete crawls in a row each availability row was missing
from (`missed_crawls`, a field only ingestion writes). A title leaves a source only after two."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tvguide.crawls import CrawlStateReader, crawl_key
from tvguide.repositories import TableRepository, availability_key


class CrawlMisses(TableRepository):
    def mark_missed(self, source_id: str, title_ids: Iterable[str]) -> dict[str, int]:
        """One more complete crawl without these titles: their rows' counts after it."""
        counts: dict[str, int] = {}
        conditional_failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        for title_id in title_ids:
            try:
                response = self.table.update_item(
                    Key=availability_key(source_id, title_id),
                    UpdateExpression="ADD missed_crawls :one",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":one": 1},
                    ReturnValues="UPDATED_NEW",
                )
            except conditional_failed:
                continue  # unfiled meanwhile
            counts[title_id] = int(response["Attributes"]["missed_crawls"])
        return counts

    def clear_missed(self, source_id: str, title_ids: Iterable[str]) -> int:
        """These titles were found again: forget their misses."""
        cleared = 0
        conditional_failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        for title_id in title_ids:
            try:
                self.table.update_item(
                    Key=availability_key(source_id, title_id),
                    UpdateExpression="REMOVE missed_crawls",
                    ConditionExpression="attribute_exists(pk)",
                )
            except conditional_failed:
                continue
            cleared += 1
        return cleared


class CrawlStates(CrawlStateReader):
    """Ingestion's writes of the crawl states (see `tvguide.crawls`): scheduled runs retry what did not
    complete, instant crawls add what is newly wanted, and the admin summary shows failures."""

    def record(
        self,
        source_id: str,
        *,
        refreshed: bool,
        error: str | None,
        now: str,
        genre_ids: tuple[str, ...] | None = None,
    ) -> None:
        """A crawl's outcome. A refreshed crawl of `genre_ids` (empty: every genre) replaces the coverage;
        None leaves it as it was."""
        key = crawl_key(source_id)
        if refreshed:
            sets = "SET source_id = :s, last_complete_at = :now, last_attempt_at = :now, failures = :zero"
            values: dict[str, Any] = {":s": source_id, ":now": now, ":zero": 0}
            removes = ["last_error"]
            if genre_ids is not None:
                sets += ", all_genres = :all"
                values[":all"] = not genre_ids
                if genre_ids:
                    sets += ", genre_ids = :g"
                    values[":g"] = set(genre_ids)
                else:
                    removes.append("genre_ids")
            self.table.update_item(
                Key=key,
                UpdateExpression=f"{sets} REMOVE {', '.join(removes)}",
                ExpressionAttributeValues=values,
            )
        else:
            self.table.update_item(
                Key=key,
                UpdateExpression="SET source_id = :s, last_attempt_at = :now, last_error = :e "
                "ADD failures :one",
                ExpressionAttributeValues={
                    ":s": source_id,
                    ":now": now,
                    ":e": (error or "")[:500],
                    ":one": 1,
                },
            )

    def add_genres(self, source_id: str, genre_ids: tuple[str, ...], *, now: str) -> None:
        """An instant crawl of genres newly wanted on a source already crawled: they are covered now (the
        source's refresh time is its full crawl's, unchanged)."""
        self.table.update_item(
            Key=crawl_key(source_id),
            UpdateExpression="SET last_attempt_at = :now ADD genre_ids :g",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":now": now, ":g": set(genre_ids)},
        )
