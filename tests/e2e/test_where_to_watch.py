"""Where to watch (issue 21): a card says the best way to watch in a few words, and the modal's "Where to
watch" opens the service's page for the title in a new tab; only https links are ever links."""

from __future__ import annotations

from tests.e2e.conftest import SCREENSHOTS, api_json, screenshot, sign_in, token_of


def wait_loaded(page, spinner):
    page.wait_for_selector(f"#{spinner}.d-none", state="attached")


def test_cards_say_the_best_way_to_watch_as_the_api_does(page, site, users, stack):
    sign_in(page, site, users["viewer"])
    wait_loaded(page, "titlesLoading")
    expected, _ = api_json(stack, token_of(page), "/titles?limit=24")
    watch = [t["watch"] for t in expected]
    assert any(w and w.startswith("Included with ") for w in watch), watch  # the seeded titles are enriched
    shown = page.eval_on_selector_all(
        "#titlesContainer .title-card",
        "cards => cards.map(c => c.querySelector('.card-watch')?.textContent ?? null)",
    )
    assert shown == watch


def test_the_modal_opens_the_offer_on_the_viewers_service_in_a_new_tab(page, site, users, stack):
    sign_in(page, site, users["viewer"])
    wait_loaded(page, "titlesLoading")
    expected, _ = api_json(stack, token_of(page), "/titles?limit=24")
    index, title = next((i, t) for i, t in enumerate(expected) if t["offers"] and t["offers"][0]["mine"])
    best = title["offers"][0]
    assert best["link"].startswith("https://") and best["kind"] in ("sub", "free", "tve")
    page.locator("#titlesContainer .title-card").nth(index).click()
    page.wait_for_selector("#titleModal:not([hidden])")
    link = page.locator("#titleModalWatch [data-group='mine'] a.offer-link").first
    assert link.inner_text() in (f"Watch on {best['source_name']}", f"Watch free on {best['source_name']}")
    assert link.get_attribute("href") == best["link"]
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in (link.get_attribute("rel") or "")
    shown = page.eval_on_selector_all("#titleModalWatch li", "items => items.length")
    assert shown == len(title["offers"])
    # The service's page is answered in the browser itself (nothing leaves this machine).
    page.context.route("https://watch.example/**", lambda route: route.fulfill(body="the service's page"))
    with page.context.expect_page() as opened:
        link.click()
    opened.value.wait_for_load_state()
    assert opened.value.url == best["link"]
    assert opened.value.evaluate("() => window.opener") is None  # noopener: it cannot reach the guide
    opened.value.close()
    screenshot(page, "where-to-watch-modal")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#titleModalWatch").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "where-to-watch-modal-phone.png"))  # what the phone shows


# A rent-and-buy service's card ("Rent from £…") and a hostile link that is never a link: in
# test_site.py's test_a_hostile_title_renders_as_harmless_text (it crawls the hostile title's service).
