"""Households and imports in a real browser: Ann creates a household and an invite link; Bob opens the link,
signs in and joins; both see the same "watch together" titles the API gives, and "surprise me" opens one of
the best. Bob brings his Letterboxd watchlist along, adds it, and undoes it; a binary file is refused."""

from __future__ import annotations

import csv
import io

from tests.e2e.conftest import accessibility_violations, api_json, screenshot, sign_in, token_of
from tests.e2e.test_site import card_ids
from tests.integration.conftest import catalogue as catalogue_fixture
from tests.integration.test_households import _seeded_services
from tests.integration.test_personal_guide import new_viewer

PASSWORD = "Guide-Local-2026!x"  # new_viewer's
catalogue = catalogue_fixture  # the fake's catalogue, as the integration tests have it


def _sign_in_here(page, email):
    page.fill("#signInEmail", email)
    page.fill("#signInPassword", PASSWORD)
    page.click("#signInSubmit")
    page.wait_for_selector("#user-greeting:not(.d-none)")


def test_two_viewers_form_a_household_and_watch_together_in_the_browser(browser, page, site, stack):
    sources, genres = _seeded_services(stack)
    ann = new_viewer(stack, sources, genres[:2])
    bob = new_viewer(stack, sources[:1], genres[1:])

    sign_in(page, site, {"email": ann.email, "password": PASSWORD})
    page.click("#main-nav-tabs [data-page='household']")
    page.wait_for_selector("#householdCreateCard")
    page.fill("#householdName", "Flat 2 «Upstairs»")
    page.fill("#householdYourName", "Ann")
    page.click("#householdCreate")
    page.wait_for_selector("#householdTitle")
    assert page.inner_text("#householdTitle") == "Flat 2 «Upstairs»"
    page.click("#householdInviteCreate")
    page.wait_for_selector("#householdInvites li")  # listed once the page reloaded, the link still shown
    link = page.input_value("#householdInviteLink")
    assert "#/household/join?token=" in link
    assert page.locator("#householdInvites li").count() == 1

    context = browser.new_context(viewport={"width": 390, "height": 844})
    other = context.new_page()
    other.set_default_timeout(60_000)
    try:
        other.goto(link)
        _sign_in_here(other, bob.email)
        other.wait_for_selector("#joinHouseholdButton")
        assert other.inner_text("#joinHouseholdName") == "Flat 2 «Upstairs»"
        other.fill("#joinName", "Bob")
        other.click("#joinHouseholdButton")
        other.wait_for_selector("#householdMembers")
        names = other.eval_on_selector_all(
            "#householdMembers .member-name", "els => els.map(e => e.textContent)"
        )
        assert names == ["Ann", "Bob"]
        other.wait_for_function(
            "() => /household's services/.test(document.querySelector('#togetherStatus').textContent)"
        )
        together, _ = api_json(stack, token_of(other), "/household/together?limit=30&how=included_or_free")
        assert card_ids(other, "togetherGrid") == [t["id"] for t in together["items"]]
        assert other.locator("#togetherGrid .title-card:visible").count() == min(12, len(together["items"]))
        assert together["items"], "the household has titles to watch together"
        other.click("#togetherSurprise")
        other.wait_for_selector("#titleModal", state="visible")
        picked = other.inner_text("#titleModalTitle")
        assert picked in [t["title"] for t in together["items"][:10]]
        other.keyboard.press("Escape")
        screenshot(other, "household-phone")
        # Bob's services are the household's: the preferences page says so and locks them.
        other.goto(site + "#/main/preferences")
        other.wait_for_selector("#preferencesHousehold")
        assert other.locator("#availableSourcesList input:not([disabled])").count() == 0
    finally:
        context.close()

    page.reload()
    page.wait_for_selector("#householdMembers")
    assert page.locator("#householdMembers li").count() == 2
    assert page.locator("#householdInvites li").count() == 0  # used
    page.wait_for_function(
        "() => /household's services/.test(document.querySelector('#togetherStatus').textContent)"
    )
    screenshot(page, "household")
    page.click("#householdMembers li:nth-child(2) .member-remove")  # Ann can: she takes Bob out
    page.wait_for_function("() => document.querySelectorAll('#householdMembers li').length === 1")
    assert "no longer in the household" in page.inner_text("#householdNotice")
    page.click("#householdLeave")
    page.click("#householdLeaveConfirm")
    page.wait_for_selector("#householdCreateCard")


def test_a_letterboxd_watchlist_is_imported_and_undone_and_a_binary_file_refused(
    page, watched, site, stack, catalogue
):
    watched.allow_console("status of 400")  # the binary file's refusal, as the page says
    sources, genres = _seeded_services(stack)
    viewer = new_viewer(stack, sources[:1], genres)
    listed = viewer.get("/titles", limit=60)
    assert listed, "the seeded viewer's service has titles"
    names = {}
    for t in catalogue.titles:
        names[t.title.casefold()] = names.get(t.title.casefold(), 0) + 1
    mine = [catalogue.by_id[int(t["id"])] for t in listed if int(t["id"]) in catalogue.by_id]
    mine = [t for t in mine if t.year and names[t.title.casefold()] == 1][:3]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Date", "Name", "Year", "Letterboxd URI"])
    for t in mine:
        writer.writerow(["2024-05-01", t.title, t.year, f"https://boxd.it/{t.id}"])
    writer.writerow(["2024-05-02", "Le Fabuleux Destin d'Amélie « Poulain »", "", "https://boxd.it/x"])

    sign_in(page, site, {"email": viewer.email, "password": PASSWORD})
    page.click("#main-nav-tabs [data-page='watchlist']")
    page.wait_for_selector("#watchlistImport")
    page.click("#watchlistImport summary")
    page.set_input_files(
        "#importFile",
        files=[
            {"name": "watchlist.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(200)}
        ],
    )
    page.wait_for_function(
        "() => document.querySelector('#importStatus').textContent.includes('Not imported')"
    )
    assert "not text" in page.inner_text("#importStatus")

    page.set_input_files(
        "#importFile",
        files=[{"name": "watchlist.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}],
    )
    page.wait_for_selector("#importSummary")
    assert "3 found in the guide, 1 not found" in page.inner_text("#importSummary")
    assert "Amélie « Poulain »" in page.inner_text("#importUnmatched")
    assert "1 credit" in page.inner_text("#importSearch")
    screenshot(page, "watchlist-import")
    page.click("#importAdd")
    page.wait_for_selector("#importAdded")
    page.wait_for_function(
        "n => document.querySelectorAll('#watchlistContainer .title-card').length === n", arg=3
    )
    assert sorted(card_ids(page, "watchlistContainer")) == sorted(str(t.id) for t in mine)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "watchlist-import-phone")
    page.click("#importUndo")
    page.wait_for_function("() => document.querySelector('#importStatus').textContent.includes('undone')")
    page.wait_for_function("() => document.querySelectorAll('#watchlistContainer .title-card').length === 0")


def test_the_household_page_has_no_serious_accessibility_violations(browser, site, stack):
    sources, genres = _seeded_services(stack)
    viewer = new_viewer(stack, sources[:1], genres)
    assert viewer("POST", "/household", json={"name": "Axe house"}).status_code == 201
    assert viewer("POST", "/household/invites", json={}).status_code == 201

    def prepare(page):
        page.fill("#signInEmail", viewer.email)
        page.fill("#signInPassword", PASSWORD)
        page.click("#signInSubmit")
        page.wait_for_selector("#user-greeting:not(.d-none)")
        page.goto(site + "#/main/household")
        page.wait_for_selector("#householdInvites li")
        page.wait_for_function(
            "() => /household's services/.test(document.querySelector('#togetherStatus').textContent)"
        )

    assert accessibility_violations(browser, site, prepare) == []
