"""The personal guide in a real browser: a service nobody had fills within seconds of saving it; search
finds a title by an unaccented prefix; it is bookmarked from the results; when an ingestion run makes it
available on the viewer's service, the bell shows the alert; the watchlist shows it streamable."""

from __future__ import annotations

import uuid

import pytest
import requests

from fake_watchmode.catalogue import Catalogue
from stack_client import wait_for_job, wait_until
from tests.e2e.conftest import accessibility_violations, screenshot, sign_in, token_of

MINE, OTHER = "17", "18"  # small services nobody else in the tests picks
TITLE, NAME = "1003181", "Señora Acero"  # on 349, 376 and 408 in the fake catalogue


def put_on(stack, source):
    change = {"title_id": int(TITLE), "source_id": int(source), "available": True}
    stack.fake_watchmode("/_fake/availability", change)


def cognito_user(stack):
    cognito, pool = stack.client("cognito-idp"), stack.info["cognito"]["user_pool_id"]
    email, password = f"e2e-{uuid.uuid4().hex[:8]}@tvguide.local", "Guide-Local-2026!x"
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    return {"email": email, "password": password}


def api_token(stack, user):
    result = stack.client("cognito-idp").initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=stack.info["cognito"]["client_id"],
        AuthParameters={"USERNAME": user["email"], "PASSWORD": user["password"]},
    )
    return result["AuthenticationResult"]["IdToken"]


@pytest.fixture(scope="module")
def newcomer(stack):
    """A viewer with no preferences yet; the title is known to the guide (another viewer's service has
    it) but on none of the services the newcomer will pick."""
    stack.fake_watchmode(
        "/_fake/availability", {"title_id": int(TITLE), "source_id": int(OTHER), "available": True}
    )
    other = cognito_user(stack)
    headers = {"Authorization": api_token(stack, other)}
    base = stack.info["preferences_api"]["url"]
    assert requests.put(f"{base}/preferences", json={"sources": [OTHER]}, headers=headers, timeout=30).ok

    def known():
        found = requests.get(f"{base}/search", params={"q": "senora"}, headers=headers, timeout=30).json()
        return bool(found["count"]), "not yet"

    wait_until(known, 180, "the other viewer's service to be fetched")
    return cognito_user(stack)


def test_a_service_nobody_had_shows_its_titles_within_seconds(page, site, stack, newcomer):
    watchmode = stack.info["watchmode"]
    catalogue = Catalogue(seed=watchmode["catalogue_seed"], size=watchmode["catalogue_size"])
    expected = len(catalogue.matching({int(MINE)}))
    sign_in(page, site, newcomer)
    page.wait_for_selector("#titlesLoading.d-none", state="attached")
    assert "No titles found" in page.inner_text("#titlesContainer")
    page.click("#main-nav-tabs a[data-page='preferences']")
    page.click(f"#availableSourcesList label[for='source-{MINE}']")
    page.click("#updatePreferencesBtn")
    page.wait_for_selector(".alert-success")
    page.click("#main-nav-tabs a[data-page='titles']")
    page.wait_for_function(
        f"() => document.querySelectorAll('#titlesContainer .title-card').length >= {min(expected, 24)}",
        timeout=60_000,
    )
    page.wait_for_selector("#fetchingNotice.d-none", state="attached", timeout=90_000)
    screenshot(page, "titles-fetched")


def test_search_bookmark_alert_and_watchlist(page, site, stack, newcomer):
    sign_in(page, site, newcomer)
    page.fill("#searchInput", "senora ac")
    page.press("#searchInput", "Enter")
    page.wait_for_url("**#/main/search?q=senora%20ac")
    card = page.wait_for_selector(f"#searchResults .title-card[data-title-id='{TITLE}']")
    assert card.query_selector(".card-title").inner_text() == NAME
    assert "Not on your services" in card.inner_text()
    screenshot(page, "search")
    toggle = card.query_selector(".bookmark-toggle")
    toggle.click()
    page.wait_for_selector(f"#searchResults .bookmark-toggle[data-title-id='{TITLE}'][aria-pressed='true']")

    page.click("#main-nav-tabs a[data-page='watchlist']")
    page.wait_for_selector(f"#watchlistContainer .title-card[data-title-id='{TITLE}']")
    page.check("#watchlistStreamable")
    page.wait_for_selector("#watchlistContainer >> text=No titles found")
    page.uncheck("#watchlistStreamable")
    page.click("#watchlistAlertSettings")  # the alert channels live on one page
    page.check("#emailAlertsToggle")
    page.wait_for_selector("#emailAlertsStatus >> text=Saved")
    assert not page.is_visible("#notificationsCount")

    # An ingestion run makes it available on the newcomer's service: the bell shows the alert.
    stack.fake_watchmode(
        "/_fake/availability", {"title_id": int(TITLE), "source_id": int(MINE), "available": True}
    )
    report = stack.invoke(stack.info["functions"]["ingestion"], {"requested_by": "e2e"})
    assert wait_for_job(stack, report["job_id"], seconds=300).status == "succeeded"
    token, base = token_of(page), stack.info["preferences_api"]["url"]

    def alerted():  # the notifier runs on the table's stream: the bell's next poll is a minute away
        unread = requests.get(f"{base}/notifications", headers={"Authorization": token}, timeout=30).json()
        return unread["unread"] >= 1, f"unread={unread['unread']}"

    wait_until(alerted, 180, "the alert to be made")
    page.reload()
    page.wait_for_selector("#notificationsCount:not(.d-none)")
    assert page.inner_text("#notificationsCount") == "1"
    screenshot(page, "alert-bell")
    page.click("#notificationsBell")
    item = page.wait_for_selector(f"#alertsList .alert-item.unread[data-title-id='{TITLE}']")
    assert f"{NAME} is now on" in item.inner_text()
    screenshot(page, "alerts")
    page.click("#markAlertsRead")
    page.wait_for_selector("#alertsList .alert-item:not(.unread)")
    page.wait_for_selector("#notificationsCount.d-none", state="attached")

    page.click("#main-nav-tabs a[data-page='watchlist']")
    page.check("#watchlistStreamable")
    streamable = page.wait_for_selector(f"#watchlistContainer .title-card[data-title-id='{TITLE}']")
    assert "On " in streamable.query_selector(".card-note").inner_text()
    screenshot(page, "watchlist")
    # The modal's toggle follows the watchlist too.
    streamable.query_selector(".title-open").click()
    page.wait_for_selector("#titleModalBookmark[aria-pressed='true']")
    page.click("#titleModalBookmark")
    page.wait_for_selector("#titleModalBookmark[aria-pressed='false']")


def test_the_new_pages_have_no_serious_accessibility_violations(browser, site, newcomer):
    def signed_in_at(route):
        def prepare(page):
            page.fill("#signInEmail", newcomer["email"])
            page.fill("#signInPassword", newcomer["password"])
            page.click("#signInSubmit")
            page.wait_for_selector("#user-greeting:not(.d-none)")
            page.goto(site + route)
            page.wait_for_selector("#page-content")
            page.wait_for_timeout(2500)

        return prepare

    found = {
        route: accessibility_violations(browser, site, signed_in_at(route))
        for route in ("#/main/watchlist", "#/main/alerts", "#/main/search?q=cafe")
    }
    assert found == {k: [] for k in found}
