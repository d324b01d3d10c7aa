"""Alerts that reach you (issue 22), on the local stack: a viewer turns push on for two devices and creates a
calendar link; a watchlisted title is announced to leave their service. A push service stub on localhost
receives the push, which decrypts with the device's own keys and carries the alert, signed with the stack's
VAPID key; the device whose push service answers 410 is forgotten, and the alert is in the app either way.
The calendar feed (no sign-in, the token is the key) holds the date, read by an independent parser; another
viewer's or a guessed token gets 404, and so does the link once revoked."""

from __future__ import annotations

import base64
import json
import random
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import vobject
from py_vapid import Vapid02

from stack_client import wait_until
from tests.integration.test_personal_guide import new_viewer
from tests.integration.test_viewer_api import sign_in
from tests.support.push_device import BrowserSubscription


class PushServiceStub:
    """A push service on localhost: records each push (path, headers, body); answers 410 under /gone/."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.received.append((self.path, dict(self.headers.items()), body))
                self.send_response(410 if self.path.startswith("/gone/") else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def pushes_to(self, prefix: str) -> list[tuple[str, dict[str, str], bytes]]:
        return [r for r in self.received if r[0].startswith(prefix)]


@pytest.fixture
def push_service():
    stub = PushServiceStub()
    yield stub
    stub.server.shutdown()


def test_a_leaving_alert_is_pushed_to_my_devices_and_in_my_calendar(stack, push_service):
    seeded = next(u for u in stack.info["users"] if u["role"] == "viewer")
    headers = {"Authorization": sign_in(stack, seeded["email"], seeded["password"])}
    base = stack.info["preferences_api"]["url"]
    seeded_prefs = requests.get(base + "/preferences", headers=headers, timeout=30).json()
    # One of the seeded viewer's services and their genres: titles already there, and no demand the pipeline
    # tests do not expect (a genre more would file that source's other titles too).
    source, genres = seeded_prefs["sources"][0], seeded_prefs["genres"]
    viewer = new_viewer(stack, [source], genres)
    other = new_viewer(stack, [source], genres)
    wait_until(lambda: (bool(viewer.get("/titles", limit=5)), "no titles yet"), 180, "the viewer's titles")
    # Past the first few (the browser tests move the first one's dates); any of the rest, so a run again on
    # the same stack takes one whose departure was not noticed yet (a departure is noticed once).
    title = random.choice([t for t in viewer.get("/titles", limit=50) if source in t["source_ids"]][5:])

    # Push on for two devices; a calendar link.
    push = viewer.get("/push")
    assert push["devices"] == [] and push["public_key"]
    phone = BrowserSubscription(push_service.origin + "/ok/phone")
    gone = BrowserSubscription(push_service.origin + "/gone/tablet")
    for device in (phone, gone):
        response = viewer("PUT", "/push/devices", json=device.subscription)
        assert response.status_code == 201, response.text
    assert len(viewer.get("/push")["devices"]) == 2
    hostile = BrowserSubscription("http://169.254.169.254/latest/meta-data/").subscription
    assert viewer("PUT", "/push/devices", json=hostile).status_code == 400  # not a push service
    created = viewer("POST", "/calendar")
    assert created.status_code == 201, created.text
    feed_url = base + created.json()["link"]["path"]

    assert viewer("PUT", f"/watchlist/{title['id']}").status_code == 200
    leaving = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    move = {"title_id": int(title["id"]), "source_id": int(source)}
    stack.fake_watchmode("/_fake/departures", move | {"leaving_date": leaving})
    try:
        result = stack.invoke(stack.info["functions"]["reference"], {"requested_by": "test_alerts_reach_you"})
        assert result["status"] == "succeeded", result

        wait_until(lambda: (bool(push_service.pushes_to("/ok/")), "no push yet"), 180, "the push")
        [(_, sent, body)] = push_service.pushes_to("/ok/")
        message = phone.read(body)  # only the device's own keys open it
        assert title["title"] in message["title"] and "leaves" in message["title"]
        assert message["url"] == "/#/main/watchlist"
        assert sent["Content-Encoding"] == "aes128gcm" and int(sent["TTL"]) > 0
        assert Vapid02.verify(sent["Authorization"])
        assert sent["Authorization"].endswith(
            "k=" + push["public_key"]
        )  # the key the browser subscribed with
        claims = json.loads(_b64(sent["Authorization"].split("t=")[1].split(",")[0].split(".")[1]))
        assert claims["aud"] == push_service.origin and claims["sub"].startswith("mailto:")

        # The 410 device is forgotten; the alert is in the app all the same.
        wait_until(
            lambda: (len(viewer.get("/push")["devices"]) == 1, "the gone device is still there"),
            60,
            "the gone device to be forgotten",
        )
        [alert] = [a for a in viewer.get("/notifications")["items"] if a["title_id"] == title["id"]]
        assert alert["leaving_on"] == leaving

        # The calendar, read with no sign-in by an independent parser.
        feed = requests.get(feed_url, timeout=30)
        assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
        events = vobject.readOne(feed.text).vevent_list
        # (a series' departure names its season: leaving-<title>-<source>-<season>@uk-tv-guide)
        uid = re.compile(rf"leaving-{title['id']}-{source}(-\d+)?@uk-tv-guide")
        [event] = [e for e in events if uid.fullmatch(e.uid.value)]
        assert event.dtstart.value.isoformat() == leaving and title["title"] in event.summary.value
        again = requests.get(feed_url, headers={"If-None-Match": feed.headers["ETag"]}, timeout=30)
        assert again.status_code == 304

        other_url = base + other("POST", "/calendar").json()["link"]["path"]
        other_feed = requests.get(other_url, timeout=30)
        assert other_feed.status_code == 200 and title["title"] not in other_feed.text  # not on theirs
        token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
        for guess in (token[:-1] + ("A" if token[-1] != "A" else "B"), "A" * 43, "short", token + "A"):
            response = requests.get(base + "/calendar-feeds/" + guess + ".ics", timeout=30)
            assert response.status_code == 404 and title["title"] not in response.text
        assert viewer("DELETE", "/calendar").status_code == 200
        assert requests.get(feed_url, timeout=30).status_code == 404
        assert requests.get(other_url, timeout=30).status_code == 200
    finally:
        stack.fake_watchmode("/_fake/departures", move | {"restore": True})
        stack.invoke(
            stack.info["functions"]["reference"], {"requested_by": "test_alerts_reach_you: restored"}
        )
        for someone in (viewer, other):  # later tests expect the seeded viewers' demand only
            someone("PUT", "/preferences", json={"sources": [], "genres": []})


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
