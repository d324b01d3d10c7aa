"""The viewer API's own writes: a viewer's watchlist (one item per title under the viewer's partition).

| item | pk | sk |
|---|---|---|
| watchlist entry | `USER#<sub>` | `WATCH#<title id>` |
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.models import iso_now
from tvguide.repositories import TableRepository

MAX_WATCHLIST = 500


class WatchlistFull(ValueError):
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
        self.table.put_item(Item=key | {"title_id": title_id, "added_at": iso_now()})
        return True

    def remove(self, user_id: str, title_id: str) -> None:
        """Idempotent: removing a title that is not there is fine."""
        self.table.delete_item(Key={"pk": f"USER#{user_id}", "sk": f"WATCH#{title_id}"})
