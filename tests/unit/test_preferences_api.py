"""The viewer API: public reference routes, preferences with strict validation, titles and recommendations."""

import json

import pytest

from tests.support.events import FakeContext, api_event, aws_calls_published, kinesis_record
from tests.unit.test_consumer import seen
from tvguide.feed.entries import by_title
from tvguide_consumer.handler import lambda_handler as consumer
from tvguide_enrichment.handler import lambda_handler as enrichment
from tvguide_preferences_api import handler as api
from tvguide_reference.handler import lambda_handler as reference_handler

SOURCES, GENRES = ["376", "444"], ["4", "7"]


def call(method, path, **kwargs):
    response = api.lambda_handler(api_event(method, path, **kwargs), FakeContext())
    headers = {
        k: (v[0] if isinstance(v, list) else v) for k, v in (response.get("multiValueHeaders") or {}).items()
    }
    headers |= response.get("headers") or {}
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], body, headers


@pytest.fixture(scope="module")
def catalogue_loaded(fake_server):
    """Titles on SOURCES, ingested and enriched once for the module through the real consumer and
    enrichment handlers (moto calls are slow; the tests below only read, or replace their own preferences)."""
    from moto import mock_aws

    from tests.conftest import FAKE_KEY, _clear_runtime_caches
    from tests.support import aws
    from tests.support.stores import TitleStores

    with pytest.MonkeyPatch.context() as mp, mock_aws():
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "TABLE_NAME": aws.TABLE, "TITLE_STREAM_NAME": aws.STREAM,
            "WATCHMODE_BASE_URL": fake_server.public_url + "/v1/", "WATCHMODE_API_KEY": FAKE_KEY,
            "WATCHMODE_RATE_LIMIT_PER_MINUTE": "100000",
        }.items():  # fmt: skip
            mp.setenv(name, value)
        mp.delenv("AWS_ENDPOINT_URL", raising=False)
        fake_server.state.rate_limit_per_minute = 100_000
        table = aws.create_table()
        mp.setenv("DLQ_URL", aws.create_queue())
        _clear_runtime_caches()
        api.reference.cache_clear()
        reference_handler({}, FakeContext())
        cat = fake_server.state.catalogue
        found: dict[int, set[str]] = {}
        for source in SOURCES:
            for title in cat.matching({int(source)}):
                found.setdefault(title.id, set()).add(source)
        events = [seen(str(t), sorted(s)) for t, s in found.items()]
        records = [kinesis_record(e.model_dump_json().encode(), n) for n, e in enumerate(events, 1)]
        consumer({"Records": records}, FakeContext())
        assert enrichment({"source": "test"}, FakeContext())["stopped"] == "empty"  # the queue's worker
        assert not TitleStores(table.name).next_pending(1)
        yield cat
        _clear_runtime_caches()
        api.reference.cache_clear()


def test_sources_and_genres_are_public_with_string_ids(api_env):
    status, sources, headers = call("GET", "/sources", sub=None)
    assert status == 200 and len(sources) == 49
    assert {"id": "203", "name": "Netflix"}.items() <= next(s for s in sources if s["id"] == "203").items()
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
    status, genres, _ = call("GET", "/genres", sub=None)
    assert status == 200 and {"id": "4", "name": "Comedy", "tmdb_id": 35} in genres


def test_preferences_round_trip_replace_all_and_missing_key_means_empty(api_env):
    assert call("GET", "/preferences")[:2] == (200, {"sources": [], "genres": []})
    status, body, _ = call("PUT", "/preferences", body={"sources": [203, "349", "203"], "genres": ["4", "6"]})
    assert status == 200 and body["message"] == "Preferences updated successfully"
    assert call("GET", "/preferences")[1] == {"sources": ["203", "349"], "genres": ["4", "6"]}
    call("PUT", "/preferences", body={"genres": ["7"]})
    assert call("GET", "/preferences")[1] == {"sources": [], "genres": ["7"]}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("{not json", "JSON"),
        ("[]", "object"),
        ("null", "body"),
        ('"text"', "object"),
        ("5", "object"),
        ('{"sources": "203"}', "sources"),
        ('{"sources": [true]}', "sources"),
        ('{"sources": [{"id": 1}]}', "sources"),
        ('{"genres": ["comedy"]}', "genres"),
        ('{"genres": [-1]}', "genres"),  # found by schemathesis: was a 502
        ('{"sources": ["999999"]}', "unknown source id(s): 999999"),
        ('{"genres": ["16", "4"]}', "unknown genre id(s): 16"),
        (json.dumps({"sources": [str(i) for i in range(51)]}), "at most 50"),
        ('{"sources": [], "colour": "red"}', "colour"),
    ],
)
def test_bad_preferences_get_a_clear_400_and_nothing_is_written(api_env, raw, fragment):
    call("PUT", "/preferences", body={"sources": ["203"], "genres": ["4"]})
    status, body, headers = call("PUT", "/preferences", raw_body=raw)
    assert status == 400, body
    assert fragment in body["message"], body["message"]
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
    assert call("GET", "/preferences")[1] == {"sources": ["203"], "genres": ["4"]}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/preferences"), ("PUT", "/preferences"), ("GET", "/titles"), ("GET", "/recommendations")],
)
def test_signed_in_routes_answer_401_without_identity(api_env, method, path):
    status, body, _ = call(method, path, sub=None, body={"sources": []})
    assert status == 401 and body["message"]


def test_unknown_route_is_a_json_404(api_env):
    status, body, _ = call("GET", "/nope")
    assert status == 404 and "/nope" in body["message"]


def test_preflight_answers_every_path_with_the_contract_headers(api_env):
    for path in ("/titles", "/preferences", "/anything/else"):
        status, _, headers = call("OPTIONS", path, sub=None, origin="http://site.example")
        assert status == 204
        assert headers["Access-Control-Allow-Origin"] == "http://site.example"
        assert {"GET", "PUT", "POST", "OPTIONS"} <= set(headers["Access-Control-Allow-Methods"].split(","))
        assert {"Content-Type", "Authorization"} <= set(headers["Access-Control-Allow-Headers"].split(","))


def test_titles_are_exactly_those_on_the_viewers_sources_and_genres(catalogue_loaded):
    cat = catalogue_loaded
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": GENRES})
    status, titles, headers = call("GET", "/titles", query={"limit": "10"})
    expected = {str(t.id) for t in cat.matching({int(s) for s in SOURCES}, {int(g) for g in GENRES})}
    assert status == 200 and "X-Total-Count" not in headers  # not known before the last page
    seen_ids = [t["id"] for t in titles]
    cursor = headers.get("X-Next-Cursor")
    while cursor:
        _, page, headers = call("GET", "/titles", query={"limit": "10", "cursor": cursor})
        seen_ids += [t["id"] for t in page]
        cursor = headers.get("X-Next-Cursor")
    assert sorted(seen_ids) == sorted(expected) and len(seen_ids) == len(set(seen_ids))
    assert int(headers["X-Total-Count"]) == len(expected) > 20  # exact, on the last page
    first = titles[0]
    real = cat.by_id[int(first["id"])]
    assert first["genre_ids"] == [str(g) for g in real.genres]
    assert set(first["source_ids"]) == {str(s) for s in real.source_ids} & set(SOURCES)
    assert len(first["source_names"]) == len(first["source_ids"]) and first["genre_names"]
    keys = [by_title(t["title"], t["id"]) for t in titles]  # by name: case and accents ignored
    assert keys == sorted(keys)


def test_recommendations_are_rated_above_7_best_first(catalogue_loaded):
    cat = catalogue_loaded
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": GENRES})
    status, recs, headers = call("GET", "/recommendations", query={"limit": "100"})
    expected = [
        t
        for t in cat.matching({int(s) for s in SOURCES}, {int(g) for g in GENRES})
        if (t.user_rating or 0) > 7
    ]
    assert status == 200 and int(headers["X-Total-Count"]) == len(expected) > 0
    ratings = [t["user_rating"] for t in recs]
    assert all(r > 7 for r in ratings) and ratings == sorted(ratings, reverse=True)


def test_filters_narrow_within_the_viewers_choices(catalogue_loaded):
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": GENRES})
    _, titles, _ = call(
        "GET", "/titles", query={"source": "444", "genre": "7", "type": "movie", "limit": "100"}
    )
    assert titles and all(
        "444" in t["source_ids"] and "7" in t["genre_ids"] and t["type"] == "movie" for t in titles
    )
    assert call("GET", "/titles", query={"source": "203"})[0] == 400
    assert call("GET", "/titles", query={"genre": "11"})[0] == 400
    assert call("GET", "/titles", query={"limit": "0"})[0] == 400
    assert call("GET", "/titles", query={"limit": "101"})[0] == 400
    assert call("GET", "/titles", query={"type": "podcast"})[0] == 400


def test_a_cursor_only_works_for_its_own_query(catalogue_loaded):
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": GENRES})
    cursor = call("GET", "/titles", query={"limit": "5"})[2]["X-Next-Cursor"]
    assert call("GET", "/titles", query={"limit": "5", "cursor": cursor})[0] == 200
    status, body, _ = call("GET", "/titles", query={"limit": "5", "cursor": cursor, "source": "444"})
    assert status == 400 and "cursor" in body["message"]
    assert call("GET", "/titles", query={"cursor": "garbage!"})[0] == 400


def _metric(blob, name):
    value = blob[name]
    return sum(value) if isinstance(value, list) else value


def _last_blob(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line][-1]


def test_a_page_reads_its_feeds_heads_and_one_batch_of_records(catalogue_loaded, capsys):
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": GENRES})
    call("GET", "/genres", sub=None)  # reference data now cached in this container
    feeds = len(SOURCES) * len(GENRES)
    goal = 3 * 20 + 2 * feeds
    for path in ("/titles", "/recommendations"):
        call("GET", path, query={"limit": "20"})  # the first reader of these feeds builds their heads
        capsys.readouterr()
        status, page, _ = call("GET", path, query={"limit": "20"})
        assert status == 200 and page
        blob = _last_blob(capsys)
        assert _metric(blob, "FeedEntriesRead") <= goal, path
        assert _metric(blob, "ItemsRead") <= goal and _metric(blob, "FeedHeadsRebuilt") == 0, path
        calls = aws_calls_published(json.dumps(blob))[-1]
        # heads, then the page's records; the preferences; no Query, no Scan
        assert calls.get("dynamodb:BatchGetItem") == 2 and calls.get("dynamodb:GetItem") == 1, calls
        assert "dynamodb:Query" not in calls and "dynamodb:Scan" not in calls, calls


def _every_title(query):
    shown, params = [], {"limit": "100", **query}
    while True:
        status, page, headers = call("GET", "/titles", query=params)
        assert status == 200
        shown += [t["id"] for t in page]
        if not headers.get("X-Next-Cursor"):
            return shown, int(headers["X-Total-Count"])
        params["cursor"] = headers["X-Next-Cursor"]


def test_a_viewer_of_every_source_and_many_genres_reads_a_bounded_page(catalogue_loaded, capsys):
    """Reproduced (issue 19): a page read sources x genres feeds, up to 2,500 heads (rebuilding stale ones
    with three Queries each) for one viewer who picked 50 services and 50 genres. Past 60 feeds a page reads
    each source's any-genre feed and keeps the titles of the viewer's genres: bounded by the sources, and
    the same titles in the same order as the genre feeds give."""
    all_sources = [s["id"] for s in call("GET", "/sources", sub=None)[1]]
    genres = [g["id"] for g in call("GET", "/genres", sub=None)[1]][:30]
    assert len(all_sources) >= 40
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": genres})  # 60 genre feeds: merged
    expected, expected_total = _every_title({"sort": "title"})
    assert call("PUT", "/preferences", body={"sources": all_sources, "genres": genres})[0] == 200
    call("GET", "/titles", query={"limit": "20"})  # the first reader builds the heads
    capsys.readouterr()
    status, page, _ = call("GET", "/titles", query={"limit": "20"})
    assert status == 200 and len(page) == 20
    blob = _last_blob(capsys)
    assert _metric(blob, "ItemsRead") <= 3 * 20 + 2 * len(all_sources)  # not 2 x 1,470 feeds
    wanted = set(genres)
    assert all(wanted & set(t["genre_ids"]) for t in page)
    shown, total = _every_title({"sort": "title"})
    assert shown == expected and total == expected_total == len(expected)


def test_a_page_past_the_heads_continues_with_queries_in_the_same_order(catalogue_loaded):
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": []})
    shown, params = [], {"limit": "100", "sort": "title"}
    while True:  # 100 titles a page: past the 60 entries a head holds
        status, page, headers = call("GET", "/titles", query=params)
        assert status == 200
        shown += [by_title(t["title"], t["id"]) for t in page]
        if "X-Next-Cursor" not in headers:
            break
        params["cursor"] = headers["X-Next-Cursor"]
    expected = {t.id for t in catalogue_loaded.matching({int(s) for s in SOURCES})}
    assert shown == sorted(shown) and len(shown) == len(set(shown)) == len(expected)


def test_a_title_written_into_a_head_shows_at_once_and_one_past_it_costs_the_head_nothing(
    catalogue_loaded,
):
    import boto3

    from tests.support import aws
    from tests.unit.test_consumer import left

    def consume(event, number):
        consumer({"Records": [kinesis_record(event.model_dump_json().encode(), number)]}, FakeContext())

    table = boto3.resource("dynamodb").Table(aws.TABLE)
    key = {"pk": "FEEDHEAD#376#*", "sk": "HEAD"}
    call("PUT", "/preferences", body={"sources": ["376"], "genres": []})
    first = call("GET", "/titles", query={"limit": "5"})[1]
    head = table.get_item(Key=key)["Item"]
    assert head["head_version"] == head["feed_version"] and len(head["entries_by_title"]) == 60

    # after the head's last entry in every order: by name, unrated, from 1900
    consume(seen("99000001", ["376"], title="Zzzz last", year=1900), 1)
    assert table.get_item(Key=key)["Item"]["feed_version"] == head["feed_version"]
    assert call("GET", "/titles", query={"limit": "5"})[1] == first

    consume(seen("99000002", ["376"], title="0 first"), 2)  # first by name
    assert table.get_item(Key=key)["Item"]["feed_version"] == head["feed_version"] + 1
    page = call("GET", "/titles", query={"limit": "5"})[1]
    assert page[0]["id"] == "99000002" and page[1:] == first[:4]

    consume(left("99000001", "376"), 3)
    consume(left("99000002", "376"), 4)
    assert call("GET", "/titles", query={"limit": "5"})[1] == first


def test_a_head_built_from_reads_older_than_a_write_is_never_kept(catalogue_loaded):
    import boto3

    from tests.support import aws
    from tvguide.feed.heads import FeedIndex, FeedTouches, HeadReads

    table = boto3.resource("dynamodb").Table(aws.TABLE)
    index = FeedIndex(aws.TABLE)
    key = {"pk": "FEEDHEAD#444#7", "sk": "HEAD"}
    version = int((table.get_item(Key=key).get("Item") or {}).get("feed_version") or 0)
    touches = FeedTouches()  # a writer changes the feed between the reader's version read and its write
    touches.removed("FEED#444#7")
    assert touches.bump(table) == 1
    index.rebuild("FEED#444#7", version, HeadReads())
    item = table.get_item(Key=key)["Item"]
    assert item["feed_version"] == version + 1 and item.get("head_version") != item["feed_version"]  # stale
    reads = HeadReads()
    index.heads(["FEED#444#7"], "title", reads)
    assert reads.rebuilt == 1
    item = table.get_item(Key=key)["Item"]
    assert item["head_version"] == item["feed_version"] == version + 1


def test_a_head_stored_in_the_old_shape_is_rebuilt_in_the_new_one(catalogue_loaded):
    """Heads are derived: one written before their attributes were renamed is never current."""
    import time

    import boto3

    from tests.support import aws
    from tvguide.feed.heads import OPEN_END, FeedIndex, HeadReads

    table = boto3.resource("dynamodb").Table(aws.TABLE)
    key = {"pk": "FEEDHEAD#444#*", "sk": "HEAD"}
    table.put_item(
        Item=key
        | {"ver": 3, "hv": 3, "built_at": int(time.time()), "h_title": "x\t1\tmovie", "b_title": OPEN_END}
    )
    reads = HeadReads()
    head = FeedIndex(aws.TABLE).heads(["FEED#444#*"], "title", reads)["FEED#444#*"]
    assert reads.rebuilt == 1 and head.entries and head.entries[0].title_id != "1"
    item = table.get_item(Key=key)["Item"]
    assert not {"ver", "hv", "h_title", "b_title"} & set(item)
    assert item["head_version"] == item["feed_version"] == 0 and item["entries_by_title"]


def test_a_viewer_with_no_sources_gets_an_empty_list_not_an_error(catalogue_loaded):
    call("PUT", "/preferences", body={"sources": [], "genres": GENRES})
    assert call("GET", "/titles")[:2] == (200, [])
    assert call("GET", "/recommendations")[:2] == (200, [])


def test_published_openapi_document_matches_the_code():
    from openapi import DOCUMENT, generate

    assert DOCUMENT.read_text() == generate(), "docs/openapi.json is stale: run `make openapi`"
    document = json.loads(DOCUMENT.read_text())
    assert set(document["paths"]) == {
        "/sources", "/genres", "/preferences", "/titles", "/recommendations",
        "/watchlist", "/watchlist/{title_id}", "/titles/status", "/titles/new", "/titles/leaving",
        "/titles/leaving-soon", "/titles/coming-soon", "/search",
        "/notifications", "/notifications/read", "/notifications/settings",
        "/push", "/push/devices", "/push/devices/{device_id}", "/calendar", "/calendar-feeds/{token}",
        "/household", "/household/me", "/household/invites", "/household/invites/{invite_id}",
        "/household/invites/preview", "/household/join", "/household/together",
        "/household/members/{member_id}/watchlist", "/household/members/{member_id}",
        "/watchlist/imports", "/watchlist/imports/{import_id}", "/watchlist/imports/{import_id}/search",
        "/watchlist/imports/{import_id}/add", "/watchlist/export",
    }  # fmt: skip
    assert document["paths"]["/titles"]["get"]["security"] == [{"cognito": []}]
    assert "security" not in document["paths"]["/sources"]["get"]
    assert "security" not in document["paths"]["/calendar-feeds/{token}"]["get"]  # the token is the key
    assert document["paths"]["/calendar"]["post"]["security"] == [{"cognito": []}]
    assert "422" not in json.dumps(document["paths"])


# --- the watchlist ------------------------------------------------------------------------------------


def test_a_watchlist_says_where_each_title_is_streamable_and_filters_to_streamable_now(catalogue_loaded):
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": GENRES})
    mine = call("GET", "/titles", query={"limit": "1"})[1][0]
    call("PUT", "/preferences", body={"sources": [SOURCES[0]], "genres": GENRES})
    status, body, _ = call("PUT", f"/watchlist/{mine['id']}")
    assert status == 200 and body["message"] == "Added to your watchlist"
    assert call("PUT", f"/watchlist/{mine['id']}")[1]["message"] == "Already on your watchlist"  # idempotent
    status, listed, _ = call("GET", "/watchlist")
    assert status == 200 and [i["id"] for i in listed["items"]] == [mine["id"]] and listed["limit"] == 500
    item = listed["items"][0]
    on_mine = [s for s in mine["source_ids"] if s == SOURCES[0]]
    assert item["streamable"] == bool(on_mine)
    assert [s["id"] for s in item["on_your_sources"]] == on_mine
    assert {s["id"] for s in item["elsewhere"]} == set(mine["source_ids"]) - set(on_mine)
    streamable = call("GET", "/watchlist", query={"streamable": "true"})[1]["items"]
    assert [i["id"] for i in streamable] == ([mine["id"]] if on_mine else [])
    assert call("DELETE", f"/watchlist/{mine['id']}")[0] == 200
    assert call("DELETE", f"/watchlist/{mine['id']}")[0] == 200  # idempotent
    assert call("GET", "/watchlist")[1]["items"] == []


def test_only_titles_the_guide_knows_can_be_watchlisted_and_at_most_500(catalogue_loaded, monkeypatch):
    from tvguide_preferences_api import store

    assert call("PUT", "/watchlist/999999999")[0] == 404
    assert call("PUT", "/watchlist/abc")[0] == 400
    known = call("GET", "/titles", query={"limit": "3"})[1]
    monkeypatch.setattr(store, "MAX_WATCHLIST", 2)
    assert [call("PUT", f"/watchlist/{t['id']}")[0] for t in known] == [200, 200, 409]
    for title in known:
        call("DELETE", f"/watchlist/{title['id']}")


def test_titles_status_says_which_of_your_sources_are_still_being_fetched(catalogue_loaded):
    import boto3

    from tests.support import aws
    from tvguide.crawls import crawl_key

    table = boto3.resource("dynamodb").Table(aws.TABLE)
    call("PUT", "/preferences", body={"sources": ["203", "409", "26"], "genres": ["4", "6"]})
    status, body, _ = call("GET", "/titles/status")
    assert status == 200 and body == {"fetching": ["203", "409", "26"], "failing": [], "ready": False}
    crawled = "2026-11-21T10:00:00+00:00"
    table.put_item(
        Item=crawl_key("203") | {"source_id": "203", "last_complete_at": crawled, "all_genres": True}
    )
    table.put_item(
        Item=crawl_key("409")
        | {"source_id": "409", "last_complete_at": crawled, "genre_ids": {"4"}, "failures": 0}
    )
    table.put_item(Item=crawl_key("26") | {"source_id": "26", "last_attempt_at": crawled, "failures": 2})
    body = call("GET", "/titles/status")[1]
    assert body == {"fetching": ["409"], "failing": ["26"], "ready": False}  # 409 lacks genre 6
    call("PUT", "/preferences", body={"sources": ["203", "409"], "genres": ["4"]})
    assert call("GET", "/titles/status")[1] == {"fetching": [], "failing": [], "ready": True}
    for source in ("203", "409", "26"):
        table.delete_item(Key=crawl_key(source))


class _Reference:
    """Sources of every kind Watchmode has (and one of no known kind), no genres."""

    def list_sources(self, include_inactive: bool = False):
        from tvguide.models import Source

        kinds = {"203": "sub", "409": "free", "24": "purchase", "502": "tve", "900": ""}
        return [Source(id=i, name=f"source {i}", type=k) for i, k in kinds.items()]

    def list_genres(self):
        return []


@pytest.mark.parametrize(
    ("how", "sources"),
    [
        ("any", ("203", "409", "24", "502", "900")),
        ("included", ("203", "502", "900")),  # a source of no known kind is taken as a subscription
        ("free", ("409",)),
        ("included_or_free", ("203", "409", "502", "900")),
        ("rent_or_buy", ("24",)),
    ],
)
def test_how_keeps_the_viewers_sources_that_offer_titles_that_way(how, sources):
    from tvguide.models import Preferences
    from tvguide_preferences_api.logic import ReferenceCache, build_query

    mine = Preferences(sources=["203", "409", "24", "502", "900"], genres=[])
    query = build_query(mine, ReferenceCache(_Reference()), how=how)
    assert query.sources == sources
    # A cursor belongs to its "how": the sources differ, so does the fingerprint.
    if how != "any":
        assert query.fingerprint() != build_query(mine, ReferenceCache(_Reference())).fingerprint()


def test_the_how_filter_changes_the_titles_as_the_sources_kinds_say(catalogue_loaded):
    call("PUT", "/preferences", body={"sources": SOURCES, "genres": GENRES})  # two subscriptions
    _, everything, _ = call("GET", "/titles", query={"limit": "100"})
    _, included, _ = call("GET", "/titles", query={"limit": "100", "how": "included_or_free"})
    assert everything and included == everything
    status, none, headers = call("GET", "/titles", query={"limit": "100", "how": "rent_or_buy"})
    assert (status, none, headers["X-Total-Count"]) == (200, [], "0")
    assert call("GET", "/recommendations", query={"how": "free"})[:2] == (200, [])
    status, body, _ = call("GET", "/titles", query={"how": "stolen"})
    assert status == 400 and "how" in body["message"]
