"""The fake speaks Watchmode's contract: filters, errors, rate limit headers, counters, hostile data."""

import requests

from tests.conftest import FAKE_KEY


def get(fake, path, key=FAKE_KEY, **params):
    return requests.get(f"{fake.public_url}/v1/{path}", params=params, headers={"X-API-Key": key}, timeout=5)


def test_list_titles_filters_by_source_and_genre_with_or_semantics(fake):
    body = get(fake, "list-titles/", source_ids="409", genres="4,6", limit=250).json()
    cat = fake.state.catalogue
    ids = {t["id"] for t in body["titles"]}
    for tid in ids:
        title = cat.by_id[tid]
        assert 409 in title.source_ids and {4, 6} & set(title.genres)
    assert body["total_results"] == len(cat.matching({409}, {4, 6}))


def test_errors_have_watchmode_shape_and_key_may_come_in_query(fake):
    bad = get(fake, "genres/", key="nope")
    assert bad.status_code == 401 and bad.json() == {
        "success": False,
        "statusCode": 401,
        "statusMessage": "The API key is invalid.",
    }
    ok = requests.get(f"{fake.public_url}/v1/genres/", params={"apiKey": FAKE_KEY}, timeout=5)
    assert ok.status_code == 200
    assert get(fake, "title/1/details/").status_code == 404
    assert get(fake, "list-titles/", limit=251).status_code == 400
    assert get(fake, "list-titles/", source_ids="203", regions="GB,US").status_code == 400


def test_rate_limit_answers_429_with_retry_after_and_headers(fake):
    fake.state.rate_limit_per_minute = 2
    first = get(fake, "genres/")
    assert first.headers["X-RateLimit-Limit"] == "2" and first.headers["X-RateLimit-Remaining"] == "1"
    get(fake, "genres/")
    limited = get(fake, "genres/")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert fake.state.stats()["rate_limited"] == 1


def test_calls_and_credits_are_counted_per_endpoint(fake):
    tid = fake.state.catalogue.titles[1].id
    get(fake, f"title/{tid}/details/", append_to_response="sources")
    get(fake, "list-titles/", source_ids="203")
    stats = requests.get(f"{fake.public_url}/_fake/stats", timeout=5).json()
    assert stats["credits"] == {"title-details": 2, "list-titles": 1}
    assert stats["calls"] == {"title-details": 1, "list-titles": 1}


def test_catalogue_is_deterministic_realistic_and_contains_hostile_text(fake):
    from fake_watchmode.catalogue import Catalogue

    a, b = Catalogue(seed=7, size=1500), fake.state.catalogue
    assert [t.summary() for t in a.titles[:50]] == [t.summary() for t in b.titles[:50]]
    assert all(1 <= len(t.genres) <= 3 and t.source_ids for t in b.titles)
    assert any("<script>" in t.title for t in b.titles)
    netflix = len(b.matching({203}))
    assert 100 < netflix < len(b.titles) / 2
    assert any(t.plot_overview is None for t in b.titles) and any(not t.poster for t in b.titles)


def test_a_control_route_puts_a_title_on_a_source_and_takes_it_off(fake):
    cat = fake.state.catalogue
    title = next(t for t in cat.titles if 444 not in t.source_ids)
    control = f"{fake.public_url}/_fake/availability"

    def total():
        return get(fake, "list-titles/", source_ids="444", limit=1).json()["total_results"]

    before = total()
    try:
        on = requests.post(
            control, json={"title_id": title.id, "source_id": 444, "available": True}, timeout=5
        )
        assert on.status_code == 200 and 444 in on.json()["source_ids"]
        assert total() == before + 1
        assert 444 in {s["source_id"] for s in get(fake, f"title/{title.id}/sources/").json()}
        assert requests.get(control, timeout=5).json()["changes"][-1] == {
            "title_id": title.id, "source_id": 444, "available": True,
        }  # fmt: skip
    finally:
        off = requests.post(
            control, json={"title_id": title.id, "source_id": 444, "available": False}, timeout=5
        )
    assert off.status_code == 200 and 444 not in off.json()["source_ids"] and total() == before
    unknown = {"title_id": 1, "source_id": 444, "available": True}
    assert requests.post(control, json=unknown, timeout=5).status_code == 404
    assert requests.post(control, json={"title_id": "x"}, timeout=5).status_code == 400


def test_details_with_sources_carry_varied_offers_at_two_credits(fake):
    """Issue 21: rent and buy at different prices in SD/HD/4K, free and subscription offers, series with
    seasons, the free plan's deep-link text, and hostile titles whose links are not https."""
    cat = fake.state.catalogue
    purchase = {s["id"] for s in cat.sources if s["type"] == "purchase"}
    bought = next(t for t in cat.titles if purchase & set(t.source_ids))
    body = get(fake, f"title/{bought.id}/details/", regions="GB", append_to_response="sources").json()
    offers = body["sources"]
    paid = [o for o in offers if o["source_id"] in purchase]
    assert {o["type"] for o in paid} == {"rent", "buy"} and {o["format"] for o in paid} == {"SD", "HD", "4K"}
    rents = sorted(o["price"] for o in paid if o["type"] == "rent")
    assert len(set(rents)) > 1 and all(
        o["ios_url"] == "Deeplinks available for paid plans only." for o in offers
    )
    assert all(o["web_url"].startswith("https://") for o in offers)
    series = next(t for t in cat.titles if t.type == "tv_series")
    rows = get(fake, f"title/{series.id}/sources/", regions="GB").json()
    assert rows and all(isinstance(o["seasons"], int) and o["episodes"] >= o["seasons"] for o in rows)
    hostile = next(t for t in cat.titles if "<" in t.title)
    links = [o["web_url"] for o in get(fake, f"title/{hostile.id}/sources/", regions="GB").json()]
    assert links and not any(link.startswith("https://") for link in links)
    assert fake.state.stats()["credits"]["title-details"] == 2
