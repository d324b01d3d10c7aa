"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291): a viewer's devices, the
stack's VAPID keys, and sending one push. The encryption is `http_ece`'s and the signature `py_vapid`'s;
this module only puts the request together.

A viewer's push devices: one item, `USER#<sub>` / `PUSH_DEVICES`, a map of devices by id. The viewer API
adds and removes a device (one map entry each); the notifier removes one its push service says is gone
(404/410).

The VAPID key pair is made once, by the stack itself (the viewer API, when a site first asks for the public
key), and kept in Secrets Manager: a version put with a fixed client request token, so two first callers
cannot make two keys (the second put fails and reads the first's). Terraform creates the secret empty, so
the private key is never in its state.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Protocol
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pydantic import BaseModel, ConfigDict, Field

from tvguide.repositories import TableRepository

MAX_DEVICES = 10
PUSH_TTL_SECONDS = 24 * 3600  # the push service keeps an undelivered push this long
GONE = (404, 410)  # the push service's answer for a subscription that no longer exists
# An idempotency token, not a secret: bandit B105 / ruff S105 see "token".
VAPID_VERSION_TOKEN = "vapid-key-pair-0000000000000000000001"  # noqa: S105  # nosec B105 one first version, whoever puts it


def push_devices_key(user_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": "PUSH_DEVICES"}


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url_encode(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


class PushDevice(BaseModel):
    """A browser's push subscription (what `PushSubscription.toJSON()` gives), with a name the viewer sees."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    endpoint: str = Field(min_length=10, max_length=1024)
    p256dh: str = Field(min_length=80, max_length=100, pattern=r"^[A-Za-z0-9_-]+=*$")
    auth: str = Field(min_length=16, max_length=32, pattern=r"^[A-Za-z0-9_-]+=*$")
    label: str = Field(default="", max_length=80)
    created_at: str = ""

    @property
    def device_id(self) -> str:
        """Stable per subscription (its endpoint's hash): the same browser subscribing again replaces it."""
        return hashlib.sha256(self.endpoint.encode()).hexdigest()[:20]

    def keys_valid(self) -> bool:
        """A P-256 public key (65 bytes, uncompressed) and a 16-byte auth secret."""
        try:
            key, auth = b64url_decode(self.p256dh), b64url_decode(self.auth)
        except ValueError:
            return False
        return len(key) == 65 and key[0] == 4 and len(auth) == 16


def devices_from_item(item: Mapping[str, Any] | None) -> list[PushDevice]:
    """A viewer's devices from their item (an unreadable entry is left out), oldest first."""
    out = []
    for raw in ((item or {}).get("devices") or {}).values():
        try:
            out.append(PushDevice.model_validate(raw))
        except ValueError:
            continue
    return sorted(out, key=lambda d: (d.created_at, d.device_id))


class PushDevices(TableRepository):
    """A viewer's devices: read, and one removed (its map entry only). The viewer API also adds them (its
    own store); the notifier removes one whose push service says it is gone."""

    def list(self, user_id: str) -> list[PushDevice]:
        return devices_from_item(self.table.get_item(Key=push_devices_key(user_id)).get("Item"))

    def remove(self, user_id: str, device_id: str) -> None:
        """Idempotent."""
        self.table.update_item(
            Key=push_devices_key(user_id),
            UpdateExpression="REMOVE devices.#id",
            ExpressionAttributeNames={"#id": device_id},
        )


def endpoint_allowed(endpoint: str, origins: Iterable[str]) -> bool:
    """Whether a subscription's endpoint is on one of the push services we send to (`origins`: patterns
    such as `https://fcm.googleapis.com` or `https://*.notify.windows.com`). Sending a request to any URL a
    viewer hands us would let them aim the notifier at anything, so only known push services are allowed."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return False
    origin = f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")
    return any(fnmatchcase(origin, pattern) for pattern in origins)


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url of the raw 32-byte P-256 private key
    public_key: str  # base64url of the 65-byte uncompressed public point (the browser's applicationServerKey)

    @classmethod
    def generate(cls) -> VapidKeys:
        key = ec.generate_private_key(ec.SECP256R1())
        raw_private = key.private_numbers().private_value.to_bytes(32, "big")
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return cls(b64url_encode(raw_private), b64url_encode(public))

    @classmethod
    def from_secret(cls, text: str) -> VapidKeys:
        data = json.loads(text)
        return cls(str(data["private_key"]), str(data["public_key"]))

    def secret_text(self) -> str:
        return json.dumps({"private_key": self.private_key, "public_key": self.public_key})


def read_vapid_keys(client: Any, secret_id: str) -> VapidKeys | None:
    """The stack's VAPID keys, or None when none were made yet."""
    try:
        value = client.get_secret_value(SecretId=secret_id)
    except client.exceptions.ResourceNotFoundException:  # the secret has no value yet
        return None
    if not value.get("SecretString"):  # the local emulator: an empty version instead of none
        return None
    return VapidKeys.from_secret(str(value["SecretString"]))


def ensure_vapid_keys(client: Any, secret_id: str) -> VapidKeys:
    """The stack's VAPID keys, made and kept the first time (see the module's docstring)."""
    found = read_vapid_keys(client, secret_id)
    if found is not None:
        return found
    keys = VapidKeys.generate()
    # Another caller put the first version (the same token, another value): use theirs.
    with suppress(client.exceptions.ResourceExistsException, client.exceptions.InvalidRequestException):
        client.put_secret_value(
            SecretId=secret_id, SecretString=keys.secret_text(), ClientRequestToken=VAPID_VERSION_TOKEN
        )
    stored = read_vapid_keys(client, secret_id)
    if stored is None:
        raise RuntimeError("the VAPID keys could not be stored")
    return stored


class HttpPoster(Protocol):
    def post(self, url: str, *, data: bytes, headers: dict[str, str], timeout: float) -> Any: ...


def push_request(
    device: PushDevice, payload: Mapping[str, Any], keys: VapidKeys, subject: str, *, now: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """The encrypted body and the headers of one push to one device."""
    sender = ec.generate_private_key(ec.SECP256R1())  # a new key per message, as RFC 8291 asks
    body = http_ece.encrypt(
        json.dumps(dict(payload), separators=(",", ":")).encode(),
        salt=os.urandom(16),
        private_key=sender,
        dh=b64url_decode(device.p256dh),
        auth_secret=b64url_decode(device.auth),
        version="aes128gcm",
    )
    parts = urlsplit(device.endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "sub": subject,
        "exp": int(now if now is not None else time.time()) + 12 * 3600,
    }
    signed = Vapid02.from_raw(keys.private_key.encode()).sign(claims)
    headers = {
        "Authorization": signed["Authorization"],
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(PUSH_TTL_SECONDS),
        "Urgency": "normal",
    }
    return bytes(body), headers


def send_push(
    http: HttpPoster, device: PushDevice, payload: Mapping[str, Any], keys: VapidKeys, subject: str
) -> int:
    """POST one push; returns the push service's status (201 on success; 404/410: the device is gone)."""
    body, headers = push_request(device, payload, keys, subject)
    response = http.post(device.endpoint, data=body, headers=headers, timeout=10)
    return int(response.status_code)
