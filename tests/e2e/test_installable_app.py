"""The installable app (issue 22) in Chromium: the manifest and service worker pass Chromium's installability
checks; a second visit with the network cut shows the guide it saw, with the offline notice; the settings
page turns push on for this device (a subscription on the server) and off again, chooses a weekly email
digest, and makes and revokes the calendar link (the old URL answers 404).

Headless Chromium here has no push service to subscribe with (it would call Google's), so the test gives the
page a browser subscription of its own making (`PushManager.subscribe` stubbed with real P-256 keys); what
happens after — the page's request, the server's checks and the stored device — is the product's."""

from __future__ import annotations

import json
import os
import uuid

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Watched, api_json, screenshot, sign_in, token_of
from tests.e2e.test_site import card_ids, wait_loaded
from tvguide.web_push import b64url_encode


@pytest.fixture
def profile_page(browser, tmp_path):
    """A page in a browser profile of its own, as a viewer's is: Chromium installs no app from an incognito
    context, which is what a new context is."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(60_000)
    watched = Watched(page)
    yield page, watched
    context.close()
    assert not watched.unexpected(), watched.unexpected()


def test_the_app_installs_and_opens_offline_with_what_it_last_saw(profile_page, site, users):
    page, watched = profile_page
    sign_in(page, site, users["viewer"])
    wait_loaded(page, "titlesLoading")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => Boolean(r.active))")
    page.wait_for_function("Boolean(navigator.serviceWorker.controller)")
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("manifest.webmanifest")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    page.reload()  # under the service worker now: the answers it shows are kept for offline use
    wait_loaded(page, "titlesLoading")
    online_titles = card_ids(page, "titlesContainer")
    assert online_titles
    page.click("#main-nav-tabs a[data-page='watchlist']")
    page.wait_for_selector("#watchlistCount:not(:empty)")
    watchlist_count = page.inner_text("#watchlistCount")
    page.click("#main-nav-tabs a[data-page='titles']")
    wait_loaded(page, "titlesLoading")
    assert not page.is_visible("#offlineNotice")

    watched.allow_console(
        "Failed to load resource"
    )  # the API, unreachable: what the page then shows is the test
    watched.allow_console("ERR_INTERNET_DISCONNECTED")
    page.context.set_offline(True)
    try:
        page.reload()
        wait_loaded(page, "titlesLoading")
        assert card_ids(page, "titlesContainer") == online_titles
        assert page.is_visible("#offlineNotice") and "offline" in page.inner_text("#offlineNotice")
        page.click("#main-nav-tabs a[data-page='watchlist']")
        page.wait_for_selector("#watchlistCount:not(:empty)")
        assert page.inner_text("#watchlistCount") == watchlist_count
        page.click("#main-nav-tabs a[data-page='titles']")
        wait_loaded(page, "titlesLoading")
        screenshot(page, "offline")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "offline-phone")
    finally:
        page.context.set_offline(False)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    wait_loaded(page, "titlesLoading")
    assert not page.is_visible("#offlineNotice")


def browser_subscription() -> dict[str, object]:
    """What a browser's PushSubscription.toJSON() gives: a push service's endpoint and real P-256 keys."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {
        "endpoint": f"http://127.0.0.1:9/e2e/{uuid.uuid4().hex}",  # nothing listens there: no push is sent
        "expirationTime": None,
        "keys": {"p256dh": b64url_encode(public), "auth": b64url_encode(os.urandom(16))},
    }


STUB_PUSH_MANAGER = """
(subscription) => {
  let current = null;
  const made = () => ({
    endpoint: subscription.endpoint,
    toJSON: () => subscription,
    unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    if (!(options && options.applicationServerKey && options.applicationServerKey.byteLength === 65)) {
      throw new Error("no applicationServerKey");
    }
    window.__subscribedWithKey = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)));
    current = made();
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
}
"""


def test_settings_turn_push_on_and_off_and_the_calendar_link_is_revocable(page, site, users, stack):
    subscription = browser_subscription()
    page.add_init_script(f"({STUB_PUSH_MANAGER})({json.dumps(subscription)})")
    origin = site.split("/", 3)[:3]
    page.context.grant_permissions(["notifications"], origin="/".join(origin))
    sign_in(page, site, users["viewer"])
    token = token_of(page)
    page.click("#main-nav-tabs a[data-page='settings']")
    page.wait_for_selector("#pushToggle:not([disabled])")
    before, _ = api_json(stack, token, "/push")

    page.click("#pushToggle")
    page.wait_for_selector("#pushStatus >> text=on for this device")
    after, _ = api_json(stack, token, "/push")
    [added] = [d for d in after["devices"] if d not in before["devices"]]
    assert added["label"].startswith("Chrome on ")
    assert page.locator(f"#pushDevices [data-device-id='{added['id']}']").inner_text().count("this device")
    key = page.evaluate("window.__subscribedWithKey")
    assert key.replace("+", "-").replace("/", "_").rstrip("=") == after["public_key"]  # the stack's key
    assert page.inner_text("#pushToggle") == "Turn off on this device"

    if page.is_checked("#emailAlertsToggle"):  # another test's choice: start from no emails
        page.uncheck("#emailAlertsToggle")
        page.wait_for_selector("#emailAlertsStatus >> text=no emails")
    assert page.is_disabled("#emailFrequency")  # how often only matters with emails on
    page.check("#emailAlertsToggle")
    page.wait_for_selector("#emailAlertsStatus >> text=Saved")
    page.select_option("#emailFrequency", "weekly")
    page.wait_for_selector("#emailAlertsStatus >> text=a weekly digest")
    settings, _ = api_json(stack, token, "/notifications/settings")
    assert settings["email_frequency"] == "weekly" and settings["email_alerts"]

    if page.is_visible("#calendarRevoke"):  # a link of an earlier run: start from none
        page.click("#calendarRevoke")
        page.wait_for_selector("#calendarStatus >> text=Revoked")
    page.click("#calendarCreate")
    page.wait_for_selector("#calendarUrl")
    url = page.input_value("#calendarUrl")
    assert url.startswith(stack.info["preferences_api"]["url"] + "/calendar-feeds/")
    feed = requests.get(url, timeout=30)
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
    screenshot(page, "settings")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "settings-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("#calendarRevoke")
    page.wait_for_selector("#calendarStatus >> text=Revoked")
    assert requests.get(url, timeout=30).status_code == 404
    page.click("#pushToggle")
    page.wait_for_selector("#pushStatus >> text=off on this device")
    final, _ = api_json(stack, token, "/push")
    assert final["devices"] == before["devices"]
    page.select_option("#emailFrequency", "instant")
    page.wait_for_selector("#emailAlertsStatus >> text=each alert")
    page.uncheck("#emailAlertsToggle")
    page.wait_for_selector("#emailAlertsStatus >> text=no emails")
