"""A browser's side of a Web Push subscription, for tests: its own P-256 key pair and auth secret (what
`PushSubscription.toJSON()` gives the server), and reading what a push service was sent for it."""

from __future__ import annotations

import json
import os
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tvguide.web_push import PushDevice, b64url_encode


class BrowserSubscription:
    def __init__(self, endpoint: str = "https://fcm.googleapis.com/fcm/send/device-1") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.subscription: dict[str, Any] = {
            "endpoint": endpoint,
            "keys": {"p256dh": b64url_encode(public), "auth": b64url_encode(self.auth)},
        }

    @property
    def endpoint(self) -> str:
        return str(self.subscription["endpoint"])

    @property
    def device(self) -> PushDevice:
        return PushDevice(endpoint=self.endpoint, **self.subscription["keys"])

    def read(self, body: bytes) -> dict[str, Any]:
        """The push's JSON, decrypted with this browser's keys only."""
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return dict(json.loads(plain))
