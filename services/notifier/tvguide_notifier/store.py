"""The notifier's reads (a title's watchers: one Query on gsi1; their preferences, alert settings and push
devices: one batch read) and its own writes: alerts, created once per change, their `emailed_at` and
`pushed_at`, and removing a device its push service says is gone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.alerts import (
    ALERT_RETENTION_DAYS,
    WATCHERS_PREFIX,
    WEEKLY_DIGESTS,
    alert_key,
    alert_settings_key,
    preferences_key,
)
from tvguide.models import iso_now
from tvguide.repositories import GSI1, TableRepository, from_dynamo, to_dynamo
from tvguide.web_push import (
    PushDevice,
    PushDevices,
    VapidKeys,
    devices_from_item,
    endpoint_allowed,
    push_devices_key,
    send_push,
)
from tvguide_notifier.digest import DigestViewer
from tvguide_notifier.logic import Watcher


class WatcherStore(TableRepository):
    def watchers(self, title_id: str) -> list[str]:
        rows = self._query_all(
            IndexName=GSI1, KeyConditionExpression=Key("gsi1pk").eq(f"{WATCHERS_PREFIX}{title_id}")
        )
        return [str(row["gsi1sk"]).removeprefix("USER#") for row in rows]

    def profiles(self, user_ids: Iterable[str]) -> dict[str, Watcher]:
        users = list(dict.fromkeys(user_ids))
        keys = [k for u in users for k in (preferences_key(u), alert_settings_key(u), push_devices_key(u))]
        items = {(str(i["pk"]), str(i["sk"])): i for i in self.batch_get(keys)}
        found = {}
        for user in users:
            prefs = items.get((f"USER#{user}", preferences_key(user)["sk"])) or {}
            settings = items.get((f"USER#{user}", alert_settings_key(user)["sk"])) or {}
            # Only an address saved as verified (settings saved before that check carry no flag); a viewer who
            # chose the weekly digest gets no email per alert.
            wanted = settings.get("email_alerts") and settings.get("email_verified") is True
            wanted = wanted and (settings.get("email_frequency") or "instant") == "instant"
            email = settings.get("email") if wanted else None
            devices = devices_from_item(items.get((f"USER#{user}", push_devices_key(user)["sk"])))
            sources = frozenset(str(s) for s in prefs.get("sources") or ())
            found[user] = Watcher(user, sources, email or None, tuple(devices))
        return found


class AlertWriter(TableRepository):
    def create(self, user_id: str, alert: Mapping[str, Any]) -> bool:
        """True when created; False when this change's alert exists already (a re-delivered change)."""
        purge_at = int(datetime.fromisoformat(str(alert["at"])).timestamp()) + ALERT_RETENTION_DAYS * 86400
        item = (
            alert_key(user_id, str(alert["alert_id"]))
            | dict(alert)
            | {
                "created_at": iso_now(),
                "purge_at": purge_at,
            }
        )
        try:
            self.table.put_item(Item=to_dynamo(item), ConditionExpression="attribute_not_exists(pk)")
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get(self, user_id: str, alert_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key=alert_key(user_id, alert_id)).get("Item")
        return from_dynamo(item) if item else None

    def claim_email(self, user_id: str, alert_id: str) -> bool:
        """Claim the alert's one email before sending it (a conditional write): False when it was emailed,
        or another delivery of the change claimed it, so a retried delivery never sends it twice."""
        try:
            self.table.update_item(
                Key=alert_key(user_id, alert_id),
                UpdateExpression="SET email_claimed_at = :now",
                ConditionExpression=(
                    "attribute_not_exists(emailed_at) AND attribute_not_exists(email_claimed_at)"
                ),
                ExpressionAttributeValues={":now": iso_now()},
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def claim_push(self, user_id: str, alert_id: str) -> bool:
        """Claim the alert's pushes before sending them: False when they were claimed (sent, or being sent
        by another delivery of the change)."""
        try:
            self.table.update_item(
                Key=alert_key(user_id, alert_id),
                UpdateExpression="SET pushed_at = :now",
                ConditionExpression="attribute_not_exists(pushed_at)",
                ExpressionAttributeValues={":now": iso_now()},
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_email(self, user_id: str, alert_id: str) -> None:
        """The send failed: let a retried delivery claim and send it."""
        self.table.update_item(Key=alert_key(user_id, alert_id), UpdateExpression="REMOVE email_claimed_at")

    def mark_emailed(self, user_id: str, alert_id: str) -> None:
        self.table.update_item(
            Key=alert_key(user_id, alert_id),
            UpdateExpression="SET emailed_at = :now",
            ExpressionAttributeValues={":now": iso_now()},
        )


class WebPusher:
    """Sends a push with the stack's VAPID keys (read when first needed), to endpoints on the allowed push
    services only, and forgets a device its push service says is gone (the viewer's map entry only)."""

    def __init__(
        self,
        devices: PushDevices,
        *,
        keys: Callable[[], VapidKeys | None],
        subject: str,
        allowed: tuple[str, ...],
        http: Any,
    ) -> None:
        self.devices, self._keys, self.subject = devices, keys, subject
        self.allowed, self.http = allowed, http

    def push(self, device: PushDevice, payload: Mapping[str, Any]) -> int:
        if not endpoint_allowed(device.endpoint, self.allowed):
            raise PermissionError("the device's endpoint is not on an allowed push service")
        keys = self._keys()
        if keys is None:
            raise RuntimeError("no VAPID keys: no browser has subscribed on this stack")
        return send_push(self.http, device, payload, keys, self.subject)

    def forget(self, user_id: str, device: PushDevice) -> None:
        self.devices.remove(user_id, device.device_id)


class SesMailer:
    def __init__(self, client: Any, sender: str) -> None:
        self.client = client
        self.sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        self.client.send_email(
            Source=self.sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            },
        )


class DigestStore(TableRepository):
    """The viewers who chose a weekly digest (one Query on gsi1), their sources and genres (one batch read),
    and the week each was last sent (`digest_week` on their alert settings: this function's only write)."""

    def digest_viewers(self) -> list[DigestViewer]:
        settings = list(
            self._query_all(IndexName=GSI1, KeyConditionExpression=Key("gsi1pk").eq(WEEKLY_DIGESTS))
        )
        wanted = [
            s for s in settings
            if s.get("email_alerts") and s.get("email_verified") is True and s.get("email")
            and s.get("email_frequency") == "weekly"
        ]  # fmt: skip
        users = [str(s["pk"]).removeprefix("USER#") for s in wanted]
        prefs = {str(i["pk"]): i for i in self.batch_get([preferences_key(u) for u in users])}
        viewers = []
        for user, item in zip(users, wanted, strict=True):
            chosen = prefs.get(f"USER#{user}") or {}
            viewers.append(
                DigestViewer(
                    user,
                    str(item["email"]),
                    tuple(str(s) for s in chosen.get("sources") or ()),
                    frozenset(str(g) for g in chosen.get("genres") or ()),
                    str(item["digest_week"]) if item.get("digest_week") else None,
                )
            )
        return viewers

    def claim_week(self, user_id: str, week: str) -> bool:
        try:
            self.table.update_item(
                Key=alert_settings_key(user_id),
                UpdateExpression="SET digest_week = :week",
                ConditionExpression="attribute_exists(pk) AND "
                "(attribute_not_exists(digest_week) OR digest_week <> :week)",
                ExpressionAttributeValues={":week": week},
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_week(self, user_id: str, week: str, previous: str | None) -> None:
        """The send failed: put back the week it had, so the next run sends this one."""
        if previous:
            self.table.update_item(
                Key=alert_settings_key(user_id),
                UpdateExpression="SET digest_week = :previous",
                ExpressionAttributeValues={":previous": previous},
            )
        else:
            self.table.update_item(Key=alert_settings_key(user_id), UpdateExpression="REMOVE digest_week")
