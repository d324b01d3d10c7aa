"""The viewer API's own writes, all under the viewer's partition: the watchlist (one item per title,
indexed by title on gsi1 so the notifier finds a title's watchers with one Query), alerts' `read_at`, the
alert settings (keys in `tvguide.alerts`), the calendar link (and its lookup item, keyed by the token's hash),
and push devices (`tvguide.web_push`)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.alerts import (
    ALERT_PREFIX,
    WEEKLY_DIGESTS,
    alert_key,
    alert_settings_key,
    watchers_index_key,
)
from tvguide.errors import Conflict
from tvguide.models import iso_now
from tvguide.repositories import TableRepository, from_dynamo
from tvguide.update_expression import Update
from tvguide.web_push import MAX_DEVICES, PushDevice, PushDevices, push_devices_key

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
        return {
            "email_alerts": bool(item.get("email_alerts")),
            "email": item.get("email") or None,
            "email_frequency": item.get("email_frequency") or "instant",
        }

    def put(self, user_id: str, *, email_alerts: bool, email: str | None, frequency: str = "instant") -> None:
        """Only the viewer's own fields (the digest function keeps the week it sent on the same item). A
        weekly digest files the viewer under the digest index; anything else takes them off it."""
        update = Update().set("email_alerts", email_alerts).set("email_frequency", frequency)
        update.set("updated_at", iso_now())
        if email:  # a verified address (the route checks), marked so: the notifier mails no other
            update.set("email", email).set("email_verified", True)
        else:
            update.remove("email").remove("email_verified")
        if email_alerts and frequency == "weekly":
            update.set("gsi1pk", WEEKLY_DIGESTS).set("gsi1sk", f"USER#{user_id}")
        else:
            update.remove("gsi1pk").remove("gsi1sk")
        self.table.update_item(Key=alert_settings_key(user_id), **update.arguments())


# A pattern, not a token (bandit B105 / ruff S105 see "TOKEN"): secrets.token_urlsafe(32), 256 random bits.
# Both bearer secrets have it: a calendar link's and a household invite's.
SECRET_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # noqa: S105  # nosec B105


def token_digest(token: str) -> str:
    """What the table keeps of a bearer secret: its SHA-256, so the table's keys alone open nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_link_key(user_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": "CALENDAR_LINK"}


def calendar_feed_key(token: str) -> dict[str, str]:
    """Looked up by the token's SHA-256, so the table's keys alone never open a feed."""
    return {"pk": f"CALENDAR_FEED#{token_digest(token)}", "sk": "CALENDAR_FEED"}


class CalendarLinkStore(TableRepository):
    """A viewer's private calendar link: the token (kept on their own item, so the site can show the link
    again) and its lookup item (keyed by the token's hash, naming the viewer). Creating a link replaces
    the old one; revoking deletes both, so the old URL answers 404 at once."""

    def get(self, user_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key=calendar_link_key(user_id), ConsistentRead=True).get("Item")
        return {"token": item["token"], "created_at": item["created_at"]} if item else None

    def create(self, user_id: str) -> dict[str, Any]:
        token, now = secrets.token_urlsafe(32), iso_now()
        old = self.get(user_id)
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": calendar_link_key(user_id) | {"token": token, "created_at": now},
                }
            },
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": calendar_feed_key(token) | {"user_id": user_id, "created_at": now},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if old:
            writes.append({"Delete": {"TableName": self.table_name, "Key": calendar_feed_key(old["token"])}})
        # plain values: the resource's client types them
        self.resource.meta.client.transact_write_items(TransactItems=writes)
        return {"token": token, "created_at": now}

    def revoke(self, user_id: str) -> bool:
        """True when there was a link to revoke."""
        old = self.get(user_id)
        if not old:
            return False
        self.resource.meta.client.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": self.table_name, "Key": calendar_link_key(user_id)}},
                {"Delete": {"TableName": self.table_name, "Key": calendar_feed_key(old["token"])}},
            ]
        )
        return True

    def owner(self, token: str) -> str | None:
        """The viewer whose link this token is, or None (never a partial match: the key is the hash)."""
        item = self.table.get_item(Key=calendar_feed_key(token)).get("Item")
        return str(item["user_id"]) if item else None


class TooManyDevices(Conflict):
    """The viewer has MAX_DEVICES push devices already."""


class PushDeviceStore(PushDevices):
    """The viewer's push devices: one map entry per device (keyed by its endpoint's hash), so adding one
    never rewrites another, nor the notifier's removal of a device its push service says is gone."""

    def add(self, user_id: str, device: PushDevice) -> PushDevice:
        """Add or renew a device (the same endpoint keeps its id); TooManyDevices past MAX_DEVICES."""
        key = push_devices_key(user_id)
        self.table.update_item(
            Key=key,
            UpdateExpression="SET devices = if_not_exists(devices, :none)",
            ExpressionAttributeValues={":none": {}},
        )
        stored = device.model_copy(update={"created_at": iso_now()})
        try:
            self.table.update_item(
                Key=key,
                UpdateExpression="SET devices.#id = :device",
                ConditionExpression="attribute_exists(devices.#id) OR size(devices) < :max",
                ExpressionAttributeNames={"#id": device.device_id},
                ExpressionAttributeValues={":device": stored.model_dump(), ":max": MAX_DEVICES},
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            raise TooManyDevices(
                f"at most {MAX_DEVICES} devices get notifications: turn one off first"
            ) from None
        return stored
