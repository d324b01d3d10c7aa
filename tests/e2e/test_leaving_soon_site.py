"""Leaving soon in a real browser (issue 21): a title on the viewer's first page is made to leave one of their
services in three days; after the daily reference job, its card says so, and the "Leaving soon" tab lists
what is leaving their services, dates in order, as the API does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import api_json, screenshot, sign_in, token_of
from tests.e2e.test_site import card_ids, wait_loaded


def test_a_title_leaving_soon_shows_its_date_on_its_card_and_in_the_leaving_soon_tab(
    page, site, users, stack
):
    sign_in(page, site, users["viewer"])
    wait_loaded(page, "titlesLoading")
    token = token_of(page)
    shown, _ = api_json(stack, token, "/titles?limit=24&how=included_or_free")
    prefs, _ = api_json(stack, token, "/preferences")
    title = shown[0]
    source = next(s for s in title["source_ids"] if s in prefs["sources"])
    leaving = datetime.now(UTC).date() + timedelta(days=3)
    move = {"title_id": int(title["id"]), "source_id": int(source)}
    stack.fake_watchmode("/_fake/departures", move | {"leaving_date": leaving.isoformat()})
    try:
        result = stack.invoke(stack.info["functions"]["reference"], {"requested_by": "e2e leaving soon"})
        assert result["status"] == "succeeded" and result["departures"] > 0, result
        page.reload()
        wait_loaded(page, "titlesLoading")
        card = page.locator(f"#titlesContainer .title-card[data-title-id='{title['id']}'] .card-leaving")
        day = f"{leaving.day} {leaving.strftime('%b')}"
        assert day in card.inner_text() and "eave" in card.inner_text()

        page.click("#departing-tab")
        assert page.is_visible("#departingContainer") and not page.is_visible("#titlesContainer")
        wait_loaded(page, "departingLoading")
        expected, _ = api_json(stack, token, "/titles/leaving-soon?days=30")
        ids = [t["id"] for t in expected["items"]]
        assert card_ids(page, "departingContainer") == ids and title["id"] in ids
        dates = [t["leaving_date"] for t in expected["items"]]
        assert dates == sorted(dates)
        notes = page.eval_on_selector_all(
            "#departingContainer .card-leaving", "els => els.map(e => e.textContent)"
        )
        assert len(notes) == len(ids) and all("eave" in n for n in notes)
        assert "can move" in page.inner_text("#departingSeen")
        page.select_option("#departing-days", "7")
        page.wait_for_function(
            "n => document.querySelectorAll('#departingContainer .title-card').length <= n", arg=len(ids)
        )
        wait_loaded(page, "departingLoading")
        week, _ = api_json(stack, token, "/titles/leaving-soon?days=7")
        assert card_ids(page, "departingContainer") == [t["id"] for t in week["items"]]
        screenshot(page, "leaving-soon")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "leaving-soon-phone")
    finally:
        stack.fake_watchmode("/_fake/departures", move | {"restore": True})
        stack.invoke(stack.info["functions"]["reference"], {"requested_by": "e2e leaving soon: restored"})


def test_coming_soon_lists_what_is_announced_for_the_viewers_services_in_date_order(page, site, users, stack):
    sign_in(page, site, users["viewer"])
    wait_loaded(page, "titlesLoading")
    page.click("#coming-tab")
    assert page.is_visible("#comingContainer") and not page.is_visible("#titlesContainer")
    wait_loaded(page, "comingLoading")
    expected, _ = api_json(stack, token_of(page), "/titles/coming-soon?days=30")
    ids = [t["id"] for t in expected["items"]]
    assert card_ids(page, "comingContainer") == ids
    dates = [t["arriving_date"] for t in expected["items"]]
    assert dates == sorted(dates)
    page.select_option("#coming-days", "90")  # the pane empties and shows its spinner at once
    wait_loaded(page, "comingLoading")
    season, _ = api_json(stack, token_of(page), "/titles/coming-soon?days=90")
    assert season["items"], "the fake announces titles for the seeded viewer's services within 90 days"
    assert card_ids(page, "comingContainer") == [t["id"] for t in season["items"]]
    notes = page.eval_on_selector_all("#comingContainer .card-note", "els => els.map(e => e.textContent)")
    first = season["items"][0]["arriving"][0]
    assert notes and notes[0].startswith(("On ", "Season ")) and first["source_name"] in notes[0]
    screenshot(page, "coming-soon")
