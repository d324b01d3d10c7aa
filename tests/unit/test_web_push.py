"""Web Push: the stack makes its VAPID keys once; a viewer's devices (known push services only, valid keys,
at most 10); the notifier pushes each alert once to every device, decryptable with the device's keys and
signed with the stack's key; a device its push service says is gone (404/410) is forgotten, and a failed
push never loses the alert."""

import json
import os

import boto3
import pytest
from py_vapid import Vapid02

from tests.support.events import FakeContext, api_event
from tests.support.push_device import BrowserSubscription
from tests.unit.test_notifier import CHANGE, Alerts, Directory
from tvguide.runtime import forget_vapid_keys, vapid_keys
from tvguide.web_push import (
    PushDevice,
    PushDevices,
    VapidKeys,
    endpoint_allowed,
    ensure_vapid_keys,
    push_devices_key,
)
from tvguide_notifier.logic import Watcher, notify
from tvguide_preferences_api import handler as api

SECRET = os.environ["WEB_PUSH_SECRET_ARN"]


def call(method, path, **kwargs):
    response = api.lambda_handler(api_event(method, path, **kwargs), FakeContext())
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


@pytest.fixture
def push_env(api_env):
    boto3.client("secretsmanager").create_secret(Name=SECRET)
    forget_vapid_keys()
    yield api_env
    forget_vapid_keys()


def test_the_stack_makes_its_keys_once(push_env):
    client = boto3.client("secretsmanager")
    first = ensure_vapid_keys(client, SECRET)
    assert ensure_vapid_keys(client, SECRET) == first  # kept, not made again
    # Two first callers at once: the second put (same version token, other keys) loses and reads the first's.
    client.delete_secret(SecretId=SECRET, ForceDeleteWithoutRecovery=True)
    client.create_secret(Name=SECRET)
    winner = ensure_vapid_keys(client, SECRET)
    with pytest.raises(client.exceptions.ClientError):
        client.put_secret_value(
            SecretId=SECRET, SecretString=VapidKeys.generate().secret_text(),
            ClientRequestToken="vapid-key-pair-0000000000000000000001",
        )  # fmt: skip
    assert ensure_vapid_keys(client, SECRET) == winner


def test_devices_are_added_checked_and_removed(push_env):
    status, body = call("GET", "/push", sub="ann")
    assert status == 200 and body["devices"] == [] and body["limit"] == 10
    public_key = body["public_key"]
    assert public_key == vapid_keys(api.settings()).public_key and len(public_key) == 87  # 65 bytes

    phone = BrowserSubscription()
    status, body = call(
        "PUT", "/push/devices", sub="ann", body=phone.subscription | {"label": " Ann's  phone "}
    )
    assert status == 201 and body["device"]["label"] == "Ann's phone"
    assert (
        call("PUT", "/push/devices", sub="ann", body=phone.subscription)[0] == 201
    )  # again: the same device
    devices = call("GET", "/push", sub="ann")[1]["devices"]
    assert [d["id"] for d in devices] == [phone.device.device_id]

    hostile = [
        BrowserSubscription(
            "https://evil.example/collect"
        ).subscription,  # not a push service: the notifier never posts there
        BrowserSubscription("http://fcm.googleapis.com/fcm/send/x").subscription,  # not https
        BrowserSubscription().subscription
        | {"keys": {"p256dh": "A" * 87, "auth": "B" * 22}},  # not a P-256 point
        {"endpoint": "https://fcm.googleapis.com/x"},  # no keys
    ]
    for subscription in hostile:
        status, body = call("PUT", "/push/devices", sub="ann", body=subscription)
        assert status == 400, subscription
    for n in range(9):
        assert (
            call(
                "PUT",
                "/push/devices",
                sub="ann",
                body=BrowserSubscription(f"https://fcm.googleapis.com/d{n}").subscription,
            )[0]
            == 201
        )
    status, body = call(
        "PUT",
        "/push/devices",
        sub="ann",
        body=BrowserSubscription("https://fcm.googleapis.com/d11").subscription,
    )
    assert status == 409 and "at most 10" in body["message"]

    assert call("DELETE", f"/push/devices/{phone.device.device_id}", sub="ann")[0] == 200
    assert call("DELETE", f"/push/devices/{phone.device.device_id}", sub="ann")[0] == 200  # idempotent
    assert len(call("GET", "/push", sub="ann")[1]["devices"]) == 9
    assert call("GET", "/push", sub="bob")[1]["devices"] == []  # only your own


def test_endpoint_patterns():
    allowed = ("https://fcm.googleapis.com", "https://*.notify.windows.com", "http://127.0.0.1:*")
    assert endpoint_allowed("https://fcm.googleapis.com/fcm/send/x", allowed)
    assert endpoint_allowed("https://db5p.notify.windows.com/w/?token=x", allowed)
    assert endpoint_allowed("http://127.0.0.1:8123/push/1", allowed)
    bad_ones = (
        "https://notify.windows.com.evil.example/x",
        "https://user@fcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",
        "http://127.0.0.2:80/x",
        "javascript:alert(1)",
        "not a url",
    )
    for bad in bad_ones:
        assert not endpoint_allowed(bad, allowed), bad


class Pusher:
    """The notifier's pusher, against push services that answer as told; reads what each device got."""

    def __init__(self, keys, answers):
        self.keys, self.answers, self.received, self.forgotten = keys, answers, [], []

    def push(self, device, payload):
        from tvguide.web_push import push_request

        body, headers = push_request(device, payload, self.keys, "mailto:alerts@tvguide.test")
        answer = self.answers.get(device.endpoint, 201)
        if isinstance(answer, Exception):
            raise answer
        self.received.append((device.endpoint, body, headers))
        return answer

    def forget(self, user_id, device):
        self.forgotten.append((user_id, device.endpoint))


class PushAlerts(Alerts):
    def claim_push(self, user_id, alert_id):
        item = self.items[(user_id, alert_id)]
        if "pushed_at" in item:
            return False
        item["pushed_at"] = "now"
        return True


def test_each_alert_is_pushed_once_to_every_device():
    keys = VapidKeys.generate()
    phone, laptop, gone, broken = (
        BrowserSubscription(f"https://fcm.googleapis.com/{n}") for n in ("p", "l", "g", "b")
    )
    ann = Watcher(
        "ann", frozenset({"203"}), devices=(phone.device, laptop.device, gone.device, broken.device)
    )
    answers = {gone.subscription["endpoint"]: 410, broken.subscription["endpoint"]: ConnectionError("reset")}
    pusher, alerts = Pusher(keys, answers), PushAlerts()
    report = notify(CHANGE, Directory([ann]), alerts, None, source_names={"203": "Netflix"}, pusher=pusher)
    assert (report.alerts_created, report.pushes_sent, report.devices_gone, report.pushes_failed) == (
        1,
        2,
        1,
        1,
    )
    assert pusher.forgotten == [("ann", gone.subscription["endpoint"])]
    for browser in (phone, laptop):
        [(_, body, headers)] = [r for r in pusher.received if r[0] == browser.subscription["endpoint"]]
        message = browser.read(body)
        assert message["title"] == "Amélie is now on Netflix" and message["url"] == "/#/main/watchlist"
        assert headers["Content-Encoding"] == "aes128gcm" and int(headers["TTL"]) > 0
        assert Vapid02.verify(headers["Authorization"])  # signed by the stack's key...
        assert headers["Authorization"].endswith(
            "k=" + keys.public_key
        )  # ...the one browsers subscribed with
    # The alert is in the app whatever the pushes did; delivered again, nothing is pushed twice.
    assert ("ann", CHANGE.at + "#" + CHANGE.change_id) in alerts.items
    again = notify(CHANGE, Directory([ann]), alerts, None, source_names={}, pusher=pusher)
    assert again.pushes_sent == 0 and len(pusher.received) == 3


def test_the_notifier_reads_devices_and_forgets_gone_ones(push_env):
    from tvguide_notifier.store import WatcherStore, WebPusher

    table = push_env["table"]
    phone = BrowserSubscription()
    device = phone.device.model_dump() | {"created_at": "2026-12-01T00:00:00+00:00"}
    table.put_item(Item=push_devices_key("ann") | {"devices": {phone.device.device_id: device}})
    table.put_item(Item={"pk": "USER#ann", "sk": "PREFERENCES", "sources": ["203"]})
    store = WatcherStore(table.name)
    [watcher] = store.profiles(["ann"]).values()
    assert watcher.devices == (PushDevice.model_validate(device),)
    devices = PushDevices(table.name, resource_factory=lambda: boto3.resource("dynamodb"))
    allowed = ("https://fcm.googleapis.com",)
    pusher = WebPusher(devices, keys=lambda: None, subject="mailto:x@y.z", allowed=allowed, http=None)
    pusher.forget("ann", phone.device)
    assert store.profiles(["ann"])["ann"].devices == ()
    evil = PushDevice(endpoint="https://evil.example/x", **phone.subscription["keys"])
    with pytest.raises(PermissionError):
        pusher.push(evil, {"title": "x"})  # a device stored before the rules changed: still never posted to
