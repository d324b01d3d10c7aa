"""The viewer API beyond the feed: search, new and leaving on my services, availability alerts."""

import pytest

from tests.support.events import FakeContext, dynamodb_record
from tests.unit.test_consumer import consume, left, seen
from tests.unit.test_preferences_api import call


@pytest.fixture
def guide(api_env):
    """A few titles in the guide; the viewer has Netflix (203) and Prime Video (26)."""
    first = seen("10", ["203", "409"], title="Amélie")
    consume(first.model_copy(update={"baseline_sources": ("203", "409")}))  # the first crawls: not news
    consume(seen("11", ["409"], title="Amelia's Tale"))
    consume(seen("12", ["372"], title="The American"))
    consume(seen("13", ["26"], title="Heat"))  # arrives on 26: news
    assert call("PUT", "/preferences", body={"sources": ["203", "26"], "genres": []})[0] == 200
    return api_env


def test_search_finds_words_and_prefixes_whatever_the_accents_best_first(guide):
    status, body, _ = call("GET", "/search", query={"q": "amelie"})
    assert status == 200 and [i["title"] for i in body["items"]] == ["Amélie"]
    top = body["items"][0]
    assert top["streamable"] and [s["id"] for s in top["on_your_sources"]] == ["203"]
    assert [s["id"] for s in top["elsewhere"]] == ["409"]
    titles = [i["title"] for i in call("GET", "/search", query={"q": "AME"})[1]["items"]]
    # names starting with the query first, shorter names first among equals
    assert titles == ["Amélie", "Amelia's Tale", "The American"]
    assert [i["id"] for i in call("GET", "/search", query={"q": "the amer"})[1]["items"]] == ["12"]
    assert call("GET", "/search", query={"q": "zzzz"})[1]["items"] == []
    assert call("GET", "/search", query={"q": "a"})[0] == 400  # too short to search
    assert call("GET", "/search")[0] == 400


def test_new_on_my_services_lists_arrivals_not_a_first_crawl(guide):
    status, body, _ = call("GET", "/titles/new", query={"days": "7"})
    assert status == 200 and [i["id"] for i in body["items"]] == ["13"]  # 10 came with 203's first crawl
    assert body["items"][0]["sources_changed"] == ["26"] and body["items"][0]["arrived_at"]
    consume(seen("11", ["203"], title="Amelia's Tale"))
    assert [i["id"] for i in call("GET", "/titles/new")[1]["items"]] == ["11", "13"] or [
        i["id"] for i in call("GET", "/titles/new")[1]["items"]
    ] == ["13", "11"]  # same second: either order
    assert call("GET", "/titles/new", query={"days": "0"})[0] == 400


def test_leaving_lists_titles_that_left_my_services(guide):
    assert call("GET", "/titles/leaving")[1]["items"] == []
    consume(left("13", "26"))
    consume(left("11", "409"))  # not one of mine
    status, body, _ = call("GET", "/titles/leaving", query={"days": "30"})
    assert status == 200 and [i["id"] for i in body["items"]] == ["13"]
    assert body["items"][0]["sources_changed"] == ["26"] and not body["items"][0]["streamable"]


def test_alerts_are_listed_counted_and_marked_read(guide):
    from tvguide_notifier.handler import lambda_handler as notifier

    assert call("PUT", "/watchlist/12")[0] == 200
    consume(seen("12", ["203"], title="The American"))  # arrives on the viewer's Netflix
    table = guide["table"]
    changes = [
        i for i in table.scan()["Items"] if i.get("kind") == "AVAILABILITY_CHANGE" and i["title_id"] == "12"
    ]
    notifier({"Records": [dynamodb_record(c, n, "INSERT") for n, c in enumerate(changes, 1)]}, FakeContext())
    status, body, _ = call("GET", "/notifications")
    assert status == 200 and body["unread"] == 1
    [alert] = body["items"]
    assert alert["title"] == "The American" and alert["arrived"] == [{"id": "203", "name": "Netflix"}]
    assert not alert["read"] and not alert["emailed"]
    assert call("POST", "/notifications/read", body={"ids": [alert["id"], "nope"]})[1]["marked"] == 1
    assert call("GET", "/notifications")[1]["unread"] == 0
    assert call("POST", "/notifications/read", body={})[1]["marked"] == 0  # nothing unread
    assert call("POST", "/notifications/read", body={"ids": "x"})[0] == 400


def test_email_alerts_are_opt_in_to_the_sign_in_address(guide):
    assert call("GET", "/notifications/settings")[1] == {
        "email_alerts": False,
        "email": None,
        "email_frequency": "instant",
    }
    status, body, _ = call("PUT", "/notifications/settings", body={"email_alerts": True})
    assert status == 200 and body["email_alerts"] and body["email"] == "viewer-sub@example.com"
    assert call("PUT", "/notifications/settings", body={"email_alerts": "maybe"})[0] == 400
    assert call("PUT", "/notifications/settings", body={"email_alerts": False})[1]["email_alerts"] is False


def test_alerts_are_emailed_only_to_a_verified_address(guide):
    """Reproduced: the pool let a user change `email` without verifying it and the settings stored the
    token's email as it came, so anyone signed in could point the product's sender at someone else's
    address. An unverified address is refused with a clear error, and nothing is saved."""
    status, body, _ = call(
        "PUT", "/notifications/settings", body={"email_alerts": True}, email_verified=False
    )
    assert status == 400 and "Verify your email address" in body["message"]
    assert call("GET", "/notifications/settings")[1] == {
        "email_alerts": False,
        "email": None,
        "email_frequency": "instant",
    }
