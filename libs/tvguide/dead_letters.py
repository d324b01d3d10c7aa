"""Sends records that can never succeed (poison) to the function's dead-letter queue, with the reason.

Handlers do this instead of raising, so one bad record neither blocks its shard nor is lost.
"""

from __future__ import annotations

import json
from typing import Any

from tvguide.models import iso_now


class DeadLetterQueue:
    def __init__(self, queue_url: str, client: Any) -> None:
        self.queue_url = queue_url
        self.client = client

    def send(self, *, component: str, reason: str, record: dict[str, Any]) -> None:
        body = {"component": component, "reason": reason, "failed_at": iso_now(), "record": record}
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(body, default=str))
